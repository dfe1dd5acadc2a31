using KafkaSharp.Protocol;
using Xunit.Abstractions;

namespace KafkaSharp.Broker.Tests.Partitions;

/// <summary>
/// The produce and fetch paths allocate per request and per partition, never per record: a batch of
/// 1,000 records costs what a batch of 10 costs.
/// </summary>
public class AllocationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Produce_and_fetch_allocations_do_not_grow_with_the_record_count()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var context = broker.Context(ApiKey.Produce, 9);
        var fetchContext = broker.Context(ApiKey.Fetch, 12);

        long small = Measure(10, out long smallFetch);
        long large = Measure(1000, out long largeFetch);

        output.WriteLine($"produce: {small} B (10 records), {large} B (1000 records); fetch: {smallFetch} B, {largeFetch} B");
        Assert.True(large - small < 512, $"produce: {small} bytes for 10 records, {large} for 1000");
        Assert.True(largeFetch - smallFetch < 512, $"fetch: {smallFetch} bytes for 10 records, {largeFetch} for 1000");

        long Measure(int records, out long fetchBytes)
        {
            long produceBytes = long.MaxValue;
            fetchBytes = long.MaxValue;
            for (int round = 0; round < 20; round++)
            {
                var batch = broker.Batch(records);
                var request = BrokerTestContext.ProduceRequest("orders", 0, batch, acks: 1);
                long before = GC.GetAllocatedBytesForCurrentThread();
                var pending = broker.Produce.HandleAsync(context, request, default);
                long after = GC.GetAllocatedBytesForCurrentThread();
                Assert.True(pending.IsCompletedSuccessfully);
                long offset = pending.Result!.Responses[0].PartitionResponses[0].BaseOffset;
                produceBytes = Math.Min(produceBytes, after - before);

                var fetch = BrokerTestContext.FetchRequest("orders", offset);
                before = GC.GetAllocatedBytesForCurrentThread();
                var fetched = broker.Fetch.HandleAsync(fetchContext, fetch, default);
                after = GC.GetAllocatedBytesForCurrentThread();
                Assert.True(fetched.IsCompletedSuccessfully);
                Assert.Equal(batch.Length, fetched.Result!.Responses[0].Partitions[0].Records!.SizeInBytes);
                fetchBytes = Math.Min(fetchBytes, after - before);
            }
            return produceBytes;
        }
    }
}
