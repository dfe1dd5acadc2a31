using System.Buffers;
using System.IO.Pipelines;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Network;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests;

/// <summary>
/// Allocation budget of the per-request path (frame cut, header, dispatch, response write, send):
/// everything beyond what decoding the request needs is pooled or reused.
/// </summary>
public class DispatcherAllocationTests
{
    private sealed class CachedHeartbeatHandler : ApiHandler<HeartbeatRequest, HeartbeatResponse>
    {
        private readonly HeartbeatResponse _response = new();

        public override ApiKey ApiKey => ApiKey.Heartbeat;

        public override ApiVersionRange Versions => new(0, 4);

        public override ValueTask<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request,
            CancellationToken cancellationToken) => ValueTask.FromResult<HeartbeatResponse?>(_response);
    }

    private sealed class CountingSender : IResponseSender
    {
        public int Sent { get; private set; }

        public ValueTask SendAsync(ResponseBuffer response, CancellationToken cancellationToken)
        {
            Sent++;
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task PerRequestAllocationIsWhatDecodingTheRequestNeeds()
    {
        var kit = new DispatcherTestKit(new CachedHeartbeatHandler());
        var request = new HeartbeatRequest { GroupId = "g", GenerationId = 1, MemberId = "m" };
        var body = DispatcherTestKit.Frame(ApiKey.Heartbeat, 4, 1, request);
        var frame = new byte[4 + body.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);

        const int Requests = 2000;
        await RunAsync(kit, frame, Requests); // warm up pools and JIT
        var decoding = DecodingAllocation(body);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sent = await RunAsync(kit, frame, Requests);
        var perRequest = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Requests;

        Assert.Equal(Requests, sent);
        // Beyond decoding: the pipe and loop, per connection, amortised over the requests. Debug
        // builds compile async methods' state machines as classes, one allocation per call.
#if DEBUG
        const int Slack = 400;
#else
        const int Slack = 16;
#endif
        Assert.True(perRequest - decoding < Slack, $"{perRequest:F0} bytes allocated per request, {decoding} of them decoding");
    }

    /// <summary>Bytes allocated by decoding the header (its client id; the header object is reused) and the body.</summary>
    private static long DecodingAllocation(byte[] frame)
    {
        var header = new RequestHeader();
        var reader = new KafkaReader(frame);
        header.Read(ref reader, 2);
        var before = GC.GetAllocatedBytesForCurrentThread();
        reader = new KafkaReader(frame);
        header.Read(ref reader, 2);
        var body = new HeartbeatRequest();
        body.Read(ref reader, 4);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static async Task<int> RunAsync(DispatcherTestKit kit, byte[] frame, int requests)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
        for (var i = 0; i < requests; i++)
        {
            pipe.Writer.Write(frame);
        }
        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();
        var sender = new CountingSender();
        var loop = new RequestLoop(pipe.Reader, kit.Dispatcher, sender, kit.Connection, 1000, NullLogger.Instance);
        // Every step completes synchronously, so the whole loop runs on this thread.
        await loop.RunAsync(CancellationToken.None);
        return sender.Sent;
    }
}
