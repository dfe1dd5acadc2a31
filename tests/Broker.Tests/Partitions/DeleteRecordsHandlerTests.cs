using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests.Partitions;

public class DeleteRecordsHandlerTests
{
    private static async Task<DeleteRecordsResponse.DeleteRecordsPartitionResult> DeleteAsync(BrokerTestContext broker, long offset,
        string topic = "orders", int partition = 0, short version = 2)
    {
        var request = new DeleteRecordsRequest
        {
            TimeoutMs = 30_000,
            Topics =
            [
                new DeleteRecordsRequest.DeleteRecordsTopic
                {
                    Name = topic,
                    Partitions = [new DeleteRecordsRequest.DeleteRecordsPartition { PartitionIndex = partition, Offset = offset }],
                },
            ],
        };
        request = BrokerTestContext.WriteAndRead(request, version);
        var response = await new DeleteRecordsHandler().HandleAsync(broker.Context(ApiKey.DeleteRecords, version), request, default);
        var decoded = BrokerTestContext.WriteAndRead(response!, version);
        var topicResult = Assert.Single(decoded.Topics);
        Assert.Equal(topic, topicResult.Name);
        var result = Assert.Single(topicResult.Partitions);
        Assert.Equal(partition, result.PartitionIndex);
        return result;
    }

    /// <summary>Offsets 0-5 in three batches.</summary>
    private static async Task<BrokerTestContext> BrokerWithRecordsAsync()
    {
        var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal((short)ErrorCode.None, (await broker.ProduceAsync("orders", broker.Batch(2))).ErrorCode);
        }
        return broker;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Moves_the_log_start_offset_and_answers_the_low_watermark(short version)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await DeleteAsync(broker, 3, version: version);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(3, result.LowWatermark);
        Assert.Equal(3, broker.Log("orders").LogStartOffset);
        var fetched = await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 2));
        Assert.Equal((short)ErrorCode.OffsetOutOfRange, Assert.Single(Assert.Single(fetched!.Responses).Partitions).ErrorCode);
    }

    [Fact]
    public async Task Segments_wholly_below_the_new_start_are_deleted()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", 1, ("segment.bytes", "1048576"));
        for (int i = 0; i < 3; i++)
        {
            // Two of these do not fit one segment: each starts its own.
            Assert.Equal((short)ErrorCode.None, (await broker.ProduceAsync("orders", broker.Batch(1, valueSize: 700_000))).ErrorCode);
        }
        var log = broker.Log("orders");
        Assert.Equal(3, log.SegmentCount);

        var result = await DeleteAsync(broker, 2);

        Assert.Equal(2, result.LowWatermark);
        Assert.Equal(1, log.SegmentCount);
    }

    [Fact]
    public async Task Minus_1_means_the_high_watermark()
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await DeleteAsync(broker, -1);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(6, result.LowWatermark);
        Assert.Equal(6, broker.Log("orders").LogStartOffset);
    }

    [Fact]
    public async Task An_offset_at_or_below_the_log_start_changes_nothing()
    {
        await using var broker = await BrokerWithRecordsAsync();
        await DeleteAsync(broker, 4);

        var result = await DeleteAsync(broker, 2);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(4, result.LowWatermark);
    }

    [Theory]
    [InlineData(7)] // beyond the high watermark
    [InlineData(-2)]
    public async Task Offsets_outside_the_log_are_out_of_range(long offset)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await DeleteAsync(broker, offset);

        Assert.Equal((short)ErrorCode.OffsetOutOfRange, result.ErrorCode);
        Assert.Equal(-1, result.LowWatermark);
        Assert.Equal(0, broker.Log("orders").LogStartOffset);
    }

    [Theory]
    [InlineData("compact", ErrorCode.PolicyViolation)]
    [InlineData("compact,delete", ErrorCode.None)]
    public async Task Compacted_topics_refuse_unless_they_also_delete(string cleanupPolicy, ErrorCode expected)
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", 1, ("cleanup.policy", cleanupPolicy));
        await broker.ProduceAsync("orders", broker.Batch(2));

        var result = await DeleteAsync(broker, 1);

        Assert.Equal((short)expected, result.ErrorCode);
        Assert.Equal(expected == ErrorCode.None ? 1 : -1, result.LowWatermark);
    }

    [Theory]
    [InlineData("orders", 1)]
    [InlineData("missing", 0)]
    public async Task Unknown_topic_or_partition(string topic, int partition)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await DeleteAsync(broker, 1, topic, partition);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, result.ErrorCode);
        Assert.Equal(-1, result.LowWatermark);
    }
}
