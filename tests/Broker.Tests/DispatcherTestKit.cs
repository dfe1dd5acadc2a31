using System.Buffers.Binary;
using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Network;
using KafkaSharp.Broker.Tests.Network;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests;

/// <summary>Encodes requests with the codec and runs them through a <see cref="RequestDispatcher"/>, in memory.</summary>
internal sealed class DispatcherTestKit
{
    public DispatcherTestKit(params ApiHandler[] handlers)
    {
        Services = new BrokerServices
        {
            Config = new BrokerConfig(new Dictionary<string, string>()),
            ClusterId = "test-cluster",
            LoggerFactory = NullLoggerFactory.Instance,
            ApiVersions = new ApiVersionsRegistry(handlers),
        };
        Connection = TestConnections.Info();
        Dispatcher = new RequestDispatcher(Services, Connection, NullLogger.Instance);
    }

    public BrokerServices Services { get; }

    public ConnectionInfo Connection { get; }

    public RequestDispatcher Dispatcher { get; }

    public ResponseBuffer Response { get; } = new();

    /// <summary>A request frame (without its size prefix), header version chosen by the codec's rule.</summary>
    public static byte[] Frame(ApiKey apiKey, short version, int correlationId, IKafkaMessage body, string? clientId = "test-client")
    {
        var header = new RequestHeader
        {
            RequestApiKey = (short)apiKey,
            RequestApiVersion = version,
            CorrelationId = correlationId,
            ClientId = clientId,
        };
        var headerVersion = RequestHeader.HeaderVersion(apiKey, version);
        var bytes = new byte[header.Size(headerVersion) + body.Size(version)];
        var writer = new KafkaWriter(bytes);
        header.Write(ref writer, headerVersion);
        body.Write(ref writer, version);
        return bytes;
    }

    public async Task<FrameDisposition> DispatchAsync(byte[] frame)
    {
        Response.Reset();
        return await Dispatcher.HandleFrameAsync(frame, Response, CancellationToken.None);
    }

    /// <summary>The response frame as sent: size prefix checked and removed.</summary>
    public byte[] ResponseBytes()
    {
        var frame = new byte[Response.FrameLength];
        Response.CopyTo(frame);
        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame));
        return frame[4..];
    }

    /// <summary>Decodes the response header (at <paramref name="headerVersion"/>) and body; checks every byte was used.</summary>
    public (ResponseHeader Header, T Body) ReadResponse<T>(short headerVersion, short version) where T : IKafkaMessage, new()
    {
        var bytes = ResponseBytes();
        var reader = new KafkaReader(bytes);
        var header = new ResponseHeader();
        header.Read(ref reader, headerVersion);
        var body = new T();
        body.Read(ref reader, version);
        Assert.False(reader.HasError);
        Assert.Equal(0, reader.Remaining);
        return (header, body);
    }
}
