using System.Globalization;
using System.Text;

namespace KafkaSharp.Storage.Checkpoints;

/// <summary>
/// <c>__kafkasharp_producer_ids</c> in the data directory: the first producer id of the next block
/// of ids the broker may hand out. Kafka keeps this in its metadata log (ProducerIdsRecord's
/// NextProducerId); KafkaSharp has none, so it is a small file, written atomically
/// (<see cref="AtomicFile"/>) before any id of a new block is used, so no id is ever handed out twice:
/// <code>
/// version: 0
/// next_producer_id: 3000
/// </code>
/// </summary>
public static class ProducerIdBlockFile
{
    public const string FileName = "__kafkasharp_producer_ids";

    /// <summary>The next block's first producer id; 0 when the file does not exist (no id was ever handed out).</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static long Read(string logDirectory)
    {
        string path = Path.Combine(logDirectory, FileName);
        if (!File.Exists(path))
        {
            return 0;
        }
        string[] lines = File.ReadAllText(path, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        const string prefix = "next_producer_id: ";
        if (lines.Length != 2 || lines[0] != "version: 0" || !lines[1].StartsWith(prefix, StringComparison.Ordinal) ||
            !long.TryParse(lines[1].AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long nextProducerId))
        {
            throw new InvalidDataException($"Malformed producer id file {path}");
        }
        return nextProducerId;
    }

    /// <exception cref="IOException">The file cannot be written or made durable.</exception>
    public static void Write(string logDirectory, long nextProducerId) =>
        AtomicFile.Write(Path.Combine(logDirectory, FileName),
            Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"version: 0\nnext_producer_id: {nextProducerId}\n")));
}
