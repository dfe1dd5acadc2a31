namespace KafkaSharp.Broker.Groups;

/// <summary>
/// The states of a classic group, with Kafka's transitions:
/// <code>
/// Empty ──join──► PreparingRebalance ──all joined / rebalance timeout──► CompletingRebalance ──leader's SyncGroup──► Stable
///   ▲                 ▲   │ no member left                                     │                                        │
///   └─────────────────┼───┘                                                    │ join, leave, expiry                    │ join, leave, expiry
///                     └────────────────────────────────────────────────────────┴────────────────────────────────────────┘
/// any state ──DeleteGroups, last offset expired──► Dead (final; the group is forgotten)
/// </code>
/// </summary>
internal enum ClassicGroupState
{
    /// <summary>No members; the group may still hold committed offsets (or only ever commits offsets).</summary>
    Empty,

    /// <summary>Collecting JoinGroup requests until every known member rejoined or the rebalance timeout passed.</summary>
    PreparingRebalance,

    /// <summary>A generation is formed; waiting for the leader's assignment in SyncGroup.</summary>
    CompletingRebalance,

    /// <summary>Every member has its assignment; heartbeats keep the generation alive.</summary>
    Stable,

    /// <summary>Removed from the coordinator; requests that still reach it are told to look again.</summary>
    Dead,
}

internal static class ClassicGroupStates
{
    /// <summary>Kafka's name for the state, as ListGroups and DescribeGroups report it.</summary>
    public static string ToKafkaName(this ClassicGroupState state) => state switch
    {
        ClassicGroupState.Empty => "Empty",
        ClassicGroupState.PreparingRebalance => "PreparingRebalance",
        ClassicGroupState.CompletingRebalance => "CompletingRebalance",
        ClassicGroupState.Stable => "Stable",
        _ => "Dead",
    };

    /// <summary>Whether Kafka allows moving from <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static bool CanTransition(ClassicGroupState from, ClassicGroupState to) => to switch
    {
        ClassicGroupState.PreparingRebalance => from is ClassicGroupState.Stable or ClassicGroupState.CompletingRebalance or ClassicGroupState.Empty,
        ClassicGroupState.CompletingRebalance => from == ClassicGroupState.PreparingRebalance,
        ClassicGroupState.Stable => from == ClassicGroupState.CompletingRebalance,
        ClassicGroupState.Empty => from == ClassicGroupState.PreparingRebalance,
        _ => true,
    };
}
