namespace KafkaSharp.Broker.Network;

/// <summary>Writes one whole response frame to the client; returns once the transport has taken all of it.</summary>
public interface IResponseSender
{
    ValueTask SendAsync(ResponseBuffer response, CancellationToken cancellationToken);
}
