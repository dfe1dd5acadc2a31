using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests.Partitions;

public class OffsetForLeaderEpochHandlerTests
{
    private static async Task<OffsetForLeaderEpochResponse.EpochEndOffset> EndOffsetAsync(BrokerTestContext broker, int leaderEpoch,
        int currentLeaderEpoch = -1, string topic = "orders", int partition = 0, short version = 4, int replicaId = -1)
    {
        var request = new OffsetForLeaderEpochRequest
        {
            ReplicaId = replicaId,
            Topics =
            [
                new OffsetForLeaderEpochRequest.OffsetForLeaderTopic
                {
                    Topic = topic,
                    Partitions =
                    [
                        new OffsetForLeaderEpochRequest.OffsetForLeaderPartition
                        {
                            Partition = partition,
                            CurrentLeaderEpoch = currentLeaderEpoch,
                            LeaderEpoch = leaderEpoch,
                        },
                    ],
                },
            ],
        };
        request = BrokerTestContext.WriteAndRead(request, version);
        var response = await new OffsetForLeaderEpochHandler().HandleAsync(broker.Context(ApiKey.OffsetForLeaderEpoch, version), request, default);
        var decoded = BrokerTestContext.WriteAndRead(response!, version);
        var topicResult = Assert.Single(decoded.Topics);
        Assert.Equal(topic, topicResult.Topic);
        var result = Assert.Single(topicResult.Partitions);
        Assert.Equal(partition, result.Partition);
        return result;
    }

    private static async Task<BrokerTestContext> BrokerWithRecordsAsync()
    {
        var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        await broker.ProduceAsync("orders", broker.Batch(3));
        await broker.ProduceAsync("orders", broker.Batch(2));
        return broker;
    }

    [Theory]
    [InlineData(-1, 4)]
    [InlineData(0, 4)]
    [InlineData(-1, 3)]
    [InlineData(0, 2)] // Kafka 4's lowest
    [InlineData(-1, 1)]
    [InlineData(0, 3, 5)] // a follower
    public async Task The_current_epoch_ends_at_the_log_end_offset(int currentLeaderEpoch, short version, int replicaId = -1)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await EndOffsetAsync(broker, 0, currentLeaderEpoch, version: version, replicaId: replicaId);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(0, result.LeaderEpoch);
        Assert.Equal(5, result.EndOffset);
    }

    [Fact]
    public async Task An_empty_partition_ends_at_0()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");

        var result = await EndOffsetAsync(broker, 0);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(0, result.LeaderEpoch);
        Assert.Equal(0, result.EndOffset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(-1)] // undefined
    public async Task An_epoch_this_partition_never_had_is_undefined_without_error(int leaderEpoch)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await EndOffsetAsync(broker, leaderEpoch);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(-1, result.LeaderEpoch);
        Assert.Equal(-1, result.EndOffset);
    }

    [Fact]
    public async Task An_epoch_older_than_the_first_ends_where_the_first_starts()
    {
        await using var broker = await BrokerWithRecordsAsync();
        Assert.True(broker.Log("orders").TryAdvanceLogStartOffset(2, out _));

        var result = await EndOffsetAsync(broker, -3);

        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(-3, result.LeaderEpoch);
        Assert.Equal(2, result.EndOffset);
    }

    [Theory]
    [InlineData(1, ErrorCode.UnknownLeaderEpoch)]
    [InlineData(-2, ErrorCode.None)] // negative: not given
    public async Task The_current_leader_epoch_is_checked(int currentLeaderEpoch, ErrorCode expected)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await EndOffsetAsync(broker, 0, currentLeaderEpoch);

        Assert.Equal((short)expected, result.ErrorCode);
        if (expected != ErrorCode.None)
        {
            Assert.Equal(-1, result.LeaderEpoch);
            Assert.Equal(-1, result.EndOffset);
        }
    }

    [Theory]
    [InlineData("orders", 1)]
    [InlineData("missing", 0)]
    public async Task Unknown_topic_or_partition(string topic, int partition)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var result = await EndOffsetAsync(broker, 0, topic: topic, partition: partition);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, result.ErrorCode);
        Assert.Equal(-1, result.EndOffset);
    }
}
