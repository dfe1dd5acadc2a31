using System.Buffers.Binary;
using System.Net.Sockets;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Benchmark;

/// <summary>
/// One blocking TCP connection to the bootstrap broker speaking Kafka frames directly (int32 size,
/// header, body), for the raw-protocol phases. Single node: the bootstrap address is taken to be the
/// leader of every partition, so no metadata round trip is made.
/// </summary>
internal sealed class RawConnection : IDisposable
{
    /// <summary>Where the correlation id sits in a frame: after the size prefix, api key and api version.</summary>
    public const int CorrelationIdPosition = 4 + 2 + 2;

    private const string ClientId = "kafkasharp-bench-raw";

    private readonly Socket socket;

    public RawConnection(string bootstrapServers)
    {
        var first = bootstrapServers.Split(',')[0];
        var colon = first.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(first.AsSpan(colon + 1), out var port))
        {
            throw new BenchmarkException($"--bootstrap {bootstrapServers}: expected host:port");
        }

        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(first[..colon], port);
    }

    /// <summary>A whole request frame (size prefix included) for <paramref name="body"/>, ready to send.</summary>
    public static byte[] BuildFrame(ApiKey apiKey, short apiVersion, IKafkaMessage body, int correlationId)
    {
        var header = new RequestHeader
        {
            RequestApiKey = (short)apiKey,
            RequestApiVersion = apiVersion,
            CorrelationId = correlationId,
            ClientId = ClientId,
        };
        var headerVersion = RequestHeader.HeaderVersion(apiKey, apiVersion);
        var size = header.Size(headerVersion) + body.Size(apiVersion);
        var frame = new byte[4 + size];
        var writer = new KafkaWriter(frame);
        writer.WriteInt32(size);
        header.Write(ref writer, headerVersion);
        body.Write(ref writer, apiVersion);
        if (writer.Position != frame.Length)
        {
            throw new BenchmarkException($"{apiKey} v{apiVersion}: wrote {writer.Position} bytes into a frame sized {frame.Length}");
        }

        return frame;
    }

    public static void SetCorrelationId(Span<byte> frame, int correlationId) =>
        BinaryPrimitives.WriteInt32BigEndian(frame[CorrelationIdPosition..], correlationId);

    public void Send(ReadOnlySpan<byte> frame)
    {
        while (!frame.IsEmpty)
        {
            frame = frame[socket.Send(frame)..];
        }
    }

    /// <summary>Reads the next response's size prefix; the caller then reads that many bytes with <see cref="ReceiveExactly"/>.</summary>
    public int ReceiveFrameSize()
    {
        Span<byte> prefix = stackalloc byte[4];
        ReceiveExactly(prefix);
        var size = BinaryPrimitives.ReadInt32BigEndian(prefix);
        if (size < 4)
        {
            throw new BenchmarkException($"broker sent a response frame of {size} bytes");
        }

        return size;
    }

    public void ReceiveExactly(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var received = socket.Receive(destination);
            if (received == 0)
            {
                throw new BenchmarkException("broker closed the connection");
            }

            destination = destination[received..];
        }
    }

    /// <summary>Reads the response header and checks it answers <paramref name="correlationId"/>.</summary>
    public static void ReadResponseHeader(ref KafkaReader reader, ApiKey apiKey, short apiVersion, int correlationId)
    {
        var header = new ResponseHeader();
        header.Read(ref reader, ResponseHeader.HeaderVersion(apiKey, apiVersion));
        if (reader.HasError || header.CorrelationId != correlationId)
        {
            throw new BenchmarkException($"{apiKey} response: expected correlation id {correlationId}, got {header.CorrelationId}");
        }
    }

    public void Dispose() => socket.Dispose();
}
