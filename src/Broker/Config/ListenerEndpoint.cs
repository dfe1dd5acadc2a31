using System.Globalization;

namespace KafkaSharp.Broker.Config;

/// <summary>
/// One entry of <c>listeners</c> or <c>advertised.listeners</c>: <c>NAME://host:port</c>, with the
/// security protocol that <c>listener.security.protocol.map</c> gives the name. An empty host means
/// every interface (listeners) or is replaced by localhost (derived advertised listeners).
/// IPv6 hosts are written in brackets: <c>PLAINTEXT://[::1]:9092</c>.
/// </summary>
public sealed record ListenerEndpoint(string Name, string SecurityProtocol, string Host, int Port)
{
    public const string Plaintext = "PLAINTEXT";

    public override string ToString() =>
        $"{Name}://{(Host.Contains(':') ? $"[{Host}]" : Host)}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses a listener list; names are upper-cased as Kafka normalises them.</summary>
    /// <exception cref="ConfigException">A malformed entry, a duplicate name, or a name without a protocol.</exception>
    public static List<ListenerEndpoint> ParseList(IReadOnlyList<string> entries, string configName,
        IReadOnlyDictionary<string, string> securityProtocolMap)
    {
        var endpoints = new List<ListenerEndpoint>(entries.Count);
        foreach (var entry in entries)
        {
            var endpoint = Parse(entry, configName, securityProtocolMap);
            foreach (var other in endpoints)
            {
                if (other.Name == endpoint.Name)
                {
                    throw new ConfigException($"{configName}: listener name {endpoint.Name} appears more than once");
                }
            }
            endpoints.Add(endpoint);
        }
        return endpoints;
    }

    private static ListenerEndpoint Parse(string entry, string configName, IReadOnlyDictionary<string, string> securityProtocolMap)
    {
        var schemeEnd = entry.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw Malformed(entry, configName);
        }
        var name = entry[..schemeEnd].ToUpperInvariant();
        var address = entry[(schemeEnd + 3)..];
        string host;
        string portText;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']');
            if (close < 0 || close + 1 >= address.Length || address[close + 1] != ':')
            {
                throw Malformed(entry, configName);
            }
            host = address[1..close];
            portText = address[(close + 2)..];
        }
        else
        {
            var colon = address.LastIndexOf(':');
            if (colon < 0 || address.IndexOf(':') != colon)
            {
                throw Malformed(entry, configName);
            }
            host = address[..colon];
            portText = address[(colon + 1)..];
        }
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new ConfigException($"{configName}: invalid port '{portText}' in {entry}");
        }
        if (!securityProtocolMap.TryGetValue(name, out var protocol))
        {
            throw new ConfigException(
                $"{configName}: no security protocol for listener name {name}; add it to listener.security.protocol.map");
        }
        return new ListenerEndpoint(name, protocol, host, port);
    }

    private static ConfigException Malformed(string entry, string configName) =>
        new($"{configName}: '{entry}' is not of the form NAME://host:port");
}
