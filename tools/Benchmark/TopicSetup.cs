using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace KafkaSharp.Benchmark;

/// <summary>Creates the benchmark topic when asked and finds how many partitions it has.</summary>
internal static class TopicSetup
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> PrepareAsync(BenchmarkOptions options, bool create)
    {
        using var admin = new AdminClientBuilder(ClientConfigs.Admin(options)).Build();
        if (create)
        {
            try
            {
                await admin.CreateTopicsAsync(
                [
                    new TopicSpecification { Name = options.Topic, NumPartitions = options.Partitions, ReplicationFactor = 1 },
                ]);
                Console.WriteLine($"created topic {options.Topic} with {options.Partitions} partition(s)");
            }
            catch (CreateTopicsException e) when (e.Results.All(result => result.Error.Code == ErrorCode.TopicAlreadyExists))
            {
                Console.WriteLine($"topic {options.Topic} already exists: reusing it");
            }
        }

        return WaitForPartitions(admin, options.Topic);
    }

    /// <summary>Polls metadata until the topic is listed without error (creation is asynchronous in Kafka).</summary>
    private static int WaitForPartitions(IAdminClient admin, string topic)
    {
        var deadline = DateTime.UtcNow + MetadataTimeout;
        while (true)
        {
            var metadata = admin.GetMetadata(topic, MetadataTimeout).Topics.Single(t => t.Topic == topic);
            if (metadata.Error.Code == ErrorCode.NoError && metadata.Partitions.Count > 0)
            {
                return metadata.Partitions.Count;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new BenchmarkException($"topic {topic} is not in the broker's metadata after {MetadataTimeout.TotalSeconds} s: {metadata.Error}");
            }

            Thread.Sleep(100);
        }
    }
}
