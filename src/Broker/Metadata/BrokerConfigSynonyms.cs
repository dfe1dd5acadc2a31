using System.Collections.Frozen;
using KafkaSharp.Broker.Config;

namespace KafkaSharp.Broker.Metadata;

/// <summary>A config value as DescribeConfigs lists it among a config's synonyms.</summary>
public readonly record struct ConfigSynonym(string Name, string? Value, ConfigSource Source);

/// <summary>
/// The broker's configs as DescribeConfigs reports them, with Kafka's synonym rules
/// (<c>DynamicBrokerConfig.brokerConfigSynonyms</c>, <c>ConfigHelper.configSynonyms</c>): a config
/// can be supplied by related names (<c>log.retention.ms</c>, <c>.minutes</c>, <c>.hours</c>); its
/// synonyms are the explicitly set names (STATIC_BROKER_CONFIG) then the names with a default
/// (DEFAULT_CONFIG), with everything before the first entry of the config's own name dropped.
/// KafkaSharp has no dynamic broker configs, so those sources never appear.
/// </summary>
public sealed class BrokerConfigSynonyms
{
    /// <summary>Kafka broker configs without a default value (so they never appear as DEFAULT_CONFIG).</summary>
    private static readonly FrozenSet<string> WithoutDefault =
        FrozenSet.ToFrozenSet(["log.retention.ms", "log.retention.minutes", "log.roll.ms", "log.roll.jitter.ms", "log.flush.interval.ms"], StringComparer.Ordinal);

    private readonly Dictionary<string, ConfigEntry> _entries = new(StringComparer.Ordinal);

    public BrokerConfigSynonyms(BrokerConfig config)
    {
        var entries = new List<ConfigEntry>();
        foreach (var entry in config.Entries)
        {
            entries.Add(entry);
            _entries[entry.Definition.Name] = entry;
        }
        Entries = entries;
    }

    /// <summary>Every broker config KafkaSharp knows, in <see cref="BrokerConfigs.All"/> order.</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    public bool TryGetEntry(string name, out ConfigEntry entry) => _entries.TryGetValue(name, out entry);

    /// <summary>The names that can supply broker config <paramref name="name"/>, highest precedence first.</summary>
    public static string[] Names(string name) => name switch
    {
        "log.retention.ms" or "log.retention.minutes" or "log.retention.hours" => ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
        "log.roll.ms" or "log.roll.hours" => ["log.roll.ms", "log.roll.hours"],
        "log.roll.jitter.ms" or "log.roll.jitter.hours" => ["log.roll.jitter.ms", "log.roll.jitter.hours"],
        "log.flush.interval.ms" => ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
        _ => [name],
    };

    /// <summary>True when one of the names that supply <paramref name="name"/> is set explicitly.</summary>
    public bool IsSetExplicitly(string name)
    {
        foreach (var synonym in Names(name))
        {
            if (_entries.TryGetValue(synonym, out var entry) && entry.Source == ConfigSource.StaticBrokerConfig)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// The synonyms DescribeConfigs lists for broker config <paramref name="name"/>.
    /// <paramref name="kafkaDefault"/> stands in for the default of a name KafkaSharp's config table
    /// does not have (a topic config's broker synonym such as <c>log.preallocate</c>).
    /// </summary>
    public List<ConfigSynonym> Synonyms(string name, string? kafkaDefault)
    {
        var names = Names(name);
        var synonyms = new List<ConfigSynonym>();
        foreach (var synonym in names)
        {
            if (_entries.TryGetValue(synonym, out var entry) && entry.Source == ConfigSource.StaticBrokerConfig)
            {
                synonyms.Add(new ConfigSynonym(synonym, entry.Value, ConfigSource.StaticBrokerConfig));
            }
        }
        foreach (var synonym in names)
        {
            if (_entries.TryGetValue(synonym, out var entry))
            {
                if (entry.Definition.DefaultValue is { } defaultValue)
                {
                    synonyms.Add(new ConfigSynonym(synonym, defaultValue, ConfigSource.DefaultConfig));
                }
            }
            else if (synonym == name && kafkaDefault is not null && !WithoutDefault.Contains(synonym))
            {
                synonyms.Add(new ConfigSynonym(synonym, kafkaDefault, ConfigSource.DefaultConfig));
            }
        }
        var first = synonyms.FindIndex(synonym => synonym.Name == name);
        return first < 0 ? [] : synonyms.GetRange(first, synonyms.Count - first);
    }
}
