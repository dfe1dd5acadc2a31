using System.Net;
using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Network;

namespace KafkaSharp.Broker.Tests.Network;

internal static class TestConnections
{
    public static readonly BoundListener Listener = new("PLAINTEXT", ListenerEndpoint.Plaintext,
        new IPEndPoint(IPAddress.Loopback, 9092), new ListenerEndpoint("PLAINTEXT", ListenerEndpoint.Plaintext, "localhost", 9092));

    public static ConnectionInfo Info() => new(1, new IPEndPoint(IPAddress.Loopback, 40000), Listener);
}
