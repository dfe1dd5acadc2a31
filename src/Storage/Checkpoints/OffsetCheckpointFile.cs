using System.Globalization;
using System.Text;

namespace KafkaSharp.Storage.Checkpoints;

/// <summary>
/// Kafka's per-directory offset checkpoint files (<c>recovery-point-offset-checkpoint</c>,
/// <c>log-start-offset-checkpoint</c>), text in this layout:
/// <code>
/// 0                      version
/// 2                      number of entries
/// orders 0 1200          topic, partition, offset; one line each
/// orders 1 1187
/// </code>
/// Topic names cannot contain spaces, so the last two space-separated fields are the partition and
/// the offset. Written atomically (<see cref="AtomicFile"/>).
/// </summary>
internal sealed class OffsetCheckpointFile(string path)
{
    public const string RecoveryPointFileName = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetFileName = "log-start-offset-checkpoint";

    private const int CurrentVersion = 0;

    public string Path { get; } = path;

    public void Write(IReadOnlyCollection<KeyValuePair<TopicPartition, long>> offsets)
    {
        var text = new StringBuilder();
        text.Append(CurrentVersion).Append('\n').Append(offsets.Count).Append('\n');
        foreach (var (topicPartition, offset) in offsets)
        {
            text.Append(topicPartition.Topic).Append(' ').Append(topicPartition.Partition).Append(' ').Append(offset).Append('\n');
        }
        AtomicFile.Write(Path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>The offsets in the file; empty when it does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public Dictionary<TopicPartition, long> Read()
    {
        var offsets = new Dictionary<TopicPartition, long>();
        if (!File.Exists(Path))
        {
            return offsets;
        }
        string[] lines = File.ReadAllText(Path, Encoding.UTF8).Split('\n');
        if (lines.Length < 2 || lines[0].Trim() != "0")
        {
            throw Malformed("unsupported version line");
        }
        if (!int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || lines.Length < 2 + count)
        {
            throw Malformed("bad entry count");
        }
        for (int i = 0; i < count; i++)
        {
            string[] fields = lines[2 + i].Split(' ');
            if (fields.Length != 3 ||
                fields[0].Length == 0 ||
                !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int partition) ||
                !long.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long offset))
            {
                throw Malformed($"bad entry line {3 + i}");
            }
            offsets[new TopicPartition(fields[0], partition)] = offset;
        }
        for (int i = 2 + count; i < lines.Length; i++)
        {
            if (lines[i].Length != 0)
            {
                throw Malformed("more entries than the count line says");
            }
        }
        return offsets;
    }

    private InvalidDataException Malformed(string reason) => new($"Malformed checkpoint file {Path}: {reason}");
}
