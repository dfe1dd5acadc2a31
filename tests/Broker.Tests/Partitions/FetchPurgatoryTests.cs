using KafkaSharp.Broker.Partitions;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Partitions;

/// <summary>
/// The purgatory on its own clock, woken by hand: logs come from a real broker context, but this
/// purgatory is not the one their appends call, so each test decides when a wake-up happens.
/// </summary>
public class FetchPurgatoryTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private static FetchPartition[] Partitions(params (PartitionLog Log, long FetchOffset)[] partitions) =>
        partitions.Select(p => new FetchPartition { Log = p.Log, FetchOffset = p.FetchOffset, MaxBytes = 1024 * 1024 }).ToArray();

    [Fact]
    public async Task A_wake_up_completes_the_fetch_only_once_data_is_beyond_the_fetch_offset()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var log = broker.Log("orders");
        var time = new ManualTimeProvider();
        var purgatory = new FetchPurgatory(time);

        var waiting = purgatory.WaitAsync(Partitions((log, 0)), minBytes: 1, TimeSpan.FromSeconds(10), default);
        purgatory.OnHighWatermarkAdvanced(log);
        Assert.False(waiting.IsCompleted);
        Assert.Equal(1, time.ActiveTimerCount);

        await broker.ProduceAsync("orders", broker.Batch());
        purgatory.OnHighWatermarkAdvanced(log);

        await waiting.WaitAsync(TestTimeout);
        Assert.Equal(0, purgatory.ParkedCount);
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public async Task Data_appended_before_parking_completes_at_once()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var log = broker.Log("orders");
        await broker.ProduceAsync("orders", broker.Batch());
        var time = new ManualTimeProvider();
        var purgatory = new FetchPurgatory(time);

        var waiting = purgatory.WaitAsync(Partitions((log, 0)), minBytes: 1, TimeSpan.FromSeconds(10), default);

        Assert.True(waiting.IsCompletedSuccessfully);
        Assert.Equal(0, purgatory.ParkedCount);
        Assert.Equal(0, time.ActiveTimerCount);
    }

    [Fact]
    public async Task The_timer_completes_a_fetch_that_never_gets_data()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var time = new ManualTimeProvider();
        var purgatory = new FetchPurgatory(time);

        var waiting = purgatory.WaitAsync(Partitions((broker.Log("orders"), 0)), minBytes: 1, TimeSpan.FromMilliseconds(100), default);
        time.Advance(TimeSpan.FromMilliseconds(100));

        await waiting.WaitAsync(TestTimeout);
        Assert.Equal(0, purgatory.ParkedCount);
    }

    [Fact]
    public async Task Min_bytes_add_up_across_partitions()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", partitions: 2);
        var log0 = broker.Log("orders", 0);
        var log1 = broker.Log("orders", 1);
        int batchSize = broker.Batch().Length;
        var purgatory = new FetchPurgatory(new ManualTimeProvider());

        var waiting = purgatory.WaitAsync(Partitions((log0, 0), (log1, 0)), minBytes: 2 * batchSize, TimeSpan.FromSeconds(10), default);
        await broker.ProduceAsync("orders", broker.Batch(), partition: 0);
        purgatory.OnHighWatermarkAdvanced(log0);
        Assert.False(waiting.IsCompleted);
        await broker.ProduceAsync("orders", broker.Batch(), partition: 1);
        purgatory.OnHighWatermarkAdvanced(log1);

        await waiting.WaitAsync(TestTimeout);
    }

    [Fact]
    public async Task Cancellation_completes_the_fetch_as_cancelled_and_forgets_it()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var log = broker.Log("orders");
        var time = new ManualTimeProvider();
        var purgatory = new FetchPurgatory(time);
        using var connection = new CancellationTokenSource();

        var waiting = purgatory.WaitAsync(Partitions((log, 0)), minBytes: 1, TimeSpan.FromSeconds(10), connection.Token);
        connection.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TestTimeout));
        Assert.Equal(0, purgatory.ParkedCount);
        Assert.Equal(0, time.ActiveTimerCount);
        await broker.ProduceAsync("orders", broker.Batch());
        purgatory.OnHighWatermarkAdvanced(log); // nothing left to wake
    }

    [Fact]
    public async Task Many_fetches_on_one_partition_are_all_woken()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var log = broker.Log("orders");
        var purgatory = new FetchPurgatory(new ManualTimeProvider());

        var waiting = Enumerable.Range(0, 20)
            .Select(_ => purgatory.WaitAsync(Partitions((log, 0)), minBytes: 1, TimeSpan.FromSeconds(10), default))
            .ToArray();
        Assert.Equal(20, purgatory.ParkedCount);
        await broker.ProduceAsync("orders", broker.Batch());
        purgatory.OnHighWatermarkAdvanced(log);

        await Task.WhenAll(waiting).WaitAsync(TestTimeout);
        Assert.Equal(0, purgatory.ParkedCount);
    }
}
