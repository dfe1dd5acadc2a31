using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Network;

/// <summary>
/// One accepted TCP connection: a receive loop filling a pooled pipe from the socket, and a
/// <see cref="RequestLoop"/> serving the requests in it. Whatever goes wrong ends this
/// connection only.
/// </summary>
internal sealed partial class SocketConnection
{
    private readonly Socket _socket;
    private readonly Pipe _receivePipe = new(RequestLoop.ReceivePipeOptions);
    private readonly SocketResponseSender _sender;
    private readonly RequestLoop _requestLoop;
    private readonly CancellationTokenSource _abort = new();
    private readonly ILogger _logger;

    public SocketConnection(Socket socket, ConnectionInfo info, IFrameHandler frameHandler, int maxFrameBytes, bool zeroCopy,
        ILogger logger)
    {
        _socket = socket;
        Info = info;
        _logger = logger;
        _sender = new SocketResponseSender(socket, zeroCopy, logger);
        _requestLoop = new RequestLoop(_receivePipe.Reader, frameHandler, _sender, info, maxFrameBytes, logger);
    }

    public ConnectionInfo Info { get; }

    /// <summary>The running <see cref="RunAsync"/>, as started by the server.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    public async Task RunAsync()
    {
        var receiving = ReceiveAsync();
        try
        {
            await _requestLoop.RunAsync(_abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            LogAborted(Info);
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
        {
            LogTransportError(Info, e.Message);
        }
        catch (Exception e)
        {
            LogUnexpectedError(e, Info);
        }
        finally
        {
            await _receivePipe.Reader.CompleteAsync().ConfigureAwait(false);
            Close();
            await receiving.ConfigureAwait(false);
            _sender.Dispose();
            _abort.Dispose();
            LogClosed(Info);
        }
    }

    /// <summary>Stops reading requests; the one in progress is still answered.</summary>
    public void StopReading() => _requestLoop.Stop();

    /// <summary>Cancels the request in progress (after the drain period at shutdown).</summary>
    public void Abort() => _abort.Cancel();

    private async Task ReceiveAsync()
    {
        var writer = _receivePipe.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory();
                var received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }
                writer.Advance(received);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Seen by the request loop as a failed read, unless it has already finished.
            error = e;
        }
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }

    private void Close()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException e)
        {
            LogTransportError(Info, e.Message); // the peer is already gone
        }
        _socket.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Connection}: {Error}")]
    private partial void LogTransportError(ConnectionInfo connection, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Connection}: request in progress aborted at shutdown")]
    private partial void LogAborted(ConnectionInfo connection);

    [LoggerMessage(Level = LogLevel.Error, Message = "Closing {Connection} after an unexpected error")]
    private partial void LogUnexpectedError(Exception exception, ConnectionInfo connection);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closed {Connection}")]
    private partial void LogClosed(ConnectionInfo connection);
}
