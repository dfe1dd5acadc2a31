using System.Text.Json;

namespace KafkaSharp.CompatTests;

/// <summary>kcat (Debian's kcat 1.7.1 on librdkafka 2.0.2): metadata listing and a produce/consume round trip.</summary>
[Collection(BrokerCollection.Name)]
public sealed class KcatTests(BrokerFixture broker)
{
    private const string Kcat = "kcat";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task MetadataListsTheBrokerAndTheTopic()
    {
        var topic = $"kcat-metadata-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 2);

        var result = await ExternalProcess.RunAsync(Kcat, ["-b", broker.BootstrapServers, "-L", "-J", "-t", topic], Timeout);

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.StandardOutput);
        var brokerEntry = Assert.Single(json.RootElement.GetProperty("brokers").EnumerateArray());
        Assert.Equal($"127.0.0.1:{broker.Port}", brokerEntry.GetProperty("name").GetString());
        var brokerId = brokerEntry.GetProperty("id").GetInt32();

        var topicEntry = Assert.Single(json.RootElement.GetProperty("topics").EnumerateArray());
        Assert.Equal(topic, topicEntry.GetProperty("topic").GetString());
        Assert.False(topicEntry.TryGetProperty("error", out var topicError), $"topic error {topicError}");
        var partitions = topicEntry.GetProperty("partitions").EnumerateArray().ToList();
        Assert.Equal([0, 1], partitions.Select(p => p.GetProperty("partition").GetInt32()).Order());
        Assert.All(partitions, p => Assert.Equal(brokerId, p.GetProperty("leader").GetInt32()));
    }

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("snappy")]
    [InlineData("lz4")]
    [InlineData("zstd")]
    public async Task ProducedKeysValuesAndHeadersComeBackExactly(string codec)
    {
        var topic = $"kcat-round-trip-{codec}-{Guid.NewGuid():N}";
        await KafkaClients.CreateTopicAsync(broker.BootstrapServers, topic, partitions: 1);
        var lines = Enumerable.Range(0, 50).Select(i => $"key-{i}:value {i} with {codec}").ToList();

        var produce = await ExternalProcess.RunAsync(
            Kcat,
            ["-b", broker.BootstrapServers, "-P", "-t", topic, "-p", "0", "-K", ":", "-z", codec, "-H", "origin=kcat", "-H", $"codec={codec}"],
            Timeout,
            standardInput: string.Join('\n', lines) + "\n");
        Assert.True(produce.ExitCode == 0, produce.ToString());

        var consume = await ExternalProcess.RunAsync(
            Kcat,
            ["-b", broker.BootstrapServers, "-C", "-t", topic, "-p", "0", "-o", "beginning", "-e", "-f", "%p|%o|%k|%s|%h\n"],
            Timeout);
        Assert.True(consume.ExitCode == 0, consume.ToString());

        var expected = lines.Select((line, offset) =>
        {
            var separator = line.IndexOf(':');
            return $"0|{offset}|{line[..separator]}|{line[(separator + 1)..]}|origin=kcat,codec={codec}";
        });
        Assert.Equal(expected, consume.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
