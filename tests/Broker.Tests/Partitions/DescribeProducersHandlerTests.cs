using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Broker.Tests.Partitions;

public class DescribeProducersHandlerTests
{
    private static async Task<DescribeProducersResponse.PartitionResponse> DescribeAsync(BrokerTestContext broker, string topic = "orders",
        int partition = 0)
    {
        var request = BrokerTestContext.WriteAndRead(new DescribeProducersRequest
        {
            Topics = [new DescribeProducersRequest.TopicRequest { Name = topic, PartitionIndexes = [partition] }],
        }, 0);
        var response = await new DescribeProducersHandler().HandleAsync(broker.Context(ApiKey.DescribeProducers, 0), request, default);
        var decoded = BrokerTestContext.WriteAndRead(response!, 0);
        var topicResponse = Assert.Single(decoded.Topics);
        Assert.Equal(topic, topicResponse.Name);
        var partitionResponse = Assert.Single(topicResponse.Partitions);
        Assert.Equal(partition, partitionResponse.PartitionIndex);
        return partitionResponse;
    }

    private static byte[] ProducerBatch(long producerId, short epoch, int baseSequence, int count, long timestamp)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        for (int i = 0; i < count; i++)
        {
            builder.Append(timestamp + i, [1], [2]);
        }
        return builder.Build();
    }

    [Fact]
    public async Task Lists_each_idempotent_producer_with_its_epoch_last_sequence_and_timestamp()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        long now = broker.Time.NowMs;
        await broker.ProduceAsync("orders", ProducerBatch(1000, 0, 0, 3, now));
        await broker.ProduceAsync("orders", ProducerBatch(1000, 0, 3, 2, now + 10));
        await broker.ProduceAsync("orders", ProducerBatch(2000, 4, 0, 1, now + 20));
        await broker.ProduceAsync("orders", broker.Batch(2)); // not idempotent: no state

        var partition = await DescribeAsync(broker);

        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Null(partition.ErrorMessage);
        var producers = partition.ActiveProducers.OrderBy(p => p.ProducerId).ToList();
        Assert.Equal(2, producers.Count);
        Assert.Equal(1000, producers[0].ProducerId);
        Assert.Equal(0, producers[0].ProducerEpoch);
        Assert.Equal(4, producers[0].LastSequence);
        Assert.Equal(now + 11, producers[0].LastTimestamp); // the batch's max timestamp
        Assert.Equal(2000, producers[1].ProducerId);
        Assert.Equal(4, producers[1].ProducerEpoch);
        Assert.Equal(0, producers[1].LastSequence);
        Assert.Equal(now + 20, producers[1].LastTimestamp);
        Assert.All(producers, p =>
        {
            Assert.Equal(-1, p.CoordinatorEpoch);
            Assert.Equal(-1, p.CurrentTxnStartOffset);
        });
    }

    [Fact]
    public async Task A_partition_without_idempotent_producers_has_none()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        await broker.ProduceAsync("orders", broker.Batch(2));

        var partition = await DescribeAsync(broker);

        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Empty(partition.ActiveProducers);
    }

    [Theory]
    [InlineData("orders", 1)]
    [InlineData("missing", 0)]
    public async Task Unknown_topic_or_partition(string topic, int partition)
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");

        var response = await DescribeAsync(broker, topic, partition);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, response.ErrorCode);
        Assert.Empty(response.ActiveProducers);
    }
}
