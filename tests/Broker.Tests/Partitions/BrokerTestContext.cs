using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Partitions;
using KafkaSharp.Broker.Tests.Network;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests.Partitions;

/// <summary>
/// The broker's storage side over a temp directory, with a manual clock: a real TopicRegistry and
/// LogManager, the ReplicaManager and FetchPurgatory wired as KafkaServer wires them, and the
/// produce, fetch and list-offsets handlers called directly with generated request objects.
/// </summary>
internal sealed class BrokerTestContext : IAsyncDisposable
{
    private readonly string _directory;

    public BrokerTestContext()
    {
        _directory = Path.Combine(Path.GetTempPath(), "ks-partitions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var config = new BrokerConfig(new Dictionary<string, string> { ["log.dirs"] = _directory });
        Purgatory = new FetchPurgatory(Time);
        Topics = TopicRegistry.Open(config, NullLoggerFactory.Instance, Time, Purgatory.OnHighWatermarkAdvanced);
        Replicas = new ReplicaManager(Topics.Logs, Purgatory, Time);
        Services = new BrokerServices
        {
            Config = config,
            ClusterId = "test-cluster",
            LoggerFactory = NullLoggerFactory.Instance,
            ApiVersions = new ApiVersionsRegistry([Produce, Fetch, ListOffsets]),
            Time = Time,
            Topics = Topics,
            Replicas = Replicas,
        };
    }

    public ManualTimeProvider Time { get; } = new();

    public FetchPurgatory Purgatory { get; }

    public TopicRegistry Topics { get; }

    public ReplicaManager Replicas { get; }

    public BrokerServices Services { get; }

    public ProduceHandler Produce { get; } = new();

    public FetchHandler Fetch { get; } = new();

    public ListOffsetsHandler ListOffsets { get; } = new();

    public TopicInfo CreateTopic(string name, int partitions = 1, params (string Name, string Value)[] configs)
    {
        var newTopic = new NewTopic(name, partitions, 1)
        {
            Configs = configs.Select(c => new KeyValuePair<string, string?>(c.Name, c.Value)).ToList(),
        };
        var creation = Topics.CreateTopic(newTopic, validateOnly: false);
        Assert.True(creation.Error.IsSuccess, creation.Error.ToString());
        return creation.Topic!;
    }

    public PartitionLog Log(string topic, int partition = 0) => Replicas.GetLog(topic, partition)!;

    public RequestContext Context(ApiKey apiKey, short version, string? clientId = "test-client") =>
        new(TestConnections.Info(), Services) { ApiKey = apiKey, ApiVersion = version, ClientId = clientId };

    /// <summary>A batch of <paramref name="count"/> records "value-i", created now unless told otherwise.</summary>
    public byte[] Batch(int count = 3, long? timestamp = null, CompressionType compression = CompressionType.None, bool nullKeys = false,
        int valueSize = 0)
    {
        using var builder = new RecordBatchBuilder(compression);
        for (int i = 0; i < count; i++)
        {
            byte[] value = valueSize > 0 ? new byte[valueSize] : System.Text.Encoding.UTF8.GetBytes($"value-{i}");
            builder.Append(timestamp ?? Time.NowMs, nullKeys ? null : System.Text.Encoding.UTF8.GetBytes($"key-{i}"), value);
        }
        return builder.Build();
    }

    public static ProduceRequest ProduceRequest(string topic, int partition, byte[]? records, short acks = -1, KafkaUuid topicId = default) => new()
    {
        Acks = acks,
        TimeoutMs = 30_000,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                TopicId = topicId,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = records is null ? null : new MemoryRecords(records) }],
            },
        ],
    };

    public async Task<ProduceResponse.PartitionProduceResponse> ProduceAsync(string topic, byte[] records, int partition = 0, short version = 11,
        short acks = -1)
    {
        var response = await Produce.HandleAsync(Context(ApiKey.Produce, version), ProduceRequest(topic, partition, records, acks), CancellationToken.None);
        return Assert.Single(Assert.Single(response!.Responses).PartitionResponses);
    }

    public static FetchRequest FetchRequest(string topic, long fetchOffset, int partition = 0, int maxWaitMs = 0, int minBytes = 1,
        int maxBytes = int.MaxValue, int partitionMaxBytes = 1024 * 1024, KafkaUuid topicId = default) => new()
    {
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = maxBytes,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = topic,
                TopicId = topicId,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = fetchOffset, PartitionMaxBytes = partitionMaxBytes }],
            },
        ],
    };

    public Task<FetchResponse?> FetchAsync(FetchRequest request, short version = 12, CancellationToken cancellationToken = default) =>
        Fetch.HandleAsync(Context(ApiKey.Fetch, version), request, cancellationToken).AsTask();

    /// <summary>Writes <paramref name="message"/> as the dispatcher does and decodes it again; returns the decoded copy.</summary>
    public static T WriteAndRead<T>(T message, short version) where T : IKafkaMessage, new()
    {
        var splices = new List<RecordsSplice>();
        int spliced = 0;
        var buffer = new byte[message.Size(version)];
        var writer = new KafkaWriter(buffer, splices);
        message.Write(ref writer, version);
        foreach (var splice in splices)
        {
            spliced += splice.Records.SizeInBytes;
        }
        Assert.Equal(buffer.Length - spliced, writer.Position);
        // Put the spliced records where the transport would send them, then decode the whole frame.
        var frame = new byte[buffer.Length];
        int source = 0, destination = 0;
        foreach (var splice in splices)
        {
            buffer.AsSpan(source, splice.BufferOffset - source).CopyTo(frame.AsSpan(destination));
            destination += splice.BufferOffset - source;
            splice.Records.CopyTo(frame.AsSpan(destination, splice.Records.SizeInBytes));
            destination += splice.Records.SizeInBytes;
            source = splice.BufferOffset;
        }
        buffer.AsSpan(source, writer.Position - source).CopyTo(frame.AsSpan(destination));
        var reader = new KafkaReader(frame);
        var decoded = new T();
        decoded.Read(ref reader, version);
        Assert.False(reader.HasError);
        Assert.Equal(0, reader.Remaining);
        return decoded;
    }

    public static byte[] Bytes(BaseRecords? records)
    {
        Assert.NotNull(records);
        var bytes = new byte[records.SizeInBytes];
        records.CopyTo(bytes);
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await Topics.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
