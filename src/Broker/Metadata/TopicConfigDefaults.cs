using System.Collections.Frozen;
using System.Globalization;
using KafkaSharp.Broker.Config;
using KafkaSharp.Storage;

namespace KafkaSharp.Broker.Metadata;

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
/// Kafka resolves a broker synonym through its related names (<see cref="BrokerConfigSynonyms"/>):
/// <c>retention.ms</c> follows <c>log.retention.ms</c>, else <c>log.retention.minutes</c>, else
/// <c>log.retention.hours</c>. Broker configs KafkaSharp does not know (<c>log.preallocate</c>,
/// <c>log.segment.delete.delay.ms</c>, ...) cannot be set here, so they appear with the topic default
/// (which is also Kafka's broker default) as their DEFAULT_CONFIG value.
/// </remarks>
public sealed class TopicConfigDefaults
{
    private readonly FrozenDictionary<string, TopicConfigDefault> _byName;

    private TopicConfigDefaults(BrokerConfigSynonyms broker, List<TopicConfigDefault> all, LogConfig logConfig)
    {
        Broker = broker;
        All = all;
        LogConfig = logConfig;
        _byName = all.ToFrozenDictionary(entry => entry.Definition.Name, StringComparer.Ordinal);
    }

    /// <summary>The broker's configs, which supply the defaults.</summary>
    public BrokerConfigSynonyms Broker { get; }

    /// <summary>One entry per topic config, in <see cref="TopicConfigs.All"/> order.</summary>
    public IReadOnlyList<TopicConfigDefault> All { get; }

    /// <summary>The effective config of a topic without overrides.</summary>
    public LogConfig LogConfig { get; }

    public TopicConfigDefault? Find(string name) => _byName.GetValueOrDefault(name);

    /// <exception cref="ConfigException">A broker config is not a valid value for the topic config it supplies (e.g. <c>log.segment.bytes</c> below 1 MiB).</exception>
    public static TopicConfigDefaults Create(BrokerConfig config)
    {
        var broker = new BrokerConfigSynonyms(config);
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
            var value = definition.DefaultValue;
            var source = ConfigSource.DefaultConfig;
            if (broker.IsSetExplicitly(server))
            {
                value = ResolvedBrokerValue(server, config, broker);
                source = ConfigSource.StaticBrokerConfig;
                fromBroker[definition.Name] = value;
            }
            all.Add(new TopicConfigDefault(definition, value, source, broker.Synonyms(server, definition.DefaultValue)));
        }
        if (!LogConfig.TryCreate(fromBroker, LogConfig.Default, out var logConfig, out var errors))
        {
            var error = errors[0];
            throw new ConfigException($"{TopicConfigs.Find(error.Name)!.ServerDefaultProperty}: {error.Message}");
        }
        return new TopicConfigDefaults(broker, all, logConfig);
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
            double d => JavaDouble.Format(d),
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => (string)value,
        };
    }

    /// <summary>The broker's value for <paramref name="server"/> after its related names are resolved (e.g. hours to milliseconds).</summary>
    private static string ResolvedBrokerValue(string server, BrokerConfig config, BrokerConfigSynonyms broker) => server switch
    {
        "log.retention.ms" => config.LogRetentionMs.ToString(CultureInfo.InvariantCulture),
        "log.roll.ms" => config.LogRollMs.ToString(CultureInfo.InvariantCulture),
        "log.flush.interval.ms" => config.LogFlushIntervalMs.ToString(CultureInfo.InvariantCulture),
        _ => broker.TryGetEntry(server, out var entry) ? entry.Value! : throw new InvalidOperationException($"{server} is set but unknown"),
    };
}
