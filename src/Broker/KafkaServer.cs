using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Groups;
using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Network;
using KafkaSharp.Broker.Partitions;
using KafkaSharp.Broker.Transactions;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker;

/// <summary>
/// The whole broker, wired in one place: config, meta.properties (cluster id), the handlers and
/// their registry, the listeners. <see cref="CreateHandlers"/> is the list of served APIs.
/// </summary>
public sealed partial class KafkaServer : IAsyncDisposable
{
    private readonly SocketServer _socketServer;
    private readonly ILogger _logger;

    private KafkaServer(BrokerServices services, SocketServer socketServer, ILogger logger)
    {
        Services = services;
        _socketServer = socketServer;
        _logger = logger;
    }

    public BrokerServices Services { get; }

    /// <summary>The listeners as bound (with the real port when port 0 was configured).</summary>
    public IReadOnlyList<BoundListener> Listeners => _socketServer.Listeners;

    /// <summary>Opens the data directories, binds the listeners and starts accepting connections.</summary>
    /// <exception cref="ConfigException">The config or a data directory's meta.properties is unusable.</exception>
    /// <exception cref="ListenerBindException">A listener cannot be bound (e.g. its port is in use).</exception>
    /// <exception cref="IOException">A data directory cannot be created or read.</exception>
    public static KafkaServer Start(BrokerConfig config, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger<KafkaServer>();
        var clusterId = MetaProperties.LoadOrCreate(config.LogDirs, config.NodeId);
        var producerIds = ProducerIdManager.Open(config.LogDirs[0], loggerFactory.CreateLogger<ProducerIdManager>());
        var fetchPurgatory = new FetchPurgatory(TimeProvider.System);
        var topics = TopicRegistry.Open(config, loggerFactory, highWatermarkAdvanced: fetchPurgatory.OnHighWatermarkAdvanced);
        var services = new BrokerServices
        {
            Config = config,
            ClusterId = clusterId,
            LoggerFactory = loggerFactory,
            ApiVersions = new ApiVersionsRegistry(CreateHandlers()),
            Topics = topics,
            Replicas = new ReplicaManager(topics.Logs, fetchPurgatory, TimeProvider.System),
            Groups = GroupCoordinator.Start(config, topics, loggerFactory),
            ProducerIds = producerIds,
        };
        SocketServer socketServer;
        try
        {
            socketServer = SocketServer.Bind(config, loggerFactory.CreateLogger<SocketServer>());
        }
        catch (Exception)
        {
            services.Groups.DisposeAsync().AsTask().GetAwaiter().GetResult();
            topics.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        services.Listeners = socketServer.Listeners;
        var dispatcherLogger = loggerFactory.CreateLogger<RequestDispatcher>();
        socketServer.Start(connection => new RequestDispatcher(services, connection, dispatcherLogger));
        LogStarted(logger, clusterId, config.NodeId);
        return new KafkaServer(services, socketServer, logger);
    }

    /// <summary>Every API this broker serves: one line per handler.</summary>
    private static ApiHandler[] CreateHandlers() =>
    [
        new ApiVersionsHandler(),
        new ProduceHandler(),
        new FetchHandler(),
        new ListOffsetsHandler(),
        new OffsetForLeaderEpochHandler(),
        new DeleteRecordsHandler(),
        new DescribeProducersHandler(),
        new MetadataHandler(),
        new CreateTopicsHandler(),
        new DeleteTopicsHandler(),
        new CreatePartitionsHandler(),
        new DescribeConfigsHandler(),
        new AlterConfigsHandler(),
        new IncrementalAlterConfigsHandler(),
        new FindCoordinatorHandler(),
        new JoinGroupHandler(),
        new SyncGroupHandler(),
        new HeartbeatHandler(),
        new LeaveGroupHandler(),
        new OffsetCommitHandler(),
        new OffsetFetchHandler(),
        new ListGroupsHandler(),
        new DescribeGroupsHandler(),
        new DeleteGroupsHandler(),
        new OffsetDeleteHandler(),
        new InitProducerIdHandler(),
        new DescribeClusterHandler(),
        new DescribeTopicPartitionsHandler(),
        new DescribeLogDirsHandler(),
        new DescribeAclsHandler(),
        new CreateAclsHandler(),
        new DeleteAclsHandler(),
    ];

    /// <summary>
    /// Stops accepting, answers the requests in progress (waiting at most
    /// <paramref name="drainTimeout"/>), closes the connections.
    /// </summary>
    public async Task StopAsync(TimeSpan drainTimeout)
    {
        LogStopping(_logger);
        // Groups first: JoinGroup and SyncGroup requests parked in a rebalance are answered, so the drain does not wait for them.
        await Services.Groups.DisposeAsync().ConfigureAwait(false);
        await _socketServer.StopAsync(drainTimeout).ConfigureAwait(false);
        await Services.Topics.DisposeAsync().ConfigureAwait(false);
        LogStopped(_logger);
    }

    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.Zero).ConfigureAwait(false);

    [LoggerMessage(Level = LogLevel.Information, Message = "Accepting connections: cluster id {ClusterId}, node {NodeId}")]
    private static partial void LogStarted(ILogger logger, string clusterId, int nodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: no new connections or requests")]
    private static partial void LogStopping(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shut down")]
    private static partial void LogStopped(ILogger logger);
}
