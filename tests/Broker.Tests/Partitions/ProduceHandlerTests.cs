using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Broker.Tests.Partitions;

public class ProduceHandlerTests
{
    [Fact]
    public void Serves_v3_to_13_and_advertises_v0_like_Kafka_4()
    {
        var handler = new ProduceHandler();
        Assert.Equal(new ApiVersionRange(3, 13), handler.Versions);
        Assert.Equal(new ApiVersionRange(0, 13), handler.AdvertisedVersions);
    }

    [Fact]
    public async Task Appends_assign_offsets_in_place_and_fetch_returns_the_same_batches()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var first = broker.Batch(3);
        var second = broker.Batch(2);

        var firstResponse = await broker.ProduceAsync("orders", first);
        var secondResponse = await broker.ProduceAsync("orders", second);

        Assert.Equal((short)ErrorCode.None, firstResponse.ErrorCode);
        Assert.Equal(0, firstResponse.BaseOffset);
        Assert.Equal(3, secondResponse.BaseOffset);
        Assert.Equal(-1, secondResponse.LogAppendTimeMs);
        Assert.Equal(0, secondResponse.LogStartOffset);
        // The request's own bytes now carry the assigned base offset and leader epoch.
        Assert.Equal(3, RecordBatchHeader.BaseOffset(second));
        Assert.Equal(0, RecordBatchHeader.PartitionLeaderEpoch(second));

        var fetched = await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0));
        var partition = Assert.Single(Assert.Single(fetched!.Responses).Partitions);
        Assert.Equal([.. first, .. second], BrokerTestContext.Bytes(partition.Records));
        Assert.Equal(5, partition.HighWatermark);
    }

    [Fact]
    public async Task Unknown_topics_and_partitions_are_not_created()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", partitions: 2);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await broker.ProduceAsync("missing", broker.Batch())).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await broker.ProduceAsync("orders", broker.Batch(), partition: 2)).ErrorCode);
        Assert.False(broker.Topics.TryGetTopic("missing", out _));
    }

    [Fact]
    public async Task Version_13_addresses_topics_by_id()
    {
        await using var broker = new BrokerTestContext();
        var topic = broker.CreateTopic("orders");
        var context = broker.Context(ApiKey.Produce, 13);

        var known = await broker.Produce.HandleAsync(context, BrokerTestContext.ProduceRequest("", 0, broker.Batch(), topicId: topic.TopicId), default);
        var unknown = await broker.Produce.HandleAsync(context, BrokerTestContext.ProduceRequest("", 0, broker.Batch(), topicId: KafkaUuid.NewRandom()), default);

        var knownTopic = Assert.Single(known!.Responses);
        Assert.Equal(topic.TopicId, knownTopic.TopicId);
        Assert.Equal((short)ErrorCode.None, Assert.Single(knownTopic.PartitionResponses).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicId, Assert.Single(Assert.Single(unknown!.Responses).PartitionResponses).ErrorCode);
    }

    [Fact]
    public async Task Acks_other_than_0_1_and_minus_1_are_refused_without_appending()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");

        var response = await broker.ProduceAsync("orders", broker.Batch(), acks: 2);

        Assert.Equal((short)ErrorCode.InvalidRequiredAcks, response.ErrorCode);
        Assert.Equal(-1, response.BaseOffset);
        Assert.Equal(0, broker.Log("orders").LogEndOffset);
    }

    [Fact]
    public async Task Acks_0_answers_nothing_and_closes_the_connection_after_an_error()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var context = broker.Context(ApiKey.Produce, 9);

        var ok = await broker.Produce.HandleAsync(context, BrokerTestContext.ProduceRequest("orders", 0, broker.Batch(), acks: 0), default);
        Assert.Null(ok);
        Assert.False(context.CloseConnection);
        Assert.Equal(3, broker.Log("orders").LogEndOffset);

        var failed = await broker.Produce.HandleAsync(context, BrokerTestContext.ProduceRequest("missing", 0, broker.Batch(), acks: 0), default);
        Assert.Null(failed);
        Assert.True(context.CloseConnection);
    }

    [Fact]
    public async Task A_corrupt_crc_is_CORRUPT_MESSAGE()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var batch = broker.Batch();
        batch[^1] ^= 0xFF;

        var response = await broker.ProduceAsync("orders", batch);

        Assert.Equal((short)ErrorCode.CorruptMessage, response.ErrorCode);
        Assert.NotNull(response.ErrorMessage);
        Assert.Equal(0, broker.Log("orders").LogEndOffset);
    }

    [Fact]
    public async Task Old_message_formats_two_batches_no_batch_and_a_non_zero_base_offset_are_INVALID_RECORD()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var magic1 = broker.Batch();
        magic1[RecordBatchHeader.MagicOffset] = 1;
        var based = broker.Batch();
        RecordBatchHeader.SetBaseOffset(based, 7);

        Assert.Equal((short)ErrorCode.InvalidRecord, (await broker.ProduceAsync("orders", magic1)).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRecord, (await broker.ProduceAsync("orders", [.. broker.Batch(), .. broker.Batch()])).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRecord, (await broker.ProduceAsync("orders", [])).ErrorCode);
        Assert.Equal((short)ErrorCode.InvalidRecord, (await broker.ProduceAsync("orders", based)).ErrorCode);
        Assert.Equal(0, broker.Log("orders").LogEndOffset);
    }

    [Fact]
    public async Task Zstd_before_v7_is_UNSUPPORTED_COMPRESSION_TYPE()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");

        Assert.Equal((short)ErrorCode.UnsupportedCompressionType,
            (await broker.ProduceAsync("orders", broker.Batch(compression: CompressionType.Zstd), version: 6)).ErrorCode);
        Assert.Equal((short)ErrorCode.None,
            (await broker.ProduceAsync("orders", broker.Batch(compression: CompressionType.Zstd), version: 7)).ErrorCode);
    }

    [Fact]
    public async Task A_batch_above_max_message_bytes_is_MESSAGE_TOO_LARGE()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", 1, ("max.message.bytes", "200"));

        var response = await broker.ProduceAsync("orders", broker.Batch(count: 1, valueSize: 300));

        Assert.Equal((short)ErrorCode.MessageTooLarge, response.ErrorCode);
        Assert.Contains("exceeds the maximum configured value of 200", response.ErrorMessage);
    }

    [Fact]
    public async Task Timestamps_beyond_message_timestamp_after_max_ms_are_INVALID_TIMESTAMP_per_record()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        long future = broker.Time.NowMs + 2 * 3_600_000L;

        var response = await broker.ProduceAsync("orders", broker.Batch(count: 2, timestamp: future));

        Assert.Equal((short)ErrorCode.InvalidTimestamp, response.ErrorCode);
        Assert.Equal([0, 1], response.RecordErrors.Select(e => e.BatchIndex));
        Assert.Contains("is out of range", response.RecordErrors[0].BatchIndexErrorMessage);
        Assert.Equal((short)ErrorCode.None, (await broker.ProduceAsync("orders", broker.Batch(timestamp: broker.Time.NowMs - 86_400_000L))).ErrorCode);
    }

    [Fact]
    public async Task Compacted_topics_refuse_records_without_keys()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("compacted", 1, ("cleanup.policy", "compact"));

        var response = await broker.ProduceAsync("compacted", broker.Batch(count: 2, nullKeys: true));

        Assert.Equal((short)ErrorCode.InvalidRecord, response.ErrorCode);
        Assert.Equal(2, response.RecordErrors.Count);
        Assert.Contains("Compacted topic cannot accept message without key", response.ErrorMessage);
        Assert.Equal((short)ErrorCode.None, (await broker.ProduceAsync("compacted", broker.Batch(count: 2))).ErrorCode);
    }

    [Fact]
    public async Task Log_append_time_topics_report_the_append_time()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("stamped", 1, ("message.timestamp.type", "LogAppendTime"));

        var response = await broker.ProduceAsync("stamped", broker.Batch(timestamp: 5));

        Assert.Equal(broker.Time.NowMs, response.LogAppendTimeMs);
    }

    [Fact]
    public async Task Idempotent_batches_are_appended_and_transactional_ones_refused()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var idempotent = Build(b => { b.ProducerId = 42; b.ProducerEpoch = 0; b.BaseSequence = 0; });
        var transactional = Build(b => { b.ProducerId = 43; b.ProducerEpoch = 0; b.BaseSequence = 0; b.IsTransactional = true; });

        Assert.Equal((short)ErrorCode.None, (await broker.ProduceAsync("orders", idempotent)).ErrorCode);
        Assert.Equal((short)ErrorCode.TransactionalIdAuthorizationFailed, (await broker.ProduceAsync("orders", transactional)).ErrorCode);
        var request = BrokerTestContext.ProduceRequest("orders", 0, transactional);
        request.TransactionalId = "tx";
        var withId = await broker.Produce.HandleAsync(broker.Context(ApiKey.Produce, 11), request, default);
        Assert.Equal((short)ErrorCode.InvalidProducerIdMapping, Assert.Single(Assert.Single(withId!.Responses).PartitionResponses).ErrorCode);
        Assert.Equal(3, broker.Log("orders").LogEndOffset);

        static byte[] Build(Action<RecordBatchBuilder> configure)
        {
            using var builder = new RecordBatchBuilder();
            configure(builder);
            for (int i = 0; i < 3; i++)
            {
                builder.Append(1_700_000_000_000, [1], [2]);
            }
            return builder.Build();
        }
    }

    [Fact]
    public async Task Acks_all_needs_min_insync_replicas_of_1()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("safe", 1, ("min.insync.replicas", "2"));

        Assert.Equal((short)ErrorCode.NotEnoughReplicas, (await broker.ProduceAsync("safe", broker.Batch(), acks: -1)).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await broker.ProduceAsync("safe", broker.Batch(), acks: 1)).ErrorCode);
    }

    [Fact]
    public async Task Internal_topics_are_written_only_by_the_admin_client()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("__consumer_offsets");
        var request = BrokerTestContext.ProduceRequest("__consumer_offsets", 0, broker.Batch());

        var client = await broker.Produce.HandleAsync(broker.Context(ApiKey.Produce, 11), request, default);
        Assert.Equal((short)ErrorCode.InvalidTopicException, Assert.Single(Assert.Single(client!.Responses).PartitionResponses).ErrorCode);

        request = BrokerTestContext.ProduceRequest("__consumer_offsets", 0, broker.Batch());
        var admin = await broker.Produce.HandleAsync(broker.Context(ApiKey.Produce, 11, "__admin_client"), request, default);
        Assert.Equal((short)ErrorCode.None, Assert.Single(Assert.Single(admin!.Responses).PartitionResponses).ErrorCode);
    }

    [Fact]
    public async Task The_response_round_trips_at_every_served_version()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        for (short version = 3; version <= 13; version++)
        {
            var topicId = broker.Topics.TryGetTopic("orders", out var topic) ? topic.TopicId : default;
            var response = await broker.Produce.HandleAsync(broker.Context(ApiKey.Produce, version),
                BrokerTestContext.ProduceRequest("orders", 0, broker.Batch(), topicId: topicId), default);
            var bytes = new byte[response!.Size(version)];
            var writer = new KafkaWriter(bytes);
            response.Write(ref writer, version);
            Assert.Equal(bytes.Length, writer.Position);
            var reader = new KafkaReader(bytes);
            var decoded = new ProduceResponse();
            decoded.Read(ref reader, version);
            Assert.False(reader.HasError);
            Assert.Equal(3L * (version - 3), Assert.Single(Assert.Single(decoded.Responses).PartitionResponses).BaseOffset);
        }
    }
}
