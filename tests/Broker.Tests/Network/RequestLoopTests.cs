using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using KafkaSharp.Broker.Network;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaSharp.Broker.Tests.Network;

public class RequestLoopTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Test frames: int32 id, then one action byte.
    private const byte Respond = 0;
    private const byte Pending = 1;
    private const byte NoResponse = 2;
    private const byte Close = 3;

    private static byte[] Frame(int id, byte action, int padding = 0)
    {
        var bytes = new byte[4 + 5 + padding];
        BinaryPrimitives.WriteInt32BigEndian(bytes, 5 + padding);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), id);
        bytes[8] = action;
        for (var i = 0; i < padding; i++)
        {
            bytes[9 + i] = (byte)i;
        }
        return bytes;
    }

    [Fact]
    public async Task AnswersPipelinedRequestsInOrderWhenAnEarlierOneCompletesLater()
    {
        var pipe = new Pipe();
        var handler = new TestHandler();
        var sender = new RecordingSender();
        var loop = new RequestLoop(pipe.Reader, handler, sender, TestConnections.Info(), 1000, NullLogger.Instance);
        var running = loop.RunAsync(CancellationToken.None);

        await pipe.Writer.WriteAsync(Frame(1, Pending).Concat(Frame(2, Respond)).Concat(Frame(3, Respond)).ToArray());
        var firstStarted = await handler.PendingStarted.Task.WaitAsync(Timeout);

        Assert.Equal(1, firstStarted);
        Assert.Equal([1], handler.Started); // 2 and 3 wait for 1, as Kafka does
        Assert.Empty(sender.Responses);

        handler.ReleasePending();
        await pipe.Writer.CompleteAsync();
        await running.WaitAsync(Timeout);

        Assert.Equal([1, 2, 3], handler.Started);
        Assert.Equal([1, 2, 3], sender.Responses);
    }

    [Fact]
    public async Task NoResponseKeepsOrderOfTheOthers()
    {
        var (handler, sender) = await RunToEnd(Frame(1, Respond).Concat(Frame(2, NoResponse)).Concat(Frame(3, Respond)).ToArray());

        Assert.Equal([1, 2, 3], handler.Started);
        Assert.Equal([1, 3], sender.Responses);
    }

    [Fact]
    public async Task CloseStopsTheLoopAndLaterFramesAreNotHandled()
    {
        var (handler, sender) = await RunToEnd(Frame(1, Respond).Concat(Frame(2, Close)).Concat(Frame(3, Respond)).ToArray());

        Assert.Equal([1, 2], handler.Started);
        Assert.Equal([1], sender.Responses);
    }

    [Fact]
    public async Task OversizedFrameClosesAfterEarlierFramesWereAnswered()
    {
        var oversized = Frame(2, Respond, padding: 2000);
        var (handler, sender) = await RunToEnd(Frame(1, Respond).Concat(oversized).ToArray(), maxFrameBytes: 1000);

        Assert.Equal([1], handler.Started);
        Assert.Equal([1], sender.Responses);
    }

    [Fact]
    public async Task NegativeFrameSizeCloses()
    {
        var (handler, _) = await RunToEnd([0x80, 0, 0, 0, 1, 2, 3]);

        Assert.Empty(handler.Started);
    }

    [Fact]
    public async Task FramesSpreadOverSegmentsAreHandedOverWhole()
    {
        // 16-byte pipe segments: every frame crosses a segment boundary.
        var pipe = new Pipe(new PipeOptions(pool: new TinyBlockPool(16), minimumSegmentSize: 16, useSynchronizationContext: false));
        var frames = Frame(1, Respond, padding: 40).Concat(Frame(2, Respond, padding: 3)).ToArray();
        var (handler, sender) = await RunToEnd(frames, pipe: pipe);

        Assert.Equal([1, 2], sender.Responses);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (byte)i), handler.Payloads[0][5..]);
        Assert.Equal(Enumerable.Range(0, 3).Select(i => (byte)i), handler.Payloads[1][5..]);
    }

    [Fact]
    public async Task LargeFrameIsAssembledWhileItArrives()
    {
        // Larger than the pipe's pause threshold: if the loop waited for the whole frame in the
        // pipe, the writer below would stay paused forever.
        var pipe = new Pipe(RequestLoop.ReceivePipeOptions);
        var handler = new TestHandler();
        var sender = new RecordingSender();
        var loop = new RequestLoop(pipe.Reader, handler, sender, TestConnections.Info(), 4 * 1024 * 1024, NullLogger.Instance);
        var running = loop.RunAsync(CancellationToken.None);

        var big = Frame(7, Respond, padding: 3 * 1024 * 1024 / 2);
        for (var offset = 0; offset < big.Length; offset += 64 * 1024)
        {
            await pipe.Writer.WriteAsync(big.AsMemory(offset, Math.Min(64 * 1024, big.Length - offset))).AsTask().WaitAsync(Timeout);
        }
        await pipe.Writer.WriteAsync(Frame(8, Respond));
        await pipe.Writer.CompleteAsync();
        await running.WaitAsync(Timeout);

        Assert.Equal([7, 8], sender.Responses);
        Assert.Equal(big.AsSpan(4).ToArray(), handler.Payloads[0]);
    }

    [Fact]
    public async Task StopFinishesTheRequestInProgressAndReadsNoMore()
    {
        var pipe = new Pipe();
        var handler = new TestHandler();
        var sender = new RecordingSender();
        var loop = new RequestLoop(pipe.Reader, handler, sender, TestConnections.Info(), 1000, NullLogger.Instance);
        var running = loop.RunAsync(CancellationToken.None);

        await pipe.Writer.WriteAsync(Frame(1, Pending).Concat(Frame(2, Respond)).ToArray());
        await handler.PendingStarted.Task.WaitAsync(Timeout);
        loop.Stop();
        handler.ReleasePending();
        await running.WaitAsync(Timeout);

        Assert.Equal([1], handler.Started);
        Assert.Equal([1], sender.Responses);
    }

    private static async Task<(TestHandler Handler, RecordingSender Sender)> RunToEnd(byte[] input, int maxFrameBytes = 1000,
        Pipe? pipe = null)
    {
        pipe ??= new Pipe();
        var handler = new TestHandler();
        var sender = new RecordingSender();
        var loop = new RequestLoop(pipe.Reader, handler, sender, TestConnections.Info(), maxFrameBytes, NullLogger.Instance);
        var running = loop.RunAsync(CancellationToken.None);
        await pipe.Writer.WriteAsync(input);
        await pipe.Writer.CompleteAsync();
        await running.WaitAsync(Timeout);
        return (handler, sender);
    }

    private sealed class TestHandler : IFrameHandler
    {
        private TaskCompletionSource? _pending;

        public List<int> Started { get; } = [];

        public List<byte[]> Payloads { get; } = [];

        public TaskCompletionSource<int> PendingStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void ReleasePending() => _pending!.SetResult();

        public async ValueTask<FrameDisposition> HandleFrameAsync(ReadOnlyMemory<byte> frame, ResponseBuffer response,
            CancellationToken cancellationToken)
        {
            var id = BinaryPrimitives.ReadInt32BigEndian(frame.Span);
            Started.Add(id);
            Payloads.Add(frame.ToArray());
            switch (frame.Span[4])
            {
                case Pending:
                    _pending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    PendingStarted.SetResult(id);
                    await _pending.Task;
                    break;
                case NoResponse:
                    return FrameDisposition.NoResponse;
                case Close:
                    return FrameDisposition.CloseConnection;
            }
            var span = response.Allocate(8);
            BinaryPrimitives.WriteInt32BigEndian(span, 4);
            BinaryPrimitives.WriteInt32BigEndian(span[4..], id);
            return FrameDisposition.SendResponse;
        }
    }

    private sealed class RecordingSender : IResponseSender
    {
        public List<int> Responses { get; } = [];

        public ValueTask SendAsync(ResponseBuffer response, CancellationToken cancellationToken)
        {
            var frame = new byte[response.FrameLength];
            response.CopyTo(frame);
            Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame));
            Responses.Add(BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4)));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Hands out blocks of exactly one small size, so pipe segments stay small.</summary>
    private sealed class TinyBlockPool(int blockSize) : MemoryPool<byte>
    {
        public override int MaxBufferSize => blockSize;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Block(blockSize);

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Block(int size) : IMemoryOwner<byte>
        {
            public Memory<byte> Memory { get; } = new byte[size];

            public void Dispose()
            {
            }
        }
    }
}
