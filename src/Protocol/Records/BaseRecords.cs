namespace KafkaSharp.Protocol.Records;

/// <summary>
/// The value of a <c>records</c> field: a sequence of record batches. Decoded requests hold
/// <see cref="MemoryRecords"/> (a slice of the request frame, never a copy); fetch responses hold
/// file slices from Storage that the transport sends with sendfile. A writer copies memory records
/// into its buffer and leaves every other kind to the transport (see <c>KafkaWriter</c>).
/// </summary>
public abstract class BaseRecords
{
    public abstract int SizeInBytes { get; }

    /// <summary>Copies the bytes out, for transports that cannot send the source as it is (TLS).</summary>
    public abstract void CopyTo(Span<byte> destination);
}

/// <summary>Record batches held in memory; usually a slice of a received frame.</summary>
public sealed class MemoryRecords(ReadOnlyMemory<byte> buffer) : BaseRecords
{
    public static readonly MemoryRecords Empty = new(ReadOnlyMemory<byte>.Empty);

    public ReadOnlyMemory<byte> Buffer { get; } = buffer;

    public override int SizeInBytes => Buffer.Length;

    public override void CopyTo(Span<byte> destination) => Buffer.Span.CopyTo(destination);
}
