using System.Text.Json;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage.Checkpoints;

namespace KafkaSharp.Storage;

/// <summary>
/// The broker's topic list, kept in <c>__kafkasharp_topics.json</c> in the data directory and
/// rewritten atomically (temp file, fsync, rename) on every change. The topic ids also live in each
/// partition directory's <c>partition.metadata</c>, as in Kafka; this file adds what Kafka keeps in
/// its metadata log: names, partition counts and per-topic config overrides.
/// <code>
/// {"version":1,"topics":[{"name":"orders","topicId":"q3xTnR0DQ5Gr_uXvCgOQ0g","partitions":3,
///   "configs":{"retention.ms":"3600000"}}]}
/// </code>
/// </summary>
public sealed class TopicMetadataStore(string logDirectory)
{
    public const string FileName = "__kafkasharp_topics.json";

    private const int CurrentVersion = 1;

    public string Path { get; } = System.IO.Path.Combine(logDirectory, FileName);

    /// <summary>The stored topics, in file order; empty when nothing was stored yet.</summary>
    /// <exception cref="InvalidDataException">The file exists but is not a valid topic list.</exception>
    public IReadOnlyList<TopicMetadata> Load()
    {
        if (!File.Exists(Path))
        {
            return [];
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path));
            var root = document.RootElement;
            if (root.GetProperty("version").GetInt32() != CurrentVersion)
            {
                throw new InvalidDataException($"{Path}: unsupported version");
            }
            var topics = new List<TopicMetadata>();
            foreach (var topic in root.GetProperty("topics").EnumerateArray())
            {
                string name = topic.GetProperty("name").GetString() ?? throw new InvalidDataException($"{Path}: topic without a name");
                if (!KafkaUuid.TryParse(topic.GetProperty("topicId").GetString() ?? "", out var topicId))
                {
                    throw new InvalidDataException($"{Path}: topic {name} has an invalid topic id");
                }
                var configs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var config in topic.GetProperty("configs").EnumerateObject())
                {
                    configs[config.Name] = config.Value.GetString() ?? throw new InvalidDataException($"{Path}: topic {name} has a null config value");
                }
                topics.Add(new TopicMetadata(name, topicId, topic.GetProperty("partitions").GetInt32(), configs));
            }
            return topics;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{Path} is not a valid topic list: {e.Message}", e);
        }
    }

    /// <summary>Replaces the stored list with <paramref name="topics"/>.</summary>
    public void Save(IEnumerable<TopicMetadata> topics)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", CurrentVersion);
            json.WriteStartArray("topics");
            foreach (var topic in topics)
            {
                json.WriteStartObject();
                json.WriteString("name", topic.Name);
                json.WriteString("topicId", topic.TopicId.ToString());
                json.WriteNumber("partitions", topic.PartitionCount);
                json.WriteStartObject("configs");
                foreach (var (name, value) in topic.Configs)
                {
                    json.WriteString(name, value);
                }
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        AtomicFile.Write(Path, buffer.WrittenSpan);
    }
}
