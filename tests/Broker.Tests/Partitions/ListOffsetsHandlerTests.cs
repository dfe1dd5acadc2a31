using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Broker.Tests.Partitions;

public class ListOffsetsHandlerTests
{
    private static ListOffsetsRequest Request(string topic, params long[] timestamps) => new()
    {
        ReplicaId = -1,
        Topics =
        [
            new ListOffsetsRequest.ListOffsetsTopic
            {
                Name = topic,
                Partitions = timestamps.Select(t => new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = 0, Timestamp = t }).ToList(),
            },
        ],
    };

    private static async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> ListAsync(BrokerTestContext broker, long timestamp,
        short version = 7, string topic = "orders", int currentLeaderEpoch = -1)
    {
        var request = Request(topic, timestamp);
        request.Topics[0].Partitions[0].CurrentLeaderEpoch = currentLeaderEpoch;
        var response = await broker.ListOffsets.HandleAsync(broker.Context(ApiKey.ListOffsets, version), request, default);
        return Assert.Single(Assert.Single(response!.Topics).Partitions);
    }

    /// <summary>Offsets 0-2 stamped 1000-1002, offsets 3-5 stamped 5000, 900, 5000.</summary>
    private static async Task<BrokerTestContext> BrokerWithRecordsAsync()
    {
        var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        await broker.ProduceAsync("orders", Batch(1000, 1001, 1002));
        await broker.ProduceAsync("orders", Batch(5000, 900, 5000));
        return broker;

        static byte[] Batch(params long[] timestamps)
        {
            using var builder = new RecordBatchBuilder();
            foreach (long timestamp in timestamps)
            {
                builder.Append(timestamp, [1], [2]);
            }
            return builder.Build();
        }
    }

    [Theory]
    [InlineData(-2, 0, -1)] // earliest
    [InlineData(-4, 0, -1)] // earliest local
    [InlineData(-1, 6, -1)] // latest
    [InlineData(-3, 3, 5000)] // max timestamp: the first record with it
    [InlineData(1001, 1, 1001)]
    [InlineData(2000, 3, 5000)] // the first record at or after the target
    [InlineData(0, 0, 1000)]
    public async Task Finds_offsets_by_special_value_or_timestamp(long timestamp, long offset, long foundTimestamp)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var partition = await ListAsync(broker, timestamp);

        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal(offset, partition.Offset);
        Assert.Equal(foundTimestamp, partition.Timestamp);
        Assert.Equal(0, partition.LeaderEpoch);
    }

    [Theory]
    [InlineData(6000)] // later than every record
    [InlineData(-5)] // latest tiered: no tiered storage
    public async Task Nothing_found_is_minus_1_without_error(long timestamp)
    {
        await using var broker = await BrokerWithRecordsAsync();

        var partition = await ListAsync(broker, timestamp);

        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal(-1, partition.Offset);
        Assert.Equal(-1, partition.Timestamp);
        Assert.Equal(-1, partition.LeaderEpoch);
    }

    [Fact]
    public async Task An_empty_log_starts_and_ends_at_0()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");

        Assert.Equal(0, (await ListAsync(broker, -2)).Offset);
        Assert.Equal(0, (await ListAsync(broker, -1)).Offset);
        Assert.Equal(-1, (await ListAsync(broker, -3)).Offset);
    }

    [Fact]
    public async Task Errors_per_partition()
    {
        await using var broker = await BrokerWithRecordsAsync();

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, (await ListAsync(broker, -1, topic: "missing")).ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownLeaderEpoch, (await ListAsync(broker, -1, currentLeaderEpoch: 1)).ErrorCode);
        Assert.Equal((short)ErrorCode.None, (await ListAsync(broker, -1, currentLeaderEpoch: 0)).ErrorCode);
    }

    [Fact]
    public async Task A_partition_listed_twice_is_INVALID_REQUEST()
    {
        await using var broker = await BrokerWithRecordsAsync();

        var response = await broker.ListOffsets.HandleAsync(broker.Context(ApiKey.ListOffsets, 5), Request("orders", -1, -2), default);

        var partitions = Assert.Single(response!.Topics).Partitions;
        Assert.All(partitions, p => Assert.Equal((short)ErrorCode.InvalidRequest, p.ErrorCode));
    }

    [Fact]
    public async Task The_response_round_trips_at_every_served_version()
    {
        await using var broker = await BrokerWithRecordsAsync();
        for (short version = 1; version <= 10; version++)
        {
            var response = await broker.ListOffsets.HandleAsync(broker.Context(ApiKey.ListOffsets, version), Request("orders", 1001), default);

            var partition = Assert.Single(Assert.Single(BrokerTestContext.WriteAndRead(response!, version).Topics).Partitions);
            Assert.Equal(1, partition.Offset);
            Assert.Equal(1001, partition.Timestamp);
            Assert.Equal(version >= 4 ? 0 : -1, partition.LeaderEpoch);
        }
    }
}
