using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class DescribeLogDirsHandlerTests
{
    private static readonly DescribeLogDirsHandler Handler = new();

    private static async Task<DescribeLogDirsResponse> HandleAsync(MetadataTestContext context, short version, DescribeLogDirsRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.DescribeLogDirs, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task NullTopicsDescribesEveryPartitionInTheDataDirectory(short version)
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("b", 2);
        context.CreateTopic("a", 1);

        var response = await HandleAsync(context, version, new DescribeLogDirsRequest { Topics = null });

        var result = Assert.Single(response.Results);
        Assert.Equal((short)ErrorCode.None, result.ErrorCode);
        Assert.Equal(Path.GetFullPath(context.Directory), result.LogDir);
        Assert.Equal(["a", "b"], result.Topics.Select(t => t.Name));
        Assert.Equal([0, 1], result.Topics[1].Partitions.Select(p => p.PartitionIndex));
        foreach (var partition in result.Topics.SelectMany(t => t.Partitions))
        {
            Assert.Equal(0, partition.PartitionSize);
            Assert.Equal(0, partition.OffsetLag);
            Assert.False(partition.IsFutureKey);
        }
        if (version >= 4)
        {
            Assert.True(result.TotalBytes > 0);
            Assert.InRange(result.UsableBytes, 0, result.TotalBytes);
        }
        else
        {
            Assert.Equal(-1, result.TotalBytes);
            Assert.Equal(-1, result.UsableBytes);
        }
    }

    [Fact]
    public async Task PartitionSizeIsTheLogsSize()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 1);
        var log = context.Topics.Logs.GetLog(new TopicPartition("a", 0))!;
        using (var builder = new RecordBatchBuilder())
        {
            builder.Append(1, "key"u8.ToArray(), "value"u8.ToArray());
            Assert.Equal(LogAppendError.None, log.Append(builder.Build(), 0).Error);
        }

        var response = await HandleAsync(context, 4, new DescribeLogDirsRequest { Topics = null });

        var partition = Assert.Single(Assert.Single(Assert.Single(response.Results).Topics).Partitions);
        Assert.Equal(log.SizeInBytes, partition.PartitionSize);
        Assert.True(partition.PartitionSize > 0);
    }

    [Fact]
    public async Task OnlyTheListedPartitionsThatExistAreDescribed()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 3);
        context.CreateTopic("b", 1);
        var request = new DescribeLogDirsRequest
        {
            Topics =
            [
                new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = "a", Partitions = [2, 0, 7] },
                new DescribeLogDirsRequest.DescribableLogDirTopic { Topic = "missing", Partitions = [0] },
            ],
        };

        var response = await HandleAsync(context, 2, request);

        var topic = Assert.Single(Assert.Single(response.Results).Topics);
        Assert.Equal("a", topic.Name);
        Assert.Equal([0, 2], topic.Partitions.Select(p => p.PartitionIndex));
    }

    [Fact]
    public async Task AnEmptyTopicListDescribesNoPartitions()
    {
        await using var context = new MetadataTestContext();
        context.CreateTopic("a", 1);

        var response = await HandleAsync(context, 3, new DescribeLogDirsRequest { Topics = [] });

        Assert.Empty(Assert.Single(response.Results).Topics);
    }
}
