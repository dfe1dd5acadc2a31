using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Storage.Tests;

/// <summary>A LogManager over a temp directory with a manual clock; reopens cleanly or "after a crash".</summary>
internal sealed class LogTestContext : IAsyncDisposable
{
    public static readonly KafkaUuid TopicId = KafkaUuid.NewRandom();

    private readonly bool _ownsDirectory;

    private LogTestContext(TempDirectory directory, bool ownsDirectory, LogConfig config, bool durable)
    {
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        Config = config;
        Durable = durable;
        Manager = OpenManager();
    }

    public TempDirectory Directory { get; }

    public LogConfig Config { get; }

    public bool Durable { get; }

    public ManualTimeProvider Time { get; } = new();

    public List<string> Reports { get; } = [];

    public LogManager Manager { get; private set; }

    public static LogTestContext Open(LogConfig? config = null, bool durable = false) =>
        new(new TempDirectory(), ownsDirectory: true, config ?? LogConfig.Default, durable);

    public PartitionLog CreateLog(string topic = "orders", int partition = 0) =>
        Manager.GetOrCreateLog(new TopicPartition(topic, partition), TopicId, Config);

    public PartitionLog Log(string topic = "orders", int partition = 0) =>
        Manager.GetLog(new TopicPartition(topic, partition)) ?? throw new InvalidOperationException("no such log");

    public string PartitionDirectory(string topic = "orders", int partition = 0) =>
        Path.Combine(Directory.Path, $"{topic}-{partition}");

    /// <summary>Clean shutdown, then open again; <paramref name="beforeOpen"/> may change files in between.</summary>
    public async Task ReopenAsync(Action<string>? beforeOpen = null)
    {
        await Manager.DisposeAsync();
        beforeOpen?.Invoke(Directory.Path);
        Reports.Clear();
        Manager = OpenManager();
    }

    /// <summary>
    /// Stops, then removes the clean shutdown marker (and optionally rewinds the recovery points) as a
    /// crash would leave things, lets <paramref name="damage"/> break files, and opens again.
    /// </summary>
    public async Task ReopenAfterCrashAsync(Action<string>? damage = null, long? recoveryPoint = null)
    {
        await Manager.DisposeAsync();
        File.Delete(Path.Combine(Directory.Path, ".kafka_cleanshutdown"));
        if (recoveryPoint is { } point)
        {
            var checkpoint = Path.Combine(Directory.Path, "recovery-point-offset-checkpoint");
            var lines = File.ReadAllLines(checkpoint);
            for (int i = 2; i < lines.Length; i++)
            {
                var fields = lines[i].Split(' ');
                lines[i] = $"{fields[0]} {fields[1]} {point}";
            }
            File.WriteAllLines(checkpoint, lines);
        }
        damage?.Invoke(Directory.Path);
        Reports.Clear();
        Manager = OpenManager();
    }

    private LogManager OpenManager() =>
        LogManager.Open(
            new LogManagerConfig(Directory.Path) { DefaultLogConfig = Config, DurableHighWatermark = Durable },
            new Dictionary<string, LogConfig>(), Time, line => { lock (Reports) { Reports.Add(line); } });

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        if (_ownsDirectory)
        {
            Directory.Dispose();
        }
    }
}
