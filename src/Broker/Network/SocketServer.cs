using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using KafkaSharp.Broker.Config;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Network;

/// <summary>
/// The broker's network front end (Kafka's SocketServer): binds every configured listener, accepts
/// connections and runs each one with its own <see cref="IFrameHandler"/>. Shutdown stops
/// accepting, lets each connection finish the request it is serving, then closes everything.
/// </summary>
public sealed partial class SocketServer : IAsyncDisposable
{
    private const int ListenBacklog = 512;

    private readonly List<(Socket Socket, BoundListener Listener)> _listenSockets = [];
    private readonly ConcurrentDictionary<long, SocketConnection> _connections = new();
    private readonly List<Task> _acceptLoops = [];
    private readonly BrokerConfig _config;
    private readonly ILogger _logger;
    private long _nextConnectionId;

    private SocketServer(BrokerConfig config, ILogger logger)
    {
        _config = config;
        _logger = logger;
    }

    /// <summary>The listeners as bound, in config order (real ports when port 0 was asked for).</summary>
    public IReadOnlyList<BoundListener> Listeners { get; private set; } = [];

    /// <summary>Binds all listeners (nothing is accepted yet).</summary>
    /// <exception cref="ListenerBindException">A listener address cannot be bound (e.g. the port is in use).</exception>
    public static SocketServer Bind(BrokerConfig config, ILogger logger)
    {
        var server = new SocketServer(config, logger);
        try
        {
            var listeners = new List<BoundListener>(config.Listeners.Count);
            for (var i = 0; i < config.Listeners.Count; i++)
            {
                var endpoint = config.Listeners[i];
                var socket = BindSocket(endpoint);
                var local = (IPEndPoint)socket.LocalEndPoint!;
                var advertised = config.AdvertisedListeners[i];
                if (advertised.Port == 0)
                {
                    advertised = advertised with { Port = local.Port };
                }
                var bound = new BoundListener(endpoint.Name, endpoint.SecurityProtocol, local, advertised);
                server._listenSockets.Add((socket, bound));
                listeners.Add(bound);
            }
            server.Listeners = listeners;
            return server;
        }
        catch
        {
            foreach (var (socket, _) in server._listenSockets)
            {
                socket.Dispose();
            }
            throw;
        }
    }

    /// <summary>Starts accepting; each connection gets the frame handler <paramref name="frameHandlerFactory"/> makes for it.</summary>
    public void Start(Func<ConnectionInfo, IFrameHandler> frameHandlerFactory)
    {
        foreach (var (socket, listener) in _listenSockets)
        {
            _acceptLoops.Add(AcceptAsync(socket, listener, frameHandlerFactory));
        }
    }

    /// <summary>
    /// Stops accepting and reading; waits up to <paramref name="drainTimeout"/> for requests in
    /// progress to be answered, then aborts what is left and closes every connection.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        foreach (var (socket, _) in _listenSockets)
        {
            socket.Dispose();
        }
        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        var running = new List<Task>(_connections.Count);
        foreach (var (_, connection) in _connections)
        {
            connection.StopReading();
            running.Add(connection.Completion);
        }
        var all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(drainTimeout)).ConfigureAwait(false) != all)
        {
            foreach (var (_, connection) in _connections)
            {
                connection.Abort();
            }
        }
        await all.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.Zero).ConfigureAwait(false);

    private static Socket BindSocket(ListenerEndpoint endpoint)
    {
        var address = ResolveBindAddress(endpoint);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            socket.Bind(new IPEndPoint(address, endpoint.Port));
            socket.Listen(ListenBacklog);
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new ListenerBindException(endpoint, e);
        }
    }

    private static IPAddress ResolveBindAddress(ListenerEndpoint endpoint)
    {
        if (endpoint.Host.Length == 0)
        {
            return Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any;
        }
        if (IPAddress.TryParse(endpoint.Host, out var literal))
        {
            return literal;
        }
        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(endpoint.Host);
        }
        catch (SocketException e)
        {
            throw new ListenerBindException(endpoint, e);
        }
        // Like Java, prefer IPv4 when a name has both kinds of address.
        foreach (var address in addresses)
        {
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                return address;
            }
        }
        return addresses.Length > 0
            ? addresses[0]
            : throw new ListenerBindException(endpoint, new SocketException((int)SocketError.HostNotFound));
    }

    private async Task AcceptAsync(Socket listenSocket, BoundListener listener, Func<ConnectionInfo, IFrameHandler> frameHandlerFactory)
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listenSocket.AcceptAsync().ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return; // stopped
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                return; // stopped
            }
            catch (SocketException e)
            {
                // E.g. out of file descriptors: keep the listener up, as Kafka does.
                LogAcceptFailed(listener, e.Message);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }
            socket.NoDelay = true;
            var info = new ConnectionInfo(Interlocked.Increment(ref _nextConnectionId), socket.RemoteEndPoint, listener);
            var connection = new SocketConnection(socket, info, frameHandlerFactory(info), _config.SocketRequestMaxBytes,
                _config.FetchZeroCopy, _logger);
            LogAccepted(info);
            _connections[info.Id] = connection;
            connection.Completion = RunConnectionAsync(connection);
        }
    }

    private async Task RunConnectionAsync(SocketConnection connection)
    {
        await Task.Yield(); // run the connection off the accept loop
        await connection.RunAsync().ConfigureAwait(false);
        _connections.TryRemove(connection.Info.Id, out _);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Accepted {Connection}")]
    private partial void LogAccepted(ConnectionInfo connection);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Accepting on {Listener} failed: {Error}")]
    private partial void LogAcceptFailed(BoundListener listener, string error);
}

/// <summary>A listener could not be bound; the message is one line for the operator.</summary>
public sealed class ListenerBindException(ListenerEndpoint endpoint, SocketException inner)
    : Exception($"Cannot listen on {endpoint}: {Describe(inner)}", inner)
{
    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.AddressAlreadyInUse => "address already in use",
        SocketError.AddressNotAvailable => "address not available on this machine",
        SocketError.AccessDenied => "permission denied",
        SocketError.HostNotFound => "host not found",
        _ => e.Message,
    };
}
