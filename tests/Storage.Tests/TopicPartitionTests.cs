namespace KafkaSharp.Storage.Tests;

public class TopicPartitionTests
{
    [Theory]
    [InlineData("orders-0", "orders", 0)]
    [InlineData("my-topic-with-dashes-12", "my-topic-with-dashes", 12)]
    [InlineData("__consumer_offsets-49", "__consumer_offsets", 49)]
    public void Partition_directory_names_parse_at_the_last_dash(string name, string topic, int partition)
    {
        Assert.True(TopicPartition.TryParseDirectoryName(name, out var parsed));
        Assert.Equal(new TopicPartition(topic, partition), parsed);
        Assert.Equal(name, parsed.ToString());
    }

    [Theory]
    [InlineData("orders")]
    [InlineData("orders-")]
    [InlineData("-3")]
    [InlineData("orders-0.3f2a9b-delete")]
    [InlineData("orders-+1")]
    [InlineData("orders-99999999999")]
    public void Other_directory_names_do_not_parse(string name)
    {
        Assert.False(TopicPartition.TryParseDirectoryName(name, out _));
    }
}
