using KafkaSharp.Broker.Partitions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Partitions;

public class ReplicaManagerTests
{
    [Theory]
    [InlineData(-1, ErrorCode.None)]
    [InlineData(-7, ErrorCode.None)]
    [InlineData(0, ErrorCode.None)]
    [InlineData(1, ErrorCode.UnknownLeaderEpoch)]
    public void The_leader_epoch_is_0_and_a_negative_one_means_not_given(int epoch, ErrorCode expected) =>
        Assert.Equal(expected, ReplicaManager.CheckLeaderEpoch(epoch));

    [Fact]
    public async Task An_append_validates_then_assigns_offsets_in_place()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var log = broker.Log("orders");
        var batch = broker.Batch(4);

        var result = broker.Replicas.AppendRecords(log, batch, requiredAcks: 1, internalTopicsAllowed: false, isInternal: false);

        Assert.True(result.IsSuccess);
        Assert.Equal(0, result.Info.FirstOffset);
        Assert.Equal(3, result.Info.LastOffset);
        Assert.Equal(4, log.HighWatermark);
        Assert.True(RecordBatchHeader.IsCrcValid(batch));
    }

    [Fact]
    public async Task Compressed_batches_are_validated_and_stored_as_sent()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var log = broker.Log("orders");
        var gzip = broker.Batch(5, compression: CompressionType.Gzip);

        var result = broker.Replicas.AppendRecords(log, gzip, 1, false, false);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        Assert.Equal(5, log.LogEndOffset);
        var read = log.Read(0, 1024 * 1024, log.HighWatermark, minOneMessage: true);
        Assert.Equal(gzip, BrokerTestContext.Bytes(read.Records));
    }

    [Fact]
    public async Task Control_batches_from_clients_are_refused()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        using var builder = new RecordBatchBuilder { IsControl = true, ProducerId = 1, ProducerEpoch = 0 };
        builder.Append(broker.Time.NowMs, [0, 0, 0, 0], [0, 0, 0, 0, 0, 0]);

        var result = broker.Replicas.AppendRecords(broker.Log("orders"), builder.Build(), 1, false, false);

        Assert.Equal(ErrorCode.InvalidRecord, result.Error);
        Assert.Contains("control records", result.ErrorMessage);
    }

    [Fact]
    public async Task Read_shares_max_bytes_across_partitions_in_order()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", partitions: 3);
        int size = broker.Batch().Length;
        for (int partition = 0; partition < 3; partition++)
        {
            await broker.ProduceAsync("orders", broker.Batch(), partition);
        }
        var partitions = Enumerable.Range(0, 3)
            .Select(p => new FetchPartition { Log = broker.Log("orders", p), FetchOffset = 0, MaxBytes = 1024 * 1024 })
            .ToArray();

        int read = ReplicaManager.ReadFromLog(partitions, maxBytes: 2 * size);

        Assert.Equal(2 * size, read);
        Assert.Equal([size, size, 0], partitions.Select(p => p.Read.Records.SizeInBytes));
        Assert.All(partitions, p => Assert.Equal(ErrorCode.None, p.Error));
    }

    [Theory]
    [InlineData("gzip", CompressionType.None, CompressionType.Gzip)]
    [InlineData("uncompressed", CompressionType.Lz4, CompressionType.None)]
    [InlineData("zstd", CompressionType.Snappy, CompressionType.Zstd)]
    [InlineData("producer", CompressionType.Snappy, CompressionType.Snappy)]
    public async Task Batches_are_stored_in_the_topics_compression_type(string compressionType, CompressionType sent, CompressionType stored)
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", 1, ("compression.type", compressionType));
        var log = broker.Log("orders");
        var batch = broker.Batch(10, compression: sent);
        var expected = RecordsOf(batch);

        var result = broker.Replicas.AppendRecords(log, batch, 1, false, false);

        Assert.True(result.IsSuccess, result.ErrorMessage);
        var storedBatch = BrokerTestContext.Bytes(log.Read(0, 1024 * 1024, log.HighWatermark, minOneMessage: true).Records);
        Assert.Equal(stored, RecordBatchHeader.Compression(storedBatch));
        Assert.True(RecordBatchHeader.IsCrcValid(storedBatch));
        Assert.Equal(9, RecordBatchHeader.LastOffsetDelta(storedBatch));
        Assert.Equal(RecordBatchHeader.MaxTimestamp(batch), RecordBatchHeader.MaxTimestamp(storedBatch));
        Assert.Equal(expected, RecordsOf(storedBatch));
    }

    [Fact]
    public async Task Acks_all_in_durable_mode_waits_for_the_fsync()
    {
        var directory = Directory.CreateTempSubdirectory("ks-durable-").FullName;
        try
        {
            var time = new ManualTimeProvider();
            await using var logs = LogManager.Open(new LogManagerConfig(directory) { DurableHighWatermark = true },
                new Dictionary<string, LogConfig>(), time);
            var purgatory = new FetchPurgatory(time);
            var replicas = new ReplicaManager(logs, purgatory, time);
            var log = logs.GetOrCreateLog(new TopicPartition("orders", 0), KafkaUuid.NewRandom(), LogConfig.Default);
            using var builder = new RecordBatchBuilder();
            builder.Append(time.NowMs, [1], [2]);

            var result = replicas.AppendRecords(log, builder.Build(), requiredAcks: -1, false, false);
            var acks = await replicas.WaitForAcksAsync(log, result.Info.LastOffset, TimeSpan.FromSeconds(30), default);

            Assert.True(result.IsSuccess);
            Assert.Equal(ErrorCode.None, acks);
            Assert.Equal(1, log.HighWatermark);
            Assert.Equal(1, log.RecoveryPoint);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<string> RecordsOf(byte[] batch)
    {
        var values = new List<string>();
        RecordBatchPayload.Open(batch, int.MaxValue, out var payload);
        foreach (var record in payload)
        {
            values.Add($"{record.OffsetDelta}/{record.TimestampDelta}/{Convert.ToHexString(record.Key)}/{Convert.ToHexString(record.Value)}");
        }
        payload.Dispose();
        return values;
    }
}
