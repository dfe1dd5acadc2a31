using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// Serves one Kafka API. One subclass per API, named after it (<c>ProduceHandler</c>), in
/// <c>src/Broker/Handlers/</c>; it declares its key and versions right here, and ApiVersions
/// advertises exactly what the registered handlers declare. Register a handler with one line in
/// <c>KafkaServer.CreateHandlers</c>.
/// </summary>
/// <remarks>
/// <para>The contract with the dispatcher:</para>
/// <list type="bullet">
/// <item>A handler is one shared, thread-safe instance serving every connection; per-request data
/// comes in the <see cref="RequestContext"/>, and the broker's parts (config, storage, ...) in
/// <see cref="RequestContext.Services"/>.</item>
/// <item>Requests of one connection arrive one at a time: the next is decoded only after the
/// returned task has completed and its response was sent. A handler may complete later (a
/// long-polling fetch); that connection waits, others do not.</item>
/// <item>The request, and any <c>MemoryRecords</c> in it, are slices of the received frame: valid
/// only until the returned task completes. Copy what must outlive it.</item>
/// <item>Return the response, or null for "no response" (produce with acks=0). The dispatcher
/// writes it at the request's version with the right response header.</item>
/// <item>Versions outside <see cref="ApiHandler.Versions"/> never reach the handler: the
/// connection is closed, as Kafka does. Answer request-level problems with error codes in the
/// response; an exception closes the connection and is logged as a bug.</item>
/// </list>
/// <example>
/// <code>
/// /// &lt;summary&gt;DescribeCluster (KIP-700): this node as the whole cluster. v0-1.&lt;/summary&gt;
/// public sealed class DescribeClusterHandler : ApiHandler&lt;DescribeClusterRequest, DescribeClusterResponse&gt;
/// {
///     public override ApiKey ApiKey =&gt; ApiKey.DescribeCluster;
///
///     public override ApiVersionRange Versions =&gt; new(0, 1);
///
///     public override ValueTask&lt;DescribeClusterResponse?&gt; HandleAsync(RequestContext context,
///         DescribeClusterRequest request, CancellationToken cancellationToken)
///     {
///         var response = new DescribeClusterResponse { ClusterId = context.Services.ClusterId, ... };
///         return ValueTask.FromResult&lt;DescribeClusterResponse?&gt;(response);
///     }
/// }
/// // KafkaServer.CreateHandlers: new DescribeClusterHandler(),
/// </code>
/// </example>
/// </remarks>
public abstract class ApiHandler
{
    private protected ApiHandler()
    {
    }

    public abstract ApiKey ApiKey { get; }

    /// <summary>The versions this handler implements; requests at other versions close the connection.</summary>
    public abstract ApiVersionRange Versions { get; }

    /// <summary>
    /// The versions ApiVersions announces. Normally <see cref="Versions"/>; wider only where Kafka
    /// itself announces versions it rejects (Produce 0-2, KAFKA-18659: librdkafka picks
    /// compression from the lowest announced Produce version). It may only extend below
    /// <see cref="Versions"/>; the registry refuses any other difference at start.
    /// </summary>
    public virtual ApiVersionRange AdvertisedVersions => Versions;

    /// <summary>Decodes the request body; null when it is malformed.</summary>
    internal abstract IKafkaMessage? Decode(ReadOnlyMemory<byte> body, short version);

    internal abstract ValueTask<IKafkaMessage?> HandleUntypedAsync(RequestContext context, IKafkaMessage request,
        CancellationToken cancellationToken);

    /// <summary>See <see cref="ApiHandler{TRequest,TResponse}.SplicedRecordsBytes"/>.</summary>
    internal abstract int SplicedRecordsBytesUntyped(IKafkaMessage response);
}

/// <summary>The base of every handler: a typed request in, a typed response (or none) out. See <see cref="ApiHandler"/>.</summary>
public abstract class ApiHandler<TRequest, TResponse> : ApiHandler
    where TRequest : class, IKafkaMessage, new()
    where TResponse : class, IKafkaMessage
{
    public abstract ValueTask<TResponse?> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Bytes of records in <paramref name="response"/> that the writer sends from their source
    /// (file slices) instead of copying them into the response buffer, so the buffer is rented
    /// without them. A handler returning file records (fetch) overrides this; for others it is 0.
    /// Reporting too little only wastes buffer space; reporting too much is a bug the writer catches.
    /// </summary>
    protected virtual int SplicedRecordsBytes(TResponse response) => 0;

    internal sealed override IKafkaMessage? Decode(ReadOnlyMemory<byte> body, short version)
    {
        var request = new TRequest();
        var reader = new KafkaReader(body);
        request.Read(ref reader, version);
        return reader.HasError ? null : request;
    }

    internal sealed override ValueTask<IKafkaMessage?> HandleUntypedAsync(RequestContext context, IKafkaMessage request,
        CancellationToken cancellationToken)
    {
        var pending = HandleAsync(context, (TRequest)request, cancellationToken);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<IKafkaMessage?>(pending.Result)
            : AwaitResponseAsync(pending);
    }

    internal sealed override int SplicedRecordsBytesUntyped(IKafkaMessage response) => SplicedRecordsBytes((TResponse)response);

    private static async ValueTask<IKafkaMessage?> AwaitResponseAsync(ValueTask<TResponse?> pending) =>
        await pending.ConfigureAwait(false);
}
