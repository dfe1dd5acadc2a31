using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Network;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker;

/// <summary>
/// Turns one request frame into one handler call and its response into one response frame. One
/// instance per connection (it reuses its header objects and <see cref="RequestContext"/>).
/// </summary>
/// <remarks>
/// <para>Per frame: peek the API key and version; find the handler in the registry's array; check
/// the version; decode the request header (v1, or v2 for flexible versions) and the body; call the
/// handler; size the response header and body, rent the buffer once, write both.</para>
/// <para>What closes the connection, as in Kafka: an API key without a handler, a version outside
/// the handler's implemented range, a malformed header or body, a handler exception (logged as a
/// bug; Kafka would send an error response, which needs per-API knowledge we do not have here).
/// The exception is ApiVersions above its highest version, answered at v0 with
/// UNSUPPORTED_VERSION (KIP-511).</para>
/// </remarks>
public sealed partial class RequestDispatcher : IFrameHandler
{
    private readonly ApiVersionsRegistry _registry;
    private readonly RequestContext _context;
    private readonly RequestHeader _requestHeader = new();
    private readonly ResponseHeader _responseHeader = new();
    private readonly ILogger _logger;

    public RequestDispatcher(BrokerServices services, ConnectionInfo connection, ILogger logger)
    {
        _registry = services.ApiVersions;
        _context = new RequestContext(connection, services);
        _logger = logger;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<FrameDisposition> HandleFrameAsync(ReadOnlyMemory<byte> frame, ResponseBuffer response,
        CancellationToken cancellationToken)
    {
        var handler = ReadRequest(frame, response, out var request, out var disposition);
        if (handler is null)
        {
            return disposition;
        }
        try
        {
            var responseMessage = await handler.HandleUntypedAsync(_context, request!, cancellationToken).ConfigureAwait(false);
            if (responseMessage is null)
            {
                return _context.CloseConnection ? FrameDisposition.CloseConnection : FrameDisposition.NoResponse;
            }
            WriteResponse(response, responseMessage, handler.SplicedRecordsBytesUntyped(responseMessage));
            return FrameDisposition.SendResponse;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            LogHandlerFailed(e, _context);
            return FrameDisposition.CloseConnection;
        }
    }

    /// <summary>
    /// Decodes header and body into <see cref="_context"/> and <paramref name="request"/>; returns the
    /// handler, or null with the disposition when the frame was answered or must close the connection.
    /// </summary>
    private ApiHandler? ReadRequest(ReadOnlyMemory<byte> frame, ResponseBuffer response, out IKafkaMessage? request,
        out FrameDisposition disposition)
    {
        request = null;
        disposition = FrameDisposition.CloseConnection;
        var connection = _context.Connection;
        if (frame.Length < 8)
        {
            LogMalformedHeader(connection, frame.Length);
            return null;
        }
        var span = frame.Span;
        var apiKey = BinaryPrimitives.ReadInt16BigEndian(span);
        var apiVersion = BinaryPrimitives.ReadInt16BigEndian(span[2..]);
        var handler = _registry.Find(apiKey);
        if (handler is null)
        {
            LogUnknownApi(connection, (ApiKey)apiKey, apiVersion, BinaryPrimitives.ReadInt32BigEndian(span[4..]));
            return null;
        }
        var key = handler.ApiKey;
        var reader = new KafkaReader(frame);
        _requestHeader.ClientId = null;
        _requestHeader.Read(ref reader, RequestHeader.HeaderVersion(key, apiVersion));
        if (reader.HasError)
        {
            LogMalformedHeader(connection, frame.Length);
            return null;
        }
        _context.ApiKey = key;
        _context.ApiVersion = apiVersion;
        _context.CorrelationId = _requestHeader.CorrelationId;
        _context.ClientId = _requestHeader.ClientId;
        _context.CloseConnection = false;
        if (!handler.Versions.Contains(apiVersion))
        {
            if (key == ApiKey.ApiVersions && apiVersion > handler.Versions.Max)
            {
                LogApiVersionsFallback(_context, handler.Versions);
                _context.ApiVersion = 0;
                WriteResponse(response, ApiVersionsHandler.UnsupportedVersionResponse(handler.Versions), splicedRecordsBytes: 0);
                disposition = FrameDisposition.SendResponse;
                return null;
            }
            LogUnsupportedVersion(_context, handler.Versions);
            return null;
        }
        request = handler.Decode(frame[reader.Position..], apiVersion);
        if (request is null)
        {
            LogMalformedBody(_context);
            return null;
        }
        return handler;
    }

    private void WriteResponse(ResponseBuffer response, IKafkaMessage message, int splicedRecordsBytes)
    {
        var apiVersion = _context.ApiVersion;
        var headerVersion = ResponseHeader.HeaderVersion(_context.ApiKey, apiVersion);
        _responseHeader.CorrelationId = _context.CorrelationId;
        var frameSize = _responseHeader.Size(headerVersion) + message.Size(apiVersion);
        var buffer = response.Allocate(FrameDecoder.SizePrefixLength + frameSize - splicedRecordsBytes);
        var writer = new KafkaWriter(buffer, response.Splices);
        writer.WriteInt32(frameSize);
        _responseHeader.Write(ref writer, headerVersion);
        message.Write(ref writer, apiVersion);
        response.Truncate(writer.Position);
        if (response.FrameLength != FrameDecoder.SizePrefixLength + frameSize)
        {
            throw new InvalidOperationException(
                $"{_context.ApiKey} v{apiVersion} response: Size() said {frameSize} bytes but {response.FrameLength - FrameDecoder.SizePrefixLength} were written");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing {Connection}: request too short for a header ({FrameSize} bytes) or malformed header")]
    private partial void LogMalformedHeader(ConnectionInfo connection, int frameSize);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Closing {Connection}: unsupported API key {ApiKey} (version {ApiVersion}, correlation id {CorrelationId})")]
    private partial void LogUnknownApi(ConnectionInfo connection, ApiKey apiKey, short apiVersion, int correlationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection: unsupported version in {Request}; supported {Supported}")]
    private partial void LogUnsupportedVersion(RequestContext request, ApiVersionRange supported);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Request}: answering UNSUPPORTED_VERSION at v0, supported {Supported}")]
    private partial void LogApiVersionsFallback(RequestContext request, ApiVersionRange supported);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing connection: malformed body in {Request}")]
    private partial void LogMalformedBody(RequestContext request);

    [LoggerMessage(Level = LogLevel.Error, Message = "Closing connection: handler failed on {Request}")]
    private partial void LogHandlerFailed(Exception exception, RequestContext request);
}
