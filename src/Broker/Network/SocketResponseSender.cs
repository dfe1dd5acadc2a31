using System.Buffers;
using System.Net.Sockets;
using KafkaSharp.Storage;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Network;

/// <summary>
/// Sends responses on a plain TCP socket. A response without spliced records is one send of the
/// pooled buffer. With file records (fetch) and zero copy on, the buffer parts and the file slices
/// go out in one <see cref="Socket.SendPacketsAsync(SocketAsyncEventArgs)"/>, which on Linux
/// sends the file slices with sendfile(2): record bytes never enter user space. With zero copy off,
/// the whole frame is copied once into a pooled buffer, which is also what a TLS transport does.
/// </summary>
/// <remarks>
/// <see cref="SendPacketsElement"/> accepts only a <see cref="FileStream"/> opened with
/// <see cref="FileOptions.Asynchronous"/>; a segment file opened otherwise is sent by the copy
/// path, with a warning once per process.
/// </remarks>
internal sealed partial class SocketResponseSender(Socket socket, bool zeroCopy, ILogger logger) : IResponseSender, IDisposable
{
    private static int s_warnedSynchronousFile;
    private SendPacketsOperation? _sendPackets;

    public ValueTask SendAsync(ResponseBuffer response, CancellationToken cancellationToken)
    {
        if (response.Splices.Count == 0)
        {
            return SendAllAsync(response.Buffer, cancellationToken);
        }
        if (zeroCopy && AllSplicesAreFiles(response))
        {
            return SendWithFileElementsAsync(response);
        }
        return SendCopyAsync(response, cancellationToken);
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private bool AllSplicesAreFiles(ResponseBuffer response)
    {
        foreach (var splice in response.Splices)
        {
            if (splice.Records is not FileRecords file)
            {
                return false;
            }
            if (!file.File.IsAsync)
            {
                if (Interlocked.Exchange(ref s_warnedSynchronousFile, 1) == 0)
                {
                    LogSynchronousFile(file.File.Name);
                }
                return false;
            }
        }
        return true;
    }

    private ValueTask SendWithFileElementsAsync(ResponseBuffer response)
    {
        var buffer = response.Buffer;
        var count = 0;
        var bufferPosition = 0;
        foreach (var splice in response.Splices)
        {
            count += (splice.BufferOffset > bufferPosition ? 1 : 0) + (splice.Records.SizeInBytes > 0 ? 1 : 0);
            bufferPosition = splice.BufferOffset;
        }
        count += buffer.Length > bufferPosition ? 1 : 0;

        var elements = new SendPacketsElement[count];
        var next = 0;
        bufferPosition = 0;
        foreach (var splice in response.Splices)
        {
            if (splice.BufferOffset > bufferPosition)
            {
                elements[next++] = new SendPacketsElement(buffer[bufferPosition..splice.BufferOffset]);
            }
            var file = (FileRecords)splice.Records;
            if (file.SizeInBytes > 0)
            {
                elements[next++] = new SendPacketsElement(file.File, file.Position, file.SizeInBytes);
            }
            bufferPosition = splice.BufferOffset;
        }
        if (buffer.Length > bufferPosition)
        {
            elements[next] = new SendPacketsElement(buffer[bufferPosition..]);
        }
        _sendPackets ??= new SendPacketsOperation();
        return _sendPackets.SendAsync(socket, elements);
    }

    private async ValueTask SendCopyAsync(ResponseBuffer response, CancellationToken cancellationToken)
    {
        var length = checked((int)response.FrameLength);
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            response.CopyTo(copy.AsSpan(0, length));
            await SendAllAsync(copy.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    public void Dispose() => _sendPackets?.Dispose();

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Fetch responses are copied, not sent with sendfile: segment file {File} was not opened with FileOptions.Asynchronous")]
    private partial void LogSynchronousFile(string file);
}
