using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Tests.Network;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Primitives;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests.Metadata;

/// <summary>
/// A TopicRegistry over a temp data directory and the BrokerServices a handler sees, for calling the
/// metadata and admin handlers directly with generated request objects.
/// </summary>
internal sealed class MetadataTestContext : IAsyncDisposable
{
    private readonly Dictionary<string, string> _settings;

    public MetadataTestContext(params (string Name, string Value)[] settings)
    {
        Directory = Path.Combine(Path.GetTempPath(), "ks-metadata-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        _settings = new Dictionary<string, string> { ["log.dirs"] = Directory };
        foreach (var (name, value) in settings)
        {
            _settings[name] = value;
        }
        Config = new BrokerConfig(_settings);
        Topics = TopicRegistry.Open(Config, NullLoggerFactory.Instance);
        Services = NewServices();
    }

    public string Directory { get; }

    public BrokerConfig Config { get; }

    public TopicRegistry Topics { get; private set; }

    public BrokerServices Services { get; private set; }

    public RequestContext Context(ApiKey apiKey, short version) =>
        new(TestConnections.Info(), Services) { ApiKey = apiKey, ApiVersion = version, ClientId = "test-client" };

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

    /// <summary>Closes the registry (a clean shutdown) and opens a new one on the same directory.</summary>
    public async Task ReopenAsync()
    {
        await Topics.DisposeAsync();
        Topics = TopicRegistry.Open(Config, NullLoggerFactory.Instance);
        Services = NewServices();
    }

    /// <summary>Writes <paramref name="message"/> at <paramref name="version"/> and reads it back, as the client would see it.</summary>
    public static T RoundTrip<T>(T message, short version) where T : IKafkaMessage, new()
    {
        var buffer = new byte[message.Size(version)];
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        Assert.Equal(buffer.Length, writer.Position);
        var reader = new KafkaReader(buffer);
        var decoded = new T();
        decoded.Read(ref reader, version);
        Assert.False(reader.HasError);
        Assert.Equal(0, reader.Remaining);
        return decoded;
    }

    public async ValueTask DisposeAsync()
    {
        await Topics.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private BrokerServices NewServices() => new()
    {
        Config = Config,
        ClusterId = "test-cluster",
        LoggerFactory = NullLoggerFactory.Instance,
        ApiVersions = new ApiVersionsRegistry([]),
        Topics = Topics,
    };
}
