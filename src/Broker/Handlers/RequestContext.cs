using KafkaSharp.Broker.Network;
using KafkaSharp.Protocol;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// What a handler knows about the request it serves, besides its body: the header fields, the
/// connection it came on, and the broker's services. One instance per connection, refilled for
/// each request, so it is valid only until the handler's task completes.
/// </summary>
public sealed class RequestContext(ConnectionInfo connection, BrokerServices services)
{
    public ApiKey ApiKey { get; internal set; }

    public short ApiVersion { get; internal set; }

    public int CorrelationId { get; internal set; }

    public string? ClientId { get; internal set; }

    public ConnectionInfo Connection { get; } = connection;

    /// <summary>The listener the request came through (Metadata answers with its advertised endpoint).</summary>
    public BoundListener Listener => Connection.Listener;

    public BrokerServices Services { get; } = services;

    /// <summary>
    /// Set by a handler that returns no response to have the connection closed instead (Kafka's
    /// answer to a failed produce with acks=0, so the client notices). Cleared for each request.
    /// </summary>
    public bool CloseConnection { get; set; }

    public override string ToString() =>
        $"{ApiKey} v{ApiVersion} (correlation id {CorrelationId}, client id '{ClientId}') on {Connection}";
}
