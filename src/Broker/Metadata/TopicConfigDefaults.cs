using System.Collections.Frozen;
using System.Globalization;
using KafkaSharp.Broker.Config;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Metadata;

/// <summary>A config value as DescribeConfigs lists it among a config's synonyms.</summary>
public readonly record struct ConfigSynonym(string Name, string? Value, ConfigSource Source);

/// <summary>
/// What a topic config is when the topic does not override it: the value the broker gives it
/// (<see cref="Value"/>, from <see cref="Source"/>) and the broker configs behind it
/// (<see cref="Synonyms"/>, in DescribeConfigs order).
/// </summary>
public sealed record TopicConfigDefault(TopicConfigDefinition Definition, string Value, ConfigSource Source,
    IReadOnlyList<ConfigSynonym> Synonyms);

/// <summary>
/// The broker's defaults for every topic config: each topic config falls back to its broker
/// synonym (<see cref="TopicConfigDefinition.ServerDefaultProperty"/>: <c>retention.ms</c> to
/// <c>log.retention.ms</c>, <c>segment.bytes</c> to <c>log.segment.bytes</c>, <c>max.message.bytes</c>
/// to <c>message.max.bytes</c>, ...), and to Kafka's topic default when the broker sets none.
/// This is the one place that maps broker configs onto topic configs: <see cref="LogConfig"/> is
/// what storage uses for topics without overrides, <see cref="Find"/> what DescribeConfigs and
/// CreateTopics report.
/// </summary>
/// <remarks>
/// Kafka resolves a broker synonym through its related names: <c>log.retention.ms</c> through
/// <c>log.retention.minutes</c> and <c>log.retention.hours</c>, <c>log.roll.ms</c> through
/// <c>log.roll.hours</c>. Synonyms are listed as Kafka's ConfigHelper lists them: explicitly set
/// (STATIC_BROKER_CONFIG) names first, then names with a default (DEFAULT_CONFIG), and everything
/// before the first entry named after the synonym itself dropped, so <c>retention.ms</c> shows no
/// synonym when only <c>log.retention.hours</c> is set, as in Kafka. Broker configs KafkaSharp does
/// not know (<c>log.cleaner.*</c>, <c>log.preallocate</c>, ...) cannot be set here, so they appear
/// with the topic default as their DEFAULT_CONFIG value.
/// </remarks>
public sealed class TopicConfigDefaults
{
    /// <summary>Broker synonyms of Kafka without a default value (so they never appear as DEFAULT_CONFIG).</summary>
    private static readonly FrozenSet<string> SynonymsWithoutDefault =
        FrozenSet.ToFrozenSet(["log.retention.ms", "log.retention.minutes", "log.roll.ms", "log.roll.jitter.ms", "log.flush.interval.ms"], StringComparer.Ordinal);

    private readonly FrozenDictionary<string, TopicConfigDefault> _byName;

    private TopicConfigDefaults(List<TopicConfigDefault> all, LogConfig logConfig)
    {
        All = all;
        LogConfig = logConfig;
        _byName = all.ToFrozenDictionary(entry => entry.Definition.Name, StringComparer.Ordinal);
    }

    /// <summary>One entry per topic config, in <see cref="TopicConfigs.All"/> order.</summary>
    public IReadOnlyList<TopicConfigDefault> All { get; }

    /// <summary>The effective config of a topic without overrides.</summary>
    public LogConfig LogConfig { get; }

    public TopicConfigDefault? Find(string name) => _byName.GetValueOrDefault(name);

    /// <exception cref="ConfigException">A broker config is not a valid value for the topic config it supplies (e.g. <c>log.segment.bytes</c> below 1 MiB).</exception>
    public static TopicConfigDefaults Create(BrokerConfig config)
    {
        var brokerEntries = new Dictionary<string, ConfigEntry>(StringComparer.Ordinal);
        foreach (var entry in config.Entries)
        {
            brokerEntries[entry.Definition.Name] = entry;
        }
        var all = new List<TopicConfigDefault>(TopicConfigs.All.Count);
        var fromBroker = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var definition in TopicConfigs.All)
        {
            var server = definition.ServerDefaultProperty;
            if (server is null)
            {
                all.Add(new TopicConfigDefault(definition, definition.DefaultValue, ConfigSource.DefaultConfig, []));
                continue;
            }
            var names = BrokerSynonymNames(server);
            var synonyms = Synonyms(server, names, definition, brokerEntries);
            var value = definition.DefaultValue;
            var source = ConfigSource.DefaultConfig;
            foreach (var name in names)
            {
                if (brokerEntries.TryGetValue(name, out var entry) && entry.Source == ConfigSource.StaticBrokerConfig)
                {
                    value = ResolvedBrokerValue(server, config, brokerEntries);
                    source = ConfigSource.StaticBrokerConfig;
                    fromBroker[definition.Name] = value;
                    break;
                }
            }
            all.Add(new TopicConfigDefault(definition, value, source, synonyms));
        }
        if (!LogConfig.TryCreate(fromBroker, LogConfig.Default, out var logConfig, out var errors))
        {
            var error = errors[0];
            throw new ConfigException($"{TopicConfigs.Find(error.Name)!.ServerDefaultProperty}: {error.Message}");
        }
        return new TopicConfigDefaults(all, logConfig);
    }

    /// <summary>
    /// A topic config value in Kafka's canonical text (what DescribeConfigs shows and the store
    /// keeps), or null with Kafka's error text when <paramref name="raw"/> is not valid.
    /// </summary>
    public static string? Canonicalize(TopicConfigDefinition definition, string raw, out string? error)
    {
        if (!definition.TryParse(raw, out var value, out error))
        {
            return null;
        }
        return value switch
        {
            bool b => b ? "true" : "false",
            string[] list => string.Join(',', list),
            double d => double.IsInteger(d) ? d.ToString("F1", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => (string)value,
        };
    }

    /// <summary>Kafka's <c>DynamicBrokerConfig.brokerConfigSynonyms</c>: the names that can supply a broker config, highest precedence first.</summary>
    private static string[] BrokerSynonymNames(string name) => name switch
    {
        "log.retention.ms" => ["log.retention.ms", "log.retention.minutes", "log.retention.hours"],
        "log.roll.ms" => ["log.roll.ms", "log.roll.hours"],
        "log.roll.jitter.ms" => ["log.roll.jitter.ms", "log.roll.jitter.hours"],
        "log.flush.interval.ms" => ["log.flush.interval.ms", "log.flush.scheduler.interval.ms"],
        _ => [name],
    };

    /// <summary>The broker's value for <paramref name="server"/> after its related names are resolved (e.g. hours to milliseconds).</summary>
    private static string ResolvedBrokerValue(string server, BrokerConfig config, Dictionary<string, ConfigEntry> brokerEntries) => server switch
    {
        "log.retention.ms" => config.LogRetentionMs.ToString(CultureInfo.InvariantCulture),
        "log.roll.ms" => config.LogRollMs.ToString(CultureInfo.InvariantCulture),
        "log.flush.interval.ms" => config.LogFlushIntervalMs.ToString(CultureInfo.InvariantCulture),
        _ => brokerEntries[server].Value!,
    };

    private static List<ConfigSynonym> Synonyms(string server, string[] names, TopicConfigDefinition definition,
        Dictionary<string, ConfigEntry> brokerEntries)
    {
        var synonyms = new List<ConfigSynonym>();
        foreach (var name in names)
        {
            if (brokerEntries.TryGetValue(name, out var entry) && entry.Source == ConfigSource.StaticBrokerConfig)
            {
                synonyms.Add(new ConfigSynonym(name, entry.Value, ConfigSource.StaticBrokerConfig));
            }
        }
        foreach (var name in names)
        {
            if (brokerEntries.TryGetValue(name, out var entry))
            {
                if (entry.Definition.DefaultValue is { } defaultValue)
                {
                    synonyms.Add(new ConfigSynonym(name, defaultValue, ConfigSource.DefaultConfig));
                }
            }
            else if (name == server && !SynonymsWithoutDefault.Contains(name))
            {
                synonyms.Add(new ConfigSynonym(name, definition.DefaultValue, ConfigSource.DefaultConfig));
            }
        }
        int first = synonyms.FindIndex(synonym => synonym.Name == server);
        return first < 0 ? [] : synonyms.GetRange(first, synonyms.Count - first);
    }
}
