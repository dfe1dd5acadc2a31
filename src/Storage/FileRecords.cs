using KafkaSharp.Protocol.Records;
using Microsoft.Win32.SafeHandles;

namespace KafkaSharp.Storage;

/// <summary>
/// Record batches that stay on disk: <see cref="SizeInBytes"/> bytes of a segment's <c>.log</c> file
/// starting at <see cref="Position"/>, always whole batches. A plain-TCP transport sends them with
/// sendfile(2) (<see cref="File"/> or <see cref="Handle"/> with the position and size); TLS copies them
/// through a buffer with <see cref="CopyTo"/>. The bytes never change once appended; a slice stays
/// readable for <c>file.delete.delay.ms</c> after its segment is deleted.
/// </summary>
public sealed class FileRecords : BaseRecords
{
    internal FileRecords(FileStream file, long position, int sizeInBytes)
    {
        File = file;
        Position = position;
        SizeInBytes = sizeInBytes;
    }

    /// <summary>The segment's log file (for <c>SendPacketsElement(FileStream, offset, count)</c>). Do not move its position.</summary>
    public FileStream File { get; }

    public SafeFileHandle Handle => File.SafeFileHandle;

    /// <summary>Byte position of the first batch in the file.</summary>
    public long Position { get; }

    public override int SizeInBytes { get; }

    /// <summary>Reads the slice into the start of <paramref name="destination"/> (positional reads; the file position is untouched).</summary>
    public override void CopyTo(Span<byte> destination)
    {
        var remaining = destination[..SizeInBytes];
        long position = Position;
        while (!remaining.IsEmpty)
        {
            int read = RandomAccess.Read(Handle, remaining, position);
            if (read == 0)
            {
                throw new EndOfStreamException($"{File.Name} ends at {position}, inside a slice that ends at {Position + SizeInBytes}");
            }
            remaining = remaining[read..];
            position += read;
        }
    }
}
