using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace KafkaSharp.Broker.Network;

/// <summary>
/// A reusable, awaitable <see cref="Socket.SendPacketsAsync(SocketAsyncEventArgs)"/>: buffer and
/// file elements go out in order in one operation, the file parts with sendfile(2) on Linux.
/// One instance per connection; one send at a time.
/// </summary>
internal sealed class SendPacketsOperation() : SocketAsyncEventArgs(unsafeSuppressExecutionContextFlow: true), IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _completion = new() { RunContinuationsAsynchronously = true };

    public ValueTask SendAsync(Socket socket, SendPacketsElement[] elements)
    {
        _completion.Reset();
        SendPacketsElements = elements;
        if (!socket.SendPacketsAsync(this))
        {
            SendPacketsElements = null;
            return SocketError == SocketError.Success ? ValueTask.CompletedTask : ValueTask.FromException(new SocketException((int)SocketError));
        }
        return new ValueTask(this, _completion.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e)
    {
        SendPacketsElements = null;
        if (SocketError == SocketError.Success)
        {
            _completion.SetResult(true);
        }
        else
        {
            _completion.SetException(new SocketException((int)SocketError));
        }
    }

    void IValueTaskSource.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _completion.OnCompleted(continuation, state, token, flags);
}
