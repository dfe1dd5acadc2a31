namespace KafkaSharp.Broker.Network;

public enum FrameDisposition
{
    /// <summary>The response is in the <see cref="ResponseBuffer"/>; send it.</summary>
    SendResponse,

    /// <summary>The request has no response (produce with acks=0); go on with the next one.</summary>
    NoResponse,

    /// <summary>The request cannot be served (unknown API, unsupported version, malformed); close the connection.</summary>
    CloseConnection,
}

/// <summary>
/// The seam between the transport and request handling: one whole request frame in, at most one
/// response out. One instance serves one connection and is called for one frame at a time, in
/// the order the frames arrived; the next call starts only after the previous task completed.
/// </summary>
public interface IFrameHandler
{
    /// <param name="frame">The frame without its size prefix; valid only until the returned task completes.</param>
    /// <param name="response">Empty on entry; on <see cref="FrameDisposition.SendResponse"/> it holds the whole response frame.</param>
    ValueTask<FrameDisposition> HandleFrameAsync(ReadOnlyMemory<byte> frame, ResponseBuffer response, CancellationToken cancellationToken);
}
