using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// InitProducerId (API key 22), v0-5: gives an idempotent producer a new producer id with epoch 0
/// (Kafka's TransactionCoordinator.handleInitProducerId without a transactional id). Ids come from
/// <see cref="Transactions.ProducerIdManager"/> and are never reused, also across restarts.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Versions: v6 (KIP-939 two-phase commit) is unstable in Kafka 4.x and not advertised there either.</item>
/// <item>v3+ ProducerId/ProducerEpoch (KIP-360): both -1, or both set, else INVALID_REQUEST. Without a
/// transactional id Kafka ignores them and always allocates a new id with epoch 0, which is how an
/// idempotent producer that bumps its epoch (librdkafka) gets a fresh one; so does KafkaSharp.</item>
/// <item>Transactional ids: an empty one is INVALID_REQUEST, a transaction timeout outside
/// 1..<c>transaction.max.timeout.ms</c> INVALID_TRANSACTION_TIMEOUT, as Kafka checks before looking
/// for the transaction's state. KafkaSharp has no transaction coordinator (FindCoordinator answers
/// TRANSACTION keys with COORDINATOR_NOT_AVAILABLE), so any other transactional id gets
/// COORDINATOR_NOT_AVAILABLE: Kafka's answer while the coordinator is unavailable, which clients
/// retry until their timeout rather than failing as if denied.</item>
/// <item>Errors carry ProducerId -1 and ProducerEpoch -1, as Kafka's error responses do.</item>
/// </list>
/// </remarks>
public sealed class InitProducerIdHandler : ApiHandler<InitProducerIdRequest, InitProducerIdResponse>
{
    private const long NoProducerId = -1;
    private const short NoProducerEpoch = -1;

    public override ApiKey ApiKey => ApiKey.InitProducerId;

    public override ApiVersionRange Versions => new(0, 5);

    public override ValueTask<InitProducerIdResponse?> HandleAsync(RequestContext context, InitProducerIdRequest request,
        CancellationToken cancellationToken)
    {
        var response = new InitProducerIdResponse { ProducerId = NoProducerId, ProducerEpoch = NoProducerEpoch };
        response.ErrorCode = (short)InitProducerId(context.Services, request, response);
        return ValueTask.FromResult<InitProducerIdResponse?>(response);
    }

    private static ErrorCode InitProducerId(BrokerServices services, InitProducerIdRequest request, InitProducerIdResponse response)
    {
        if ((request.ProducerId == NoProducerId) != (request.ProducerEpoch == NoProducerEpoch))
        {
            return ErrorCode.InvalidRequest;
        }
        if (request.TransactionalId is null)
        {
            var error = services.ProducerIds.GenerateProducerId(out long producerId);
            if (error == ErrorCode.None)
            {
                response.ProducerId = producerId;
                response.ProducerEpoch = 0;
            }
            return error;
        }
        if (request.TransactionalId.Length == 0)
        {
            return ErrorCode.InvalidRequest;
        }
        if (request.TransactionTimeoutMs <= 0 || request.TransactionTimeoutMs > services.Config.TransactionMaxTimeoutMs)
        {
            return ErrorCode.InvalidTransactionTimeout;
        }
        return ErrorCode.CoordinatorNotAvailable;
    }
}
