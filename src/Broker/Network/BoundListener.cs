using System.Net;
using KafkaSharp.Broker.Config;

namespace KafkaSharp.Broker.Network;

/// <summary>
/// A listener after binding: the address it really listens on (port 0 resolved) and the endpoint
/// Metadata gives clients that connect through it.
/// </summary>
public sealed record BoundListener(string Name, string SecurityProtocol, IPEndPoint LocalEndPoint, ListenerEndpoint Advertised)
{
    public override string ToString() =>
        $"{Name}://{(LocalEndPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{LocalEndPoint.Address}]" : LocalEndPoint.Address)}:{LocalEndPoint.Port}";
}
