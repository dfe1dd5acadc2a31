using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Storage.Tests;

public class TopicMetadataStoreTests
{
    [Fact]
    public void Topics_round_trip_through_the_file()
    {
        using var directory = new TempDirectory();
        var store = new TopicMetadataStore(directory.Path);
        var topics = new[]
        {
            new TopicMetadata("orders", KafkaUuid.NewRandom(), 3, new Dictionary<string, string> { ["retention.ms"] = "3600000", ["cleanup.policy"] = "compact,delete" }),
            new TopicMetadata("__consumer_offsets", KafkaUuid.NewRandom(), 50, new Dictionary<string, string>()),
        };

        store.Save(topics);
        var loaded = new TopicMetadataStore(directory.Path).Load();

        Assert.Equal(2, loaded.Count);
        for (int i = 0; i < topics.Length; i++)
        {
            Assert.Equal((topics[i].Name, topics[i].TopicId, topics[i].PartitionCount), (loaded[i].Name, loaded[i].TopicId, loaded[i].PartitionCount));
            Assert.Equal(topics[i].Configs.OrderBy(c => c.Key), loaded[i].Configs.OrderBy(c => c.Key));
        }
        Assert.Equal(["__kafkasharp_topics.json"], Directory.GetFiles(directory.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Saving_replaces_the_previous_list()
    {
        using var directory = new TempDirectory();
        var store = new TopicMetadataStore(directory.Path);
        store.Save([new TopicMetadata("a", KafkaUuid.NewRandom(), 1, new Dictionary<string, string>())]);

        store.Save([]);

        Assert.Empty(store.Load());
    }

    [Fact]
    public void A_missing_file_is_an_empty_list_and_a_damaged_one_an_error()
    {
        using var directory = new TempDirectory();
        var store = new TopicMetadataStore(directory.Path);
        Assert.Empty(store.Load());

        File.WriteAllText(store.Path, "{\"version\":1,\"topics\":[{\"name\":\"a\"");
        Assert.Throws<InvalidDataException>(() => store.Load());
        File.WriteAllText(store.Path, "{\"version\":1,\"topics\":[{\"name\":\"a\",\"topicId\":\"nope\",\"partitions\":1,\"configs\":{}}]}");
        Assert.Throws<InvalidDataException>(() => store.Load());
    }
}
