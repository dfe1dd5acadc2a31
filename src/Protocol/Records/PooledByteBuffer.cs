using System.Buffers;

namespace KafkaSharp.Protocol.Records;

/// <summary>
/// A growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>, used for decompressed
/// record payloads and for batches being built. A mutable struct: pass it by <c>ref</c> and dispose
/// it exactly once; copies share the rented array.
/// </summary>
public struct PooledByteBuffer : IDisposable
{
    private const int MinimumCapacity = 256;

    private byte[]? array;
    private int length;

    public readonly int Length => length;

    public readonly ReadOnlySpan<byte> WrittenSpan => array is null ? default : array.AsSpan(0, length);

    public readonly ReadOnlyMemory<byte> WrittenMemory => array is null ? default : array.AsMemory(0, length);

    /// <summary>Free space after the written bytes, at least <paramref name="sizeHint"/> long.</summary>
    public Span<byte> GetSpan(int sizeHint)
    {
        if (array is null || array.Length - length < sizeHint)
        {
            Grow(sizeHint);
        }
        return array.AsSpan(length);
    }

    public void Advance(int count)
    {
        if ((uint)count > (uint)(array?.Length ?? 0) - (uint)length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }
        length += count;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        length += data.Length;
    }

    public void Dispose()
    {
        if (array is not null)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
        array = null;
        length = 0;
    }

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(array))]
    private void Grow(int sizeHint)
    {
        long required = (long)length + sizeHint;
        if (required > Array.MaxLength)
        {
            throw new InsufficientMemoryException($"A pooled buffer cannot hold {required} bytes.");
        }
        long doubled = Math.Max(MinimumCapacity, 2L * (array?.Length ?? 0));
        byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(required, doubled)));
        if (array is not null)
        {
            array.AsSpan(0, length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(array);
        }
        array = larger;
    }
}
