using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Tests.Metadata;
using KafkaSharp.Broker.Tests.Network;
using KafkaSharp.Broker.Transactions;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests.Transactions;

public sealed class InitProducerIdHandlerTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ks-init-producer-id-" + Guid.NewGuid().ToString("N"));
    private readonly InitProducerIdHandler _handler = new();
    private readonly BrokerServices _services;

    public InitProducerIdHandlerTests()
    {
        Directory.CreateDirectory(_directory);
        var config = new BrokerConfig(new Dictionary<string, string> { ["log.dirs"] = _directory, ["transaction.max.timeout.ms"] = "60000" });
        _services = new BrokerServices
        {
            Config = config,
            ClusterId = "test-cluster",
            LoggerFactory = NullLoggerFactory.Instance,
            ApiVersions = new ApiVersionsRegistry([_handler]),
            ProducerIds = ProducerIdManager.Open(_directory, NullLogger<ProducerIdManager>.Instance),
        };
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private InitProducerIdResponse Handle(InitProducerIdRequest request, short version = 4)
    {
        var context = new RequestContext(TestConnections.Info(), _services) { ApiKey = ApiKey.InitProducerId, ApiVersion = version };
        var pending = _handler.HandleAsync(context, request, CancellationToken.None);
        Assert.True(pending.IsCompletedSuccessfully);
        return MetadataTestContext.RoundTrip(pending.Result!, version);
    }

    [Fact]
    public void Serves_v0_to_5_as_Kafka_4_does()
    {
        Assert.Equal(ApiKey.InitProducerId, _handler.ApiKey);
        Assert.Equal(new ApiVersionRange(0, 5), _handler.Versions);
        Assert.Equal(new ApiVersionRange(0, 5), _handler.AdvertisedVersions);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Idempotent_producers_get_a_new_id_with_epoch_0_at_every_version(short version)
    {
        var first = Handle(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = int.MaxValue }, version);
        var second = Handle(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = int.MaxValue }, version);

        Assert.Equal((0, 0L, (short)0), (first.ErrorCode, first.ProducerId, first.ProducerEpoch));
        Assert.Equal((0, 1L, (short)0), (second.ErrorCode, second.ProducerId, second.ProducerEpoch));
    }

    [Fact]
    public void An_idempotent_producer_bumping_its_epoch_gets_a_new_id_as_in_Kafka()
    {
        var first = Handle(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 60_000 });

        var bumped = Handle(new InitProducerIdRequest
        {
            TransactionalId = null,
            TransactionTimeoutMs = 60_000,
            ProducerId = first.ProducerId,
            ProducerEpoch = first.ProducerEpoch,
        });

        Assert.Equal((0, first.ProducerId + 1, (short)0), (bumped.ErrorCode, bumped.ProducerId, bumped.ProducerEpoch));
    }

    [Theory]
    [InlineData(7L, (short)-1)]
    [InlineData(-1L, (short)3)]
    public void A_producer_id_without_epoch_or_the_reverse_is_an_invalid_request(long producerId, short producerEpoch)
    {
        var response = Handle(new InitProducerIdRequest { TransactionalId = null, ProducerId = producerId, ProducerEpoch = producerEpoch });

        Assert.Equal(((short)ErrorCode.InvalidRequest, -1L, (short)-1), (response.ErrorCode, response.ProducerId, response.ProducerEpoch));
    }

    [Theory]
    [InlineData("", 60_000, ErrorCode.InvalidRequest)]
    [InlineData("tx", 0, ErrorCode.InvalidTransactionTimeout)]
    [InlineData("tx", 60_001, ErrorCode.InvalidTransactionTimeout)]
    [InlineData("tx", 60_000, ErrorCode.CoordinatorNotAvailable)]
    public void Transactional_ids_are_checked_as_Kafka_does_and_then_find_no_coordinator(string transactionalId, int timeoutMs, ErrorCode expected)
    {
        var response = Handle(new InitProducerIdRequest { TransactionalId = transactionalId, TransactionTimeoutMs = timeoutMs });

        Assert.Equal(((short)expected, -1L, (short)-1), (response.ErrorCode, response.ProducerId, response.ProducerEpoch));
        // No id was used up.
        Assert.Equal(0, Handle(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = 1 }).ProducerId);
    }
}
