using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Network;

/// <summary>
/// Serves one connection's requests: cuts frames from the received bytes, hands them to the
/// <see cref="IFrameHandler"/> one at a time and sends each response before reading the next
/// frame. So responses go out strictly in request order even when a handler completes later
/// (a long-polling fetch): later requests wait their turn, as in Kafka, which mutes a connection
/// while one of its requests is in flight.
/// </summary>
/// <remarks>
/// A frame that arrived in one pipe segment is handed over in place; one spread over several
/// segments is copied once into a pooled array. A large frame that has not fully arrived is
/// assembled straight into a pooled array, so the pipe never has to hold it whole (see
/// <see cref="LargeFrameThreshold"/>).
/// </remarks>
public sealed partial class RequestLoop(
    PipeReader input,
    IFrameHandler handler,
    IResponseSender sender,
    ConnectionInfo connection,
    int maxFrameBytes,
    ILogger logger)
{
    /// <summary>
    /// Below the pipe's resume threshold, so an unfinished small frame can never keep the
    /// receiving side paused, and large enough that most requests are served in place.
    /// </summary>
    public const int LargeFrameThreshold = 256 * 1024;

    public static readonly PipeOptions ReceivePipeOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: 64 * 1024,
        useSynchronizationContext: false);

    private readonly ResponseBuffer _response = new();
    private volatile bool _stopping;

    /// <summary>Stops after the request in progress (if any) has been answered.</summary>
    public void Stop()
    {
        _stopping = true;
        input.CancelPendingRead();
    }

    /// <summary>
    /// Runs until the client closes the connection, sends a bad frame, a handler asks to close, or
    /// <see cref="Stop"/> is called. Transport errors and handler exceptions propagate.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!_stopping)
            {
                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    return;
                }
                var buffer = result.Buffer;
                var status = FrameDecoder.TryReadFrame(ref buffer, maxFrameBytes, out var frame, out var frameSize);
                ReadOnlyMemory<byte> frameMemory;
                byte[]? rented = null;
                var inPipe = false;
                switch (status)
                {
                    case FrameStatus.Complete when frame.IsSingleSegment:
                        frameMemory = frame.First;
                        inPipe = true;
                        break;
                    case FrameStatus.Complete:
                        rented = ArrayPool<byte>.Shared.Rent(frameSize);
                        frame.CopyTo(rented);
                        frameMemory = rented.AsMemory(0, frameSize);
                        input.AdvanceTo(buffer.Start);
                        break;
                    case FrameStatus.Incomplete when frameSize > LargeFrameThreshold && !result.IsCompleted:
                        rented = ArrayPool<byte>.Shared.Rent(frameSize);
                        if (!await AssembleLargeFrameAsync(result.Buffer, rented, frameSize, cancellationToken).ConfigureAwait(false))
                        {
                            ArrayPool<byte>.Shared.Return(rented);
                            return;
                        }
                        frameMemory = rented.AsMemory(0, frameSize);
                        break;
                    case FrameStatus.Incomplete:
                        if (result.IsCompleted)
                        {
                            if (!buffer.IsEmpty)
                            {
                                LogTruncatedFrame(connection, buffer.Length);
                            }
                            return;
                        }
                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                    case FrameStatus.TooLarge:
                        LogFrameTooLarge(connection, frameSize, maxFrameBytes);
                        return;
                    default:
                        LogNegativeFrameSize(connection, frameSize);
                        return;
                }

                try
                {
                    var disposition = await handler.HandleFrameAsync(frameMemory, _response, cancellationToken).ConfigureAwait(false);
                    if (disposition == FrameDisposition.CloseConnection)
                    {
                        return;
                    }
                    if (disposition == FrameDisposition.SendResponse)
                    {
                        await sender.SendAsync(_response, cancellationToken).ConfigureAwait(false);
                    }
                }
                finally
                {
                    _response.Reset();
                    if (rented is not null)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }
                if (inPipe)
                {
                    // Consumed up to the end of this frame; whatever follows is read again at once.
                    input.AdvanceTo(buffer.Start);
                }
            }
        }
        finally
        {
            _response.Reset();
        }
    }

    /// <summary>
    /// Copies a frame of <paramref name="frameSize"/> bytes (its size prefix at the start of
    /// <paramref name="received"/>) into <paramref name="destination"/>, consuming it from the pipe
    /// as it arrives. False when the connection closed or <see cref="Stop"/> was called first.
    /// </summary>
    private async ValueTask<bool> AssembleLargeFrameAsync(ReadOnlySequence<byte> received, byte[] destination, int frameSize,
        CancellationToken cancellationToken)
    {
        var part = received.Slice(FrameDecoder.SizePrefixLength);
        part.CopyTo(destination);
        var filled = (int)part.Length;
        input.AdvanceTo(part.End);
        while (filled < frameSize)
        {
            var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCanceled)
            {
                return false;
            }
            var chunk = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, frameSize - filled));
            chunk.CopyTo(destination.AsSpan(filled));
            filled += (int)chunk.Length;
            input.AdvanceTo(chunk.End);
            if (filled < frameSize && result.IsCompleted)
            {
                LogTruncatedFrame(connection, FrameDecoder.SizePrefixLength + filled);
                return false;
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Closing {Connection}: request frame of {FrameSize} bytes exceeds socket.request.max.bytes ({MaxFrameBytes})")]
    private partial void LogFrameTooLarge(ConnectionInfo connection, int frameSize, int maxFrameBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing {Connection}: negative request frame size {FrameSize}")]
    private partial void LogNegativeFrameSize(ConnectionInfo connection, int frameSize);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Connection} closed in the middle of a request frame ({Received} bytes received)")]
    private partial void LogTruncatedFrame(ConnectionInfo connection, long received);
}
