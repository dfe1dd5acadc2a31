using KafkaSharp.Broker.Transactions;
using KafkaSharp.Protocol;
using KafkaSharp.Storage.Checkpoints;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests.Transactions;

public sealed class ProducerIdManagerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ks-producer-ids-" + Guid.NewGuid().ToString("N"));

    public ProducerIdManagerTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private ProducerIdManager Open() => ProducerIdManager.Open(_directory, NullLogger<ProducerIdManager>.Instance);

    private static long Generate(ProducerIdManager manager)
    {
        Assert.Equal(ErrorCode.None, manager.GenerateProducerId(out long producerId));
        return producerId;
    }

    [Fact]
    public void Ids_start_at_0_and_the_next_block_is_persisted_before_its_first_id_is_used()
    {
        var manager = Open();
        Assert.False(File.Exists(Path.Combine(_directory, ProducerIdBlockFile.FileName)));

        Assert.Equal(0, Generate(manager));
        Assert.Equal(1000, ProducerIdBlockFile.Read(_directory));
        for (long expected = 1; expected < 1000; expected++)
        {
            Assert.Equal(expected, Generate(manager));
        }
        Assert.Equal(1000, ProducerIdBlockFile.Read(_directory));

        Assert.Equal(1000, Generate(manager));
        Assert.Equal(2000, ProducerIdBlockFile.Read(_directory));
        Assert.Equal("version: 0\nnext_producer_id: 2000\n", File.ReadAllText(Path.Combine(_directory, ProducerIdBlockFile.FileName)));
    }

    [Fact]
    public void Ids_never_repeat_across_restarts()
    {
        var seen = new HashSet<long>();
        for (int restart = 0; restart < 4; restart++)
        {
            var manager = Open();
            for (int i = 0; i < 700; i++)
            {
                Assert.True(seen.Add(Generate(manager)));
            }
        }
        // Each restart continues at the next persisted block; the rest of the previous one is skipped, as in Kafka.
        var expected = Enumerable.Range(0, 4).SelectMany(block => Enumerable.Range(block * 1000, 700)).Select(id => (long)id);
        Assert.Equal(expected, seen.Order());
    }

    [Fact]
    public void Concurrent_callers_get_distinct_ids()
    {
        var manager = Open();
        var ids = new long[4][];
        Parallel.For(0, 4, thread =>
        {
            ids[thread] = new long[2500];
            for (int i = 0; i < ids[thread].Length; i++)
            {
                ids[thread][i] = Generate(manager);
            }
        });
        Assert.Equal(10_000, ids.SelectMany(x => x).Distinct().Count());
        Assert.Equal(10_000, ProducerIdBlockFile.Read(_directory));
    }

    [Fact]
    public void Exhausted_ids_are_an_unknown_server_error()
    {
        ProducerIdBlockFile.Write(_directory, long.MaxValue - 10);
        var manager = Open();

        Assert.Equal(ErrorCode.UnknownServerError, manager.GenerateProducerId(out long producerId));
        Assert.Equal(-1, producerId);
    }

    [Fact]
    public void A_malformed_file_refuses_to_start()
    {
        File.WriteAllText(Path.Combine(_directory, ProducerIdBlockFile.FileName), "version: 0\nnext_producer_id: many\n");

        var e = Assert.Throws<IOException>(Open);
        Assert.Contains("Malformed producer id file", e.Message, StringComparison.Ordinal);
    }
}
