using System.Globalization;

namespace KafkaSharp.Broker.Config;

/// <summary>
/// One known config: Kafka's name, type, default (as Kafka prints it; null = no default) and
/// documentation, plus the bounds Kafka's validator enforces (<c>Range</c>, <c>ValidString</c>, <c>ValidList</c>). <see cref="BrokerConfigs"/> holds them all.
/// </summary>
public sealed class ConfigDefinition
{
    public ConfigDefinition(string name, ConfigType type, string? defaultValue, string documentation,
        long? atLeast = null, long? atMost = null, string[]? validValues = null)
    {
        Name = name;
        Type = type;
        DefaultValue = defaultValue;
        Documentation = documentation;
        AtLeast = atLeast;
        AtMost = atMost;
        ValidValues = validValues;
        if (defaultValue is not null)
        {
            // A broken default is a programming error in the table; fail at type initialisation.
            Parse(defaultValue);
        }
    }

    public string Name { get; }

    public ConfigType Type { get; }

    public string? DefaultValue { get; }

    public string Documentation { get; }

    /// <summary>Lowest allowed value of a numeric config (Kafka's <c>Range.atLeast</c>).</summary>
    public long? AtLeast { get; }

    /// <summary>Highest allowed value of a numeric config (Kafka's <c>Range.between</c>).</summary>
    public long? AtMost { get; }

    /// <summary>Allowed values of a string or list config (Kafka's <c>ValidString</c>/<c>ValidList</c>), compared ignoring case.</summary>
    public string[]? ValidValues { get; }

    /// <summary>
    /// Parses and validates a raw value: bool, int, short, long, double, string or
    /// <see cref="IReadOnlyList{T}"/> of strings, by <see cref="Type"/>.
    /// </summary>
    /// <exception cref="ConfigException">The value does not parse or is out of range.</exception>
    public object Parse(string raw)
    {
        var text = raw.Trim();
        object value = Type switch
        {
            ConfigType.Boolean => ParseBoolean(text),
            ConfigType.Int => (int)CheckRange(ParseInteger(text, int.MinValue, int.MaxValue, "INT"), text),
            ConfigType.Short => (short)CheckRange(ParseInteger(text, short.MinValue, short.MaxValue, "SHORT"), text),
            ConfigType.Long => CheckRange(ParseInteger(text, long.MinValue, long.MaxValue, "LONG"), text),
            ConfigType.Double => CheckRange(ParseDouble(text), text),
            ConfigType.List => ParseList(text),
            _ => CheckValidValue(text),
        };
        return value;
    }

    private bool ParseBoolean(string text)
    {
        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        throw Invalid(text, "Expected value to be either true or false");
    }

    private long ParseInteger(string text, long min, long max, string typeName)
    {
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ||
            value < min || value > max)
        {
            throw Invalid(text, $"Not a number of type {typeName}");
        }
        return value;
    }

    private long CheckRange(long value, string text)
    {
        if (value < AtLeast)
        {
            throw Invalid(text, $"Value must be at least {AtLeast}");
        }
        if (value > AtMost)
        {
            throw Invalid(text, $"Value must be no more than {AtMost}");
        }
        return value;
    }

    /// <remarks>Compared as Kafka compares (as doubles), so NaN passes any range, as it does in Kafka.</remarks>
    private double CheckRange(double value, string text)
    {
        if (value < AtLeast)
        {
            throw Invalid(text, $"Value must be at least {AtLeast}");
        }
        if (value > AtMost)
        {
            throw Invalid(text, $"Value must be no more than {AtMost}");
        }
        return value;
    }

    private double ParseDouble(string text)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid(text, "Not a number of type DOUBLE");
        }
        return value;
    }

    private IReadOnlyList<string> ParseList(string text)
    {
        if (text.Length == 0)
        {
            return [];
        }
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        foreach (var item in items)
        {
            CheckValidValue(item);
        }
        return items;
    }

    private string CheckValidValue(string text)
    {
        if (ValidValues is null)
        {
            return text;
        }
        foreach (var valid in ValidValues)
        {
            if (valid.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                return valid;
            }
        }
        throw Invalid(text, $"String must be one of: {string.Join(", ", ValidValues)}");
    }

    private ConfigException Invalid(string text, string reason) =>
        new($"Invalid value {text} for configuration {Name}: {reason}");
}
