using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Storage.Checkpoints;

namespace KafkaSharp.Storage.Tests;

public class CheckpointFileTests
{
    [Fact]
    public void Offset_checkpoint_round_trips_in_kafkas_text_format()
    {
        using var directory = new TempDirectory();
        var file = new OffsetCheckpointFile(Path.Combine(directory.Path, OffsetCheckpointFile.RecoveryPointFileName));

        file.Write([new(new TopicPartition("orders", 0), 1200), new(new TopicPartition("a-b.c_d", 17), 0)]);

        Assert.Equal("0\n2\norders 0 1200\na-b.c_d 17 0\n", File.ReadAllText(file.Path));
        Assert.Equal(new Dictionary<TopicPartition, long> { [new("orders", 0)] = 1200, [new("a-b.c_d", 17)] = 0 }, file.Read());
        Assert.Equal([OffsetCheckpointFile.RecoveryPointFileName], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("1\n0\n")]
    [InlineData("0\n2\norders 0 5\n")]
    [InlineData("0\n1\norders zero 5\n")]
    [InlineData("0\n1\norders 0 5\nextra 1 1\n")]
    public void Malformed_offset_checkpoints_are_rejected(string content)
    {
        using var directory = new TempDirectory();
        var file = new OffsetCheckpointFile(Path.Combine(directory.Path, "checkpoint"));
        File.WriteAllText(file.Path, content);

        Assert.Throws<InvalidDataException>(() => file.Read());
    }

    [Fact]
    public async Task A_damaged_recovery_point_checkpoint_means_recovering_everything()
    {
        await using var context = LogTestContext.Open();
        context.CreateLog().Append(TestBatches.Create(3), 0);

        await context.ReopenAfterCrashAsync(root => File.WriteAllText(Path.Combine(root, OffsetCheckpointFile.RecoveryPointFileName), "garbage"));

        Assert.Contains(context.Reports, line => line.Contains("recovery-point-offset-checkpoint", StringComparison.Ordinal));
        Assert.Equal(3, context.Log().LogEndOffset);
    }

    [Fact]
    public void Partition_metadata_round_trips()
    {
        using var directory = new TempDirectory();
        var topicId = KafkaUuid.NewRandom();
        Assert.Null(PartitionMetadataFile.Read(directory.Path));

        PartitionMetadataFile.Write(directory.Path, topicId);

        Assert.Equal(topicId, PartitionMetadataFile.Read(directory.Path));
        File.WriteAllText(Path.Combine(directory.Path, PartitionMetadataFile.FileName), "version: 1\ntopic_id: x\n");
        Assert.Throws<InvalidDataException>(() => PartitionMetadataFile.Read(directory.Path));
    }
}
