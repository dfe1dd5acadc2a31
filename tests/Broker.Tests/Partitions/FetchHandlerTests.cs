using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Tests.Partitions;

public class FetchHandlerTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(30);

    private static FetchResponse.PartitionData OnlyPartition(FetchResponse? response) =>
        Assert.Single(Assert.Single(response!.Responses).Partitions);

    [Fact]
    public async Task Records_are_file_slices_spliced_by_the_network_layer()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var batch = broker.Batch();
        await broker.ProduceAsync("orders", batch);

        var response = await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0));

        var partition = OnlyPartition(response);
        var records = Assert.IsType<FileRecords>(partition.Records);
        Assert.Equal(batch.Length, records.SizeInBytes);
        Assert.Equal(batch.Length, broker.Fetch.SplicedRecordsBytesUntyped(response!));
        Assert.Equal(3, partition.HighWatermark);
        Assert.Equal(3, partition.LastStableOffset);
        Assert.Equal(0, partition.LogStartOffset);
        Assert.Equal(-1, partition.PreferredReadReplica);
        Assert.Null(partition.AbortedTransactions);
        Assert.Equal(0, response!.SessionId);
    }

    [Fact]
    public async Task Read_committed_gets_an_empty_aborted_transaction_list()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        await broker.ProduceAsync("orders", broker.Batch());
        var request = BrokerTestContext.FetchRequest("orders", 0);
        request.IsolationLevel = 1;

        var partition = OnlyPartition(await broker.FetchAsync(request));

        Assert.NotNull(partition.AbortedTransactions);
        Assert.Empty(partition.AbortedTransactions);
        Assert.Equal(3, partition.LastStableOffset);
    }

    [Fact]
    public async Task Fetch_offsets_outside_the_log_are_OFFSET_OUT_OF_RANGE()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        await broker.ProduceAsync("orders", broker.Batch());

        var beyond = OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 4, maxWaitMs: 10_000)));
        var atEnd = OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 3)));

        Assert.Equal((short)ErrorCode.OffsetOutOfRange, beyond.ErrorCode);
        Assert.Equal(-1, beyond.HighWatermark);
        Assert.Equal(-1, beyond.LogStartOffset);
        Assert.Equal(0, beyond.Records!.SizeInBytes);
        Assert.Equal((short)ErrorCode.None, atEnd.ErrorCode);
        Assert.Equal(0, atEnd.Records!.SizeInBytes);
    }

    [Fact]
    public async Task Unknown_topics_partitions_and_topic_ids()
    {
        await using var broker = new BrokerTestContext();
        var topic = broker.CreateTopic("orders");

        var missing = OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("missing", 0)));
        var noPartition = OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0, partition: 1)));
        var unknownId = OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("", 0, topicId: KafkaUuid.NewRandom()), version: 13));
        var byId = await broker.FetchAsync(BrokerTestContext.FetchRequest("", 0, topicId: topic.TopicId), version: 13);

        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, missing.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicOrPartition, noPartition.ErrorCode);
        Assert.Equal((short)ErrorCode.UnknownTopicId, unknownId.ErrorCode);
        Assert.Equal(topic.TopicId, Assert.Single(byId!.Responses).TopicId);
        Assert.Equal((short)ErrorCode.None, OnlyPartition(byId).ErrorCode);
    }

    [Fact]
    public async Task Sessions_are_declined_and_incremental_fetches_refused()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var create = BrokerTestContext.FetchRequest("orders", 0);
        create.SessionId = 0;
        create.SessionEpoch = 0;
        var incremental = BrokerTestContext.FetchRequest("orders", 0);
        incremental.SessionId = 1234;
        incremental.SessionEpoch = 1;

        var created = await broker.FetchAsync(create);
        var refused = await broker.FetchAsync(incremental);

        Assert.Equal(0, created!.SessionId);
        Assert.Equal((short)ErrorCode.None, created.ErrorCode);
        Assert.Equal((short)ErrorCode.FetchSessionIdNotFound, refused!.ErrorCode);
        Assert.Empty(refused.Responses);
    }

    [Theory]
    [InlineData(-1, ErrorCode.None)]
    [InlineData(0, ErrorCode.None)]
    [InlineData(1, ErrorCode.UnknownLeaderEpoch)]
    public async Task The_current_leader_epoch_must_be_0(int epoch, ErrorCode expected)
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var request = BrokerTestContext.FetchRequest("orders", 0);
        request.Topics[0].Partitions[0].CurrentLeaderEpoch = epoch;

        Assert.Equal((short)expected, OnlyPartition(await broker.FetchAsync(request)).ErrorCode);
    }

    [Fact]
    public async Task Replica_fetches_are_refused_with_the_leader_pointed_out_from_v16()
    {
        await using var broker = new BrokerTestContext();
        var topic = broker.CreateTopic("orders");
        var request = BrokerTestContext.FetchRequest("", 0, topicId: topic.TopicId);
        request.ReplicaState.ReplicaId = 2;

        var response = await broker.FetchAsync(request, version: 16);

        var partition = OnlyPartition(response);
        Assert.Equal((short)ErrorCode.NotLeaderOrFollower, partition.ErrorCode);
        Assert.Equal(broker.Services.NodeId, partition.CurrentLeader.LeaderId);
        Assert.Equal(0, partition.CurrentLeader.LeaderEpoch);
        var node = Assert.Single(response!.NodeEndpoints);
        Assert.Equal("localhost", node.Host);
        Assert.Equal(9092, node.Port);
    }

    [Fact]
    public async Task Max_bytes_limits_the_response_but_the_first_batch_always_comes_whole()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders", partitions: 2);
        var first = broker.Batch();
        var second = broker.Batch();
        await broker.ProduceAsync("orders", first, partition: 0);
        await broker.ProduceAsync("orders", broker.Batch(), partition: 0);
        await broker.ProduceAsync("orders", second, partition: 1);
        var request = BrokerTestContext.FetchRequest("orders", 0, maxBytes: 10);
        request.Topics[0].Partitions.Add(new FetchRequest.FetchPartition { Partition = 1, FetchOffset = 0, PartitionMaxBytes = 1024 * 1024 });

        var response = await broker.FetchAsync(request);

        var partitions = Assert.Single(response!.Responses).Partitions;
        Assert.Equal(first.Length, partitions[0].Records!.SizeInBytes);
        Assert.Equal(0, partitions[1].Records!.SizeInBytes);
        Assert.Equal(3, partitions[1].HighWatermark);
    }

    [Fact]
    public async Task Partition_max_bytes_limits_each_partition_in_whole_batches()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var first = broker.Batch();
        await broker.ProduceAsync("orders", first);
        await broker.ProduceAsync("orders", broker.Batch());

        var partition = OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0, partitionMaxBytes: first.Length + 10)));

        Assert.Equal(first.Length, partition.Records!.SizeInBytes);
    }

    [Fact]
    public async Task A_long_poll_is_woken_by_an_append()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");

        var fetch = broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0, maxWaitMs: 60_000));
        Assert.False(fetch.IsCompleted);
        Assert.Equal(1, broker.Purgatory.ParkedCount);
        var batch = broker.Batch();
        await broker.ProduceAsync("orders", batch);

        var partition = OnlyPartition(await fetch.WaitAsync(TestTimeout));
        Assert.Equal(batch, BrokerTestContext.Bytes(partition.Records));
        Assert.Equal(0, broker.Purgatory.ParkedCount);
    }

    [Fact]
    public async Task A_long_poll_ends_empty_when_max_wait_passes()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");

        var fetch = broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0, maxWaitMs: 500));
        broker.Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(fetch.IsCompleted);
        broker.Time.Advance(TimeSpan.FromMilliseconds(1));

        var partition = OnlyPartition(await fetch.WaitAsync(TestTimeout));
        Assert.Equal((short)ErrorCode.None, partition.ErrorCode);
        Assert.Equal(0, partition.Records!.SizeInBytes);
        Assert.Equal(0, broker.Purgatory.ParkedCount);
    }

    [Fact]
    public async Task A_long_poll_waits_for_min_bytes_across_appends()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        int batchSize = broker.Batch().Length;

        var fetch = broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0, maxWaitMs: 60_000, minBytes: 2 * batchSize));
        await broker.ProduceAsync("orders", broker.Batch());
        Assert.False(fetch.IsCompleted);
        await broker.ProduceAsync("orders", broker.Batch());

        var partition = OnlyPartition(await fetch.WaitAsync(TestTimeout));
        Assert.Equal(2 * batchSize, partition.Records!.SizeInBytes);
    }

    [Fact]
    public async Task Data_already_there_answers_at_once()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        await broker.ProduceAsync("orders", broker.Batch());

        var fetch = broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0, maxWaitMs: 60_000));

        Assert.True(fetch.IsCompletedSuccessfully);
        Assert.Equal(0, broker.Purgatory.ParkedCount);
    }

    [Fact]
    public async Task A_long_poll_ends_when_the_connection_goes()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        using var connection = new CancellationTokenSource();

        var fetch = broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0, maxWaitMs: 60_000), cancellationToken: connection.Token);
        connection.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetch.WaitAsync(TestTimeout));
        Assert.Equal(0, broker.Purgatory.ParkedCount);
    }

    [Fact]
    public async Task Zstd_topics_need_v10()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("squeezed", 1, ("compression.type", "zstd"));

        Assert.Equal((short)ErrorCode.UnsupportedCompressionType, OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("squeezed", 0), version: 9)).ErrorCode);
        Assert.Equal((short)ErrorCode.None, OnlyPartition(await broker.FetchAsync(BrokerTestContext.FetchRequest("squeezed", 0), version: 10)).ErrorCode);
    }

    [Fact]
    public async Task The_response_round_trips_at_every_served_version_with_data_and_errors()
    {
        await using var broker = new BrokerTestContext();
        var topic = broker.CreateTopic("orders");
        var batch = broker.Batch();
        await broker.ProduceAsync("orders", batch);
        for (short version = 4; version <= 18; version++)
        {
            var request = BrokerTestContext.FetchRequest("orders", 0, topicId: topic.TopicId);
            request.Topics[0].Partitions.Add(new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 99, PartitionMaxBytes = 100 });
            request.Topics[0].Partitions.Add(new FetchRequest.FetchPartition { Partition = 0, CurrentLeaderEpoch = version >= 9 ? 1 : -1 });
            var response = await broker.FetchAsync(request, version);

            var partitions = Assert.Single(BrokerTestContext.WriteAndRead(response!, version).Responses).Partitions;
            Assert.Equal(batch, BrokerTestContext.Bytes(partitions[0].Records));
            Assert.Equal((short)ErrorCode.OffsetOutOfRange, partitions[1].ErrorCode);
            Assert.Equal((short)(version >= 9 ? ErrorCode.UnknownLeaderEpoch : ErrorCode.None), partitions[2].ErrorCode);
        }
    }

    [Fact]
    public async Task The_response_is_written_with_its_records_spliced()
    {
        await using var broker = new BrokerTestContext();
        broker.CreateTopic("orders");
        var batch = broker.Batch();
        await broker.ProduceAsync("orders", batch);
        const short version = 12;
        var response = await broker.FetchAsync(BrokerTestContext.FetchRequest("orders", 0), version);

        int spliced = broker.Fetch.SplicedRecordsBytesUntyped(response!);
        var buffer = new byte[response!.Size(version) - spliced];
        var splices = new List<RecordsSplice>();
        var writer = new KafkaWriter(buffer, splices);
        response.Write(ref writer, version);

        Assert.Equal(buffer.Length, writer.Position);
        var splice = Assert.Single(splices);
        Assert.Equal(batch, BrokerTestContext.Bytes(splice.Records));
    }
}
