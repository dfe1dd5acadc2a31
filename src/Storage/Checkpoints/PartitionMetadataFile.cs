using System.Text;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Storage.Checkpoints;

/// <summary>
/// Kafka's <c>partition.metadata</c> file in each partition directory, recording which topic id the
/// directory belongs to, so a log left behind by a deleted topic is not mistaken for a new topic of
/// the same name:
/// <code>
/// version: 0
/// topic_id: &lt;22-character base64 id&gt;
/// </code>
/// </summary>
internal static class PartitionMetadataFile
{
    public const string FileName = "partition.metadata";

    public static void Write(string partitionDirectory, KafkaUuid topicId)
    {
        string text = $"version: 0\ntopic_id: {topicId}\n";
        AtomicFile.Write(Path.Combine(partitionDirectory, FileName), Encoding.UTF8.GetBytes(text));
    }

    /// <summary>The topic id in the directory's file, or <c>null</c> when there is no file.</summary>
    /// <exception cref="InvalidDataException">The file is malformed.</exception>
    public static KafkaUuid? Read(string partitionDirectory)
    {
        string path = Path.Combine(partitionDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }
        string[] lines = File.ReadAllText(path, Encoding.UTF8).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < 2 || lines[0] != "version: 0" || !lines[1].StartsWith("topic_id: ", StringComparison.Ordinal) ||
            !KafkaUuid.TryParse(lines[1]["topic_id: ".Length..].Trim(), out var topicId))
        {
            throw new InvalidDataException($"Malformed partition metadata file {path}");
        }
        return topicId;
    }
}
