using System.Text;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Protocol.Records.Compression;
using KafkaSharp.Storage.Cleaner;

namespace KafkaSharp.Storage.Tests.Cleaner;

/// <summary>One record as read back from a log.</summary>
internal readonly record struct StoredRecord(long Offset, string? Key, string? Value, long Timestamp);

/// <summary>
/// A LogManager over a temp directory with a manual clock and the background cleaner off (tests
/// run passes with <see cref="LogCleaner.Clean"/>); reopens cleanly or "after a crash".
/// </summary>
internal sealed class CleanerTestContext : IAsyncDisposable
{
    public static readonly KafkaUuid TopicId = KafkaUuid.NewRandom();
    public static readonly TopicPartition Partition = new("compacted", 0);

    /// <summary>Small segments and a dense offset index; compact only.</summary>
    public static readonly LogConfig Compacted = LogConfig.Default with
    {
        SegmentBytes = 1024,
        IndexIntervalBytes = 128,
        CleanupPolicy = CleanupPolicy.Compact,
        RetentionMs = -1,
        FileDeleteDelayMs = 0,
    };

    private readonly Func<LogManagerConfig, LogManagerConfig> _configure;

    private CleanerTestContext(LogConfig config, Func<LogManagerConfig, LogManagerConfig> configure)
    {
        Config = config;
        _configure = configure;
        Manager = OpenManager();
    }

    public TempDirectory Directory { get; } = new();

    public LogConfig Config { get; }

    /// <summary>Starts at the real time: segments left empty by cleaning fall back to their files' modification time.</summary>
    public ManualTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public List<string> Reports { get; } = [];

    public LogManager Manager { get; private set; }

    public PartitionLog Log => Manager.GetLog(Partition) ?? throw new InvalidOperationException("no such log");

    public string PartitionDirectory => Path.Combine(Directory.Path, Partition.ToString());

    public static CleanerTestContext Open(LogConfig? config = null, Func<LogManagerConfig, LogManagerConfig>? configure = null) =>
        new(config ?? Compacted, configure ?? (c => c));

    public PartitionLog CreateLog() => Manager.GetOrCreateLog(Partition, TopicId, Config);

    public CleanerStats Clean() => Manager.Cleaner.Clean(Partition) ?? throw new InvalidOperationException("nothing was cleaned");

    /// <summary>Appends one batch of keyed records; a null value is a tombstone.</summary>
    public LogAppendInfo Append(params (string Key, string? Value)[] records) => Append(CompressionType.None, records);

    public LogAppendInfo Append(CompressionType compression, params (string Key, string? Value)[] records) =>
        Append(KeyedBatches.Create(compression, Time.NowMs, records));

    /// <summary>Appends a batch built by the test; its records are added to <see cref="Appended"/>.</summary>
    public LogAppendInfo Append(byte[] batch)
    {
        var info = Log.Append(batch, leaderEpoch: 0);
        Assert.Equal(LogAppendError.None, info.Error);
        foreach (var record in KeyedBatches.Records(batch))
        {
            Appended.Add(record);
        }
        return info;
    }

    /// <summary>Every record appended through this context, with its offset, in offset order.</summary>
    public List<StoredRecord> Appended { get; } = [];

    /// <summary>
    /// What the log must hold after cleaning up to <paramref name="firstUncleanableOffset"/>: below
    /// it, the latest record of each key (tombstones only when <paramref name="keepTombstones"/>);
    /// from it on, everything.
    /// </summary>
    public List<StoredRecord> ExpectedAfterCleaning(long firstUncleanableOffset, bool keepTombstones = true)
    {
        var latest = new Dictionary<string, long>();
        foreach (var record in Appended)
        {
            if (record.Offset < firstUncleanableOffset)
            {
                latest[record.Key!] = record.Offset;
            }
        }
        return Appended.Where(record => record.Offset >= firstUncleanableOffset ||
            (latest[record.Key!] == record.Offset && (keepTombstones || record.Value is not null))).ToList();
    }

    /// <summary>Appends single-record batches until the log has rolled to a new, empty active segment.</summary>
    public void RollWith(string key, string value)
    {
        int segments = Log.SegmentCount;
        while (Log.SegmentCount == segments)
        {
            Append((key, value));
        }
    }

    public async Task ReopenAsync()
    {
        await Manager.DisposeAsync();
        Reports.Clear();
        Manager = OpenManager();
    }

    /// <summary>Stops, removes the clean shutdown marker as a crash would, lets <paramref name="damage"/> change files, and opens again.</summary>
    public async Task ReopenAfterCrashAsync(Action<string> damage)
    {
        await Manager.DisposeAsync();
        File.Delete(Path.Combine(Directory.Path, ".kafka_cleanshutdown"));
        damage(PartitionDirectory);
        Reports.Clear();
        Manager = OpenManager();
    }

    private LogManager OpenManager() =>
        LogManager.Open(
            _configure(new LogManagerConfig(Directory.Path) { DefaultLogConfig = Config, CleanerEnable = false }),
            new Dictionary<string, LogConfig>(), Time, line => { lock (Reports) { Reports.Add(line); } });

    public async ValueTask DisposeAsync()
    {
        await Manager.DisposeAsync();
        Directory.Dispose();
    }
}

/// <summary>Builds keyed record batches and reads a log back record by record.</summary>
internal static class KeyedBatches
{
    public static byte[] Create(CompressionType compression, long timestamp, params (string Key, string? Value)[] records)
    {
        using var builder = new RecordBatchBuilder(compression);
        foreach (var (key, value) in records)
        {
            builder.Append(timestamp, Encoding.UTF8.GetBytes(key), value is null ? null : Encoding.UTF8.GetBytes(value));
        }
        return builder.Build();
    }

    /// <summary>Every record from the log start offset to the high watermark, reading as a consumer does (fetch, skip, continue).</summary>
    public static List<StoredRecord> ReadAll(PartitionLog log, int maxBytes = 1 << 20)
    {
        var records = new List<StoredRecord>();
        long next = log.LogStartOffset;
        long end = log.HighWatermark;
        while (next < end)
        {
            var result = log.Read(next, maxBytes, end, minOneMessage: true);
            Assert.False(result.OffsetOutOfRange);
            var bytes = TestBatches.ToArray(result.Records);
            Assert.NotEmpty(bytes);
            foreach (var batch in Batches(bytes))
            {
                foreach (var record in Records(batch))
                {
                    if (record.Offset >= next)
                    {
                        records.Add(record);
                    }
                }
                next = Math.Max(next, RecordBatchHeader.LastOffset(batch) + 1);
            }
        }
        return records;
    }

    /// <summary>Every batch from the log start offset, as stored.</summary>
    public static List<byte[]> ReadBatches(PartitionLog log)
    {
        var batches = new List<byte[]>();
        long next = log.LogStartOffset;
        while (next < log.HighWatermark)
        {
            var bytes = TestBatches.ToArray(log.Read(next, 1 << 20, log.HighWatermark, minOneMessage: true).Records);
            Assert.NotEmpty(bytes);
            foreach (var batch in Batches(bytes))
            {
                batches.Add(batch);
                next = RecordBatchHeader.LastOffset(batch) + 1;
            }
        }
        return batches;
    }

    /// <summary>Splits whole batches, asserting each CRC.</summary>
    public static List<byte[]> Batches(ReadOnlySpan<byte> bytes)
    {
        var batches = new List<byte[]>();
        foreach (var (_, _, size) in TestBatches.Parse(bytes))
        {
            batches.Add(bytes[..size].ToArray());
            bytes = bytes[size..];
        }
        return batches;
    }

    public static List<StoredRecord> Records(byte[] batch)
    {
        var records = new List<StoredRecord>();
        long baseOffset = RecordBatchHeader.BaseOffset(batch);
        long baseTimestamp = RecordBatchHeader.BaseTimestamp(batch);
        Assert.Equal(DecompressionStatus.Done, RecordBatchPayload.Open(batch, 1 << 24, out var payload));
        using (payload)
        {
            var enumerator = payload.GetEnumerator();
            while (enumerator.MoveNext())
            {
                var record = enumerator.Current;
                records.Add(new StoredRecord(baseOffset + record.OffsetDelta,
                    record.IsKeyNull ? null : Encoding.UTF8.GetString(record.Key),
                    record.IsValueNull ? null : Encoding.UTF8.GetString(record.Value),
                    baseTimestamp + record.TimestampDelta));
            }
            Assert.False(enumerator.HasError);
            Assert.Equal(0, enumerator.BytesRemaining);
        }
        return records;
    }
}
