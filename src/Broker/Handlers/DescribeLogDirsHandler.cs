using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// DescribeLogDirs, v1-4 (Kafka 4's range): the one data directory (<c>log.dirs</c>, as an absolute
/// path) with the size of each partition's log, offset lag 0 (there are no future replicas, so
/// IsFutureKey is false) and, from v4, the file system's total and usable bytes.
/// </summary>
/// <remarks>
/// Topics null means every partition; otherwise the listed partitions that have a log here (others
/// are left out, and so is a topic left with none), as Kafka does. A file system that cannot be
/// read answers KAFKA_STORAGE_ERROR for the directory.
/// </remarks>
public sealed class DescribeLogDirsHandler : ApiHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeLogDirs;

    public override ApiVersionRange Versions => new(1, 4);

    public override ValueTask<DescribeLogDirsResponse?> HandleAsync(RequestContext context, DescribeLogDirsRequest request,
        CancellationToken cancellationToken)
    {
        var services = context.Services;
        var logDir = Path.GetFullPath(services.Config.LogDirs[0]);
        var result = new DescribeLogDirsResponse.DescribeLogDirsResult { LogDir = logDir };
        try
        {
            var drive = new DriveInfo(logDir);
            result.TotalBytes = drive.TotalSize;
            result.UsableBytes = drive.AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            result.ErrorCode = (short)ErrorCode.KafkaStorageError;
            return Respond(result);
        }
        HashSet<TopicPartition>? wanted = null;
        if (request.Topics is { } topics)
        {
            wanted = [];
            foreach (var topic in topics)
            {
                foreach (var partition in topic.Partitions)
                {
                    wanted.Add(new TopicPartition(topic.Topic, partition));
                }
            }
        }
        var logs = services.Topics.Logs;
        foreach (var topic in services.Topics.Topics)
        {
            DescribeLogDirsResponse.DescribeLogDirsTopic? described = null;
            for (var partition = 0; partition < topic.PartitionCount; partition++)
            {
                var topicPartition = new TopicPartition(topic.Name, partition);
                if ((wanted is not null && !wanted.Contains(topicPartition)) || logs.GetLog(topicPartition) is not { } log)
                {
                    continue;
                }
                described ??= new DescribeLogDirsResponse.DescribeLogDirsTopic { Name = topic.Name };
                described.Partitions.Add(new DescribeLogDirsResponse.DescribeLogDirsPartition
                {
                    PartitionIndex = partition,
                    PartitionSize = log.SizeInBytes,
                    OffsetLag = 0,
                    IsFutureKey = false,
                });
            }
            if (described is not null)
            {
                result.Topics.Add(described);
            }
        }
        return Respond(result);
    }

    private static ValueTask<DescribeLogDirsResponse?> Respond(DescribeLogDirsResponse.DescribeLogDirsResult result) =>
        ValueTask.FromResult<DescribeLogDirsResponse?>(new DescribeLogDirsResponse { Results = [result] });
}
