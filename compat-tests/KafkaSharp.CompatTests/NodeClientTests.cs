namespace KafkaSharp.CompatTests;

/// <summary>
/// Node.js clients write, Confluent.Kafka reads: compat-tests/node/produce.mjs creates a 3-partition topic
/// with the client's admin API and produces records with headers; every record is then read back here.
/// Needs `npm ci` in compat-tests/node (test.sh runs it).
/// </summary>
[Collection(BrokerCollection.Name)]
public sealed class NodeClientTests(BrokerFixture broker)
{
    private const int Partitions = 3;
    private const int Count = 10_000;
    private const long BaseTimestampMs = 1_700_000_000_000;

    [Theory]
    [InlineData("kafkajs")]
    [InlineData("platformatic")]
    public async Task RecordsProducedByNodeClientReadBackExactly(string client)
    {
        var topic = $"node-{client}-{Guid.NewGuid():N}";

        var produce = await ExternalProcess.RunAsync(
            "node",
            ["produce.mjs", client, broker.BootstrapServers, topic, Count.ToString()],
            TimeSpan.FromMinutes(3),
            workingDirectory: RepositoryPaths.NodeTestsDirectory);
        Assert.True(produce.ExitCode == 0, produce.ToString());

        var read = PartitionReader.ReadToEnd(broker.BootstrapServers, topic, Partitions, TimeSpan.FromMinutes(1));
        RecordAssert.PartitionsEqual(ExpectedRecords(client), read);
    }

    /// <summary>The same records as expectedRecord() in compat-tests/node/lib/records.mjs.</summary>
    private static List<TestRecord> ExpectedRecords(string client)
    {
        var records = new List<TestRecord>(Count);
        for (var index = 0; index < Count; index++)
        {
            var headers = new List<KeyValuePair<string, byte[]?>>
            {
                new("index", TestRecord.Utf8(index.ToString())),
                new("client", TestRecord.Utf8(client)),
            };
            if (index % 10 == 0)
            {
                headers.Add(new("tenth", TestRecord.Utf8("yes")));
            }

            records.Add(new TestRecord
            {
                Partition = index % Partitions,
                Key = TestRecord.Utf8($"{client}-key-{index}"),
                Value = TestRecord.Utf8($"value-{index}-" + new string('x', index % 50)),
                Headers = headers,
                TimestampMs = BaseTimestampMs + index,
            });
        }

        return records;
    }
}
