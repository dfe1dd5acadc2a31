using System.Net;

namespace KafkaSharp.Broker.Network;

/// <summary>What is known about one client connection; shared by every request it sends.</summary>
public sealed class ConnectionInfo(long id, EndPoint? remoteEndPoint, BoundListener listener)
{
    /// <summary>Process-unique, increasing; used in logs.</summary>
    public long Id { get; } = id;

    public EndPoint? RemoteEndPoint { get; } = remoteEndPoint;

    public BoundListener Listener { get; } = listener;

    /// <summary>From ApiVersions v3+ (KIP-511), for logs.</summary>
    public string? ClientSoftwareName { get; set; }

    public string? ClientSoftwareVersion { get; set; }

    public override string ToString() =>
        ClientSoftwareName is null
            ? $"connection {Id} from {RemoteEndPoint} on {Listener.Name}"
            : $"connection {Id} from {RemoteEndPoint} on {Listener.Name} ({ClientSoftwareName} {ClientSoftwareVersion})";
}
