using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Records;
using Xunit.Abstractions;

namespace KafkaSharp.Broker.Tests.Partitions;

/// <summary>Produce requests from idempotent producers, end to end through the handler (the state itself: Storage's ProducerStateManagerTests).</summary>
public class IdempotentProduceTests(ITestOutputHelper output)
{
    private const long ProducerId = 1000;

    private static byte[] ProducerBatch(BrokerTestContext context, int baseSequence, int count = 2, short epoch = 0,
        CompressionType compression = CompressionType.None)
    {
        using var builder = new RecordBatchBuilder(compression)
        {
            ProducerId = ProducerId,
            ProducerEpoch = epoch,
            BaseSequence = baseSequence,
        };
        for (int i = 0; i < count; i++)
        {
            builder.Append(context.Time.NowMs + i, System.Text.Encoding.UTF8.GetBytes($"key-{baseSequence + i}"),
                System.Text.Encoding.UTF8.GetBytes($"value-{baseSequence + i}"));
        }
        return builder.Build();
    }

    [Fact]
    public async Task A_retried_batch_gets_the_original_base_offset_and_is_stored_once()
    {
        await using var context = new BrokerTestContext();
        context.CreateTopic("idempotent");
        var first = ProducerBatch(context, 0);
        var second = ProducerBatch(context, 2);
        Assert.Equal(0, (await context.ProduceAsync("idempotent", first.ToArray())).BaseOffset);
        Assert.Equal(2, (await context.ProduceAsync("idempotent", second.ToArray())).BaseOffset);

        var retry = await context.ProduceAsync("idempotent", first.ToArray());

        Assert.Equal((short)ErrorCode.None, retry.ErrorCode);
        Assert.Equal(0, retry.BaseOffset);
        Assert.Equal(context.Time.NowMs + 1, retry.LogAppendTimeMs); // Kafka reports the original batch's MaxTimestamp
        Assert.Equal(4, context.Log("idempotent").LogEndOffset);
        var fetched = await context.FetchAsync(BrokerTestContext.FetchRequest("idempotent", 0));
        var records = BrokerTestContext.Bytes(Assert.Single(Assert.Single(fetched!.Responses).Partitions).Records);
        Assert.Equal(first.Length + second.Length, records.Length);
    }

    [Fact]
    public async Task A_retried_batch_is_recognised_when_the_topic_recompresses()
    {
        await using var context = new BrokerTestContext();
        context.CreateTopic("recompressed", 1, ("compression.type", "gzip"));
        var batch = ProducerBatch(context, 0, compression: CompressionType.Lz4);
        Assert.Equal(0, (await context.ProduceAsync("recompressed", batch.ToArray())).BaseOffset);

        var retry = await context.ProduceAsync("recompressed", batch.ToArray());

        Assert.Equal(((short)ErrorCode.None, 0L), (retry.ErrorCode, retry.BaseOffset));
        Assert.Equal(2, context.Log("recompressed").LogEndOffset);
    }

    [Fact]
    public async Task A_sequence_gap_is_out_of_order_with_the_log_start_offset_and_no_message()
    {
        await using var context = new BrokerTestContext();
        context.CreateTopic("gap");
        await context.ProduceAsync("gap", ProducerBatch(context, 0));

        var response = await context.ProduceAsync("gap", ProducerBatch(context, 5));

        Assert.Equal((short)ErrorCode.OutOfOrderSequenceNumber, response.ErrorCode);
        Assert.Equal((-1L, -1L, 0L), (response.BaseOffset, response.LogAppendTimeMs, response.LogStartOffset));
        Assert.Null(response.ErrorMessage);
        Assert.Equal(2, context.Log("gap").LogEndOffset);
    }

    [Fact]
    public async Task A_fenced_epoch_is_an_invalid_producer_epoch()
    {
        await using var context = new BrokerTestContext();
        context.CreateTopic("fenced");
        await context.ProduceAsync("fenced", ProducerBatch(context, 0, epoch: 1));

        var response = await context.ProduceAsync("fenced", ProducerBatch(context, 2, epoch: 0));

        Assert.Equal((short)ErrorCode.InvalidProducerEpoch, response.ErrorCode);
        Assert.Equal(0, response.LogStartOffset);
    }

    [Fact]
    public async Task An_acks_0_producer_error_closes_the_connection()
    {
        await using var context = new BrokerTestContext();
        context.CreateTopic("acks0");
        await context.ProduceAsync("acks0", ProducerBatch(context, 0));
        var requestContext = context.Context(ApiKey.Produce, 11);

        var response = await context.Produce.HandleAsync(requestContext,
            BrokerTestContext.ProduceRequest("acks0", 0, ProducerBatch(context, 9), acks: 0), CancellationToken.None);

        Assert.Null(response);
        Assert.True(requestContext.CloseConnection);
    }

    [Fact]
    public async Task Sequence_checks_allocate_nothing_per_record_nor_per_batch_of_a_known_producer()
    {
        await using var context = new BrokerTestContext();
        context.CreateTopic("allocations");
        var requestContext = context.Context(ApiKey.Produce, 9);
        int sequence = 0;

        long plain = Measure(10, idempotent: false);
        long small = Measure(10, idempotent: true);
        long large = Measure(1000, idempotent: true);

        output.WriteLine($"produce: {plain} B (10 records, no producer id), {small} B (10 records, idempotent), {large} B (1000 records, idempotent)");
        Assert.True(small - plain < 64, $"idempotent: {small} bytes, plain: {plain}");
        Assert.True(large - small < 512, $"idempotent: {small} bytes for 10 records, {large} for 1000");

        long Measure(int records, bool idempotent)
        {
            long bytes = long.MaxValue;
            for (int round = 0; round < 20; round++)
            {
                var batch = idempotent ? ProducerBatch(context, sequence, records) : context.Batch(records);
                sequence += idempotent ? records : 0;
                var request = BrokerTestContext.ProduceRequest("allocations", 0, batch, acks: 1);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var pending = context.Produce.HandleAsync(requestContext, request, default);
                long after = GC.GetAllocatedBytesForCurrentThread();
                Assert.True(pending.IsCompletedSuccessfully);
                Assert.Equal((short)ErrorCode.None, pending.Result!.Responses[0].PartitionResponses[0].ErrorCode);
                bytes = Math.Min(bytes, after - before);
            }
            return bytes;
        }
    }
}
