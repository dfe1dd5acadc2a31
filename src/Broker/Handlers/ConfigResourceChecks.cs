using System.Globalization;
using KafkaSharp.Broker.Metadata;
using KafkaSharp.Protocol;

namespace KafkaSharp.Broker.Handlers;

/// <summary>
/// The checks Kafka's broker makes on AlterConfigs and IncrementalAlterConfigs resources before it
/// applies them (<c>ConfigAdminManager.preprocess</c>), with its error codes and messages.
/// </summary>
internal static class ConfigResourceChecks
{
    public static readonly ApiError DuplicateResource = new(ErrorCode.InvalidRequest, "Each resource must appear at most once.");

    /// <summary>For each resource, whether another resource of the request has the same type and name.</summary>
    public static bool[] FindDuplicateResources(IReadOnlyList<(sbyte Type, string Name)> resources)
    {
        var counts = new Dictionary<(sbyte, string), int>();
        foreach (var resource in resources)
        {
            counts[resource] = counts.GetValueOrDefault(resource) + 1;
        }
        var duplicate = new bool[resources.Count];
        for (var i = 0; i < resources.Count; i++)
        {
            duplicate[i] = counts[resources[i]] > 1;
        }
        return duplicate;
    }

    /// <summary>
    /// A resource's config list: no name twice, no null value (except where
    /// <paramref name="nullAllowed"/> says so, for DELETE).
    /// </summary>
    public static ApiError CheckConfigList(IReadOnlyList<(string Name, string? Value)> configs, Func<int, bool> nullAllowed)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in configs)
        {
            if (!names.Add(name))
            {
                return new ApiError(ErrorCode.InvalidRequest, "Error due to duplicate config keys");
            }
        }
        List<string>? nullUpdates = null;
        for (var i = 0; i < configs.Count; i++)
        {
            if (configs[i].Value is null && !nullAllowed(i))
            {
                (nullUpdates ??= []).Add(configs[i].Name);
            }
        }
        return nullUpdates is null
            ? ApiError.None
            : new ApiError(ErrorCode.InvalidRequest, "Null value not supported for : " + string.Join(", ", nullUpdates));
    }

    /// <summary>
    /// A BROKER resource: the name must be empty (cluster default) or this node's id, and no config
    /// can be changed, since KafkaSharp has no dynamic broker configs (Kafka's message for a config
    /// that cannot be updated dynamically).
    /// </summary>
    public static ApiError CheckBrokerChange(string resourceName, int nodeId, IReadOnlyList<(string Name, string? Value)> configs)
    {
        if (resourceName.Length > 0)
        {
            if (!int.TryParse(resourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
            {
                return new ApiError(ErrorCode.InvalidRequest, $"Node id must be an integer, but it is: {resourceName}");
            }
            if (id != nodeId)
            {
                return new ApiError(ErrorCode.InvalidRequest, $"Unexpected broker id, expected {nodeId}, but received {resourceName}");
            }
        }
        if (configs.Count == 0)
        {
            return ApiError.None;
        }
        var names = new List<string>(configs.Count);
        foreach (var (name, _) in configs)
        {
            names.Add(name);
        }
        return new ApiError(ErrorCode.InvalidRequest, $"Cannot update these configs dynamically: Set({string.Join(", ", names)})");
    }

    /// <summary>The answer for resource types Kafka supports and KafkaSharp does not.</summary>
    public static ApiError Unsupported(ConfigResourceType type) =>
        new(ErrorCode.InvalidRequest, $"KafkaSharp does not support altering {type switch
        {
            ConfigResourceType.BrokerLogger => "BROKER_LOGGER",
            ConfigResourceType.ClientMetrics => "CLIENT_METRICS",
            _ => "GROUP",
        }} configs");

    public static ApiError UnknownResourceType(sbyte type) => new(ErrorCode.InvalidRequest, $"Unknown resource type {type}");
}
