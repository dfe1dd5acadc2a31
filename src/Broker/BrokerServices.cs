using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Groups;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Broker.Network;
using KafkaSharp.Broker.Partitions;
using KafkaSharp.Broker.Transactions;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker;

/// <summary>
/// The broker's long-lived parts, reachable from every handler through
/// <c>RequestContext.Services</c>. Built once by <see cref="KafkaServer"/>; a new part is a new
/// property here, set in <c>KafkaServer</c>.
/// </summary>
public sealed class BrokerServices
{
    public required BrokerConfig Config { get; init; }

    /// <summary>From meta.properties (created on first start).</summary>
    public required string ClusterId { get; init; }

    public int NodeId => Config.NodeId;

    public required ILoggerFactory LoggerFactory { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The APIs and versions this broker serves (what ApiVersions returns).</summary>
    public required ApiVersionsRegistry ApiVersions { get; init; }

    /// <summary>The partitions' logs as produce, fetch and list offsets use them; set by <see cref="KafkaServer"/>.</summary>
    public ReplicaManager Replicas { get; init; } = null!;

    /// <summary>The topics (names, ids, partition counts, configs) and their partition logs; set by <see cref="KafkaServer"/>.</summary>
    public TopicRegistry Topics { get; init; } = null!;

    /// <summary>The group coordinator (consumer groups and committed offsets); set by <see cref="KafkaServer"/>.</summary>
    public GroupCoordinator Groups { get; init; } = null!;

    /// <summary>Producer ids for InitProducerId (idempotent producers); set by <see cref="KafkaServer"/>.</summary>
    public ProducerIdManager ProducerIds { get; init; } = null!;

    /// <summary>The listeners as bound (real ports); set once the sockets are bound, before any request arrives.</summary>
    public IReadOnlyList<BoundListener> Listeners { get; internal set; } = [];
}
