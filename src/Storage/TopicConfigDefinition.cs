using System.Globalization;

namespace KafkaSharp.Storage;

/// <summary>Kafka's config value types, numbered as DescribeConfigs reports them.</summary>
public enum TopicConfigType : sbyte
{
    Boolean = 1,
    String = 2,
    Int = 3,
    Long = 5,
    Double = 6,
    List = 7,
}

/// <summary>
/// One topic config Kafka knows: its name, type, default (as Kafka prints it), documentation, the
/// broker config that supplies its broker-wide default (<c>null</c> when none), and the validation
/// Kafka applies. <see cref="TopicConfigs.All"/> holds them all.
/// </summary>
public sealed class TopicConfigDefinition
{
    private readonly Func<LogConfig, object, LogConfig>? _apply;
    private readonly Func<long, bool>? _validInteger;
    private readonly string? _validIntegerText;

    internal TopicConfigDefinition(string name, TopicConfigType type, string defaultValue, string? serverDefaultProperty,
        string documentation, Func<LogConfig, object, LogConfig>? apply,
        long? atLeast = null, long? atMost = null, string[]? validValues = null,
        Func<long, bool>? validInteger = null, string? validIntegerText = null)
    {
        Name = name;
        Type = type;
        DefaultValue = defaultValue;
        ServerDefaultProperty = serverDefaultProperty;
        Documentation = documentation;
        AtLeast = atLeast;
        AtMost = atMost;
        ValidValues = validValues;
        _apply = apply;
        _validInteger = validInteger;
        _validIntegerText = validIntegerText;
        if (!TryParse(defaultValue, out _, out string? error))
        {
            // A default that fails its own validation is a mistake in the table.
            throw new InvalidOperationException(error);
        }
    }

    public string Name { get; }

    public TopicConfigType Type { get; }

    public string DefaultValue { get; }

    /// <summary>The broker config whose value is this config's default for every topic (Kafka's "server default property").</summary>
    public string? ServerDefaultProperty { get; }

    public string Documentation { get; }

    public long? AtLeast { get; }

    public long? AtMost { get; }

    /// <summary>Allowed values of a string or list config, compared ignoring case.</summary>
    public IReadOnlyList<string>? ValidValues { get; }

    /// <summary>
    /// Parses and validates a raw value into a bool, int, long, double, string or string[] by
    /// <see cref="Type"/>; <paramref name="error"/> is Kafka-style text when it fails.
    /// </summary>
    public bool TryParse(string raw, out object value, out string? error)
    {
        string text = raw.Trim();
        value = text;
        error = null;
        switch (Type)
        {
            case TopicConfigType.Boolean:
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    value = text.Equals("true", StringComparison.OrdinalIgnoreCase);
                    return true;
                }
                return Fail(text, "Expected value to be either true or false", out error);
            case TopicConfigType.Int:
            case TopicConfigType.Long:
                bool isInt = Type == TopicConfigType.Int;
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number) ||
                    (isInt && number is < int.MinValue or > int.MaxValue))
                {
                    return Fail(text, isInt ? "Not a number of type INT" : "Not a number of type LONG", out error);
                }
                if (number < AtLeast || number > AtMost)
                {
                    return Fail(text, RangeText(), out error);
                }
                if (_validInteger is not null && !_validInteger(number))
                {
                    return Fail(text, $"Value must be {_validIntegerText}", out error);
                }
                value = isInt ? (object)(int)number : number;
                return true;
            case TopicConfigType.Double:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real))
                {
                    return Fail(text, "Not a number of type DOUBLE", out error);
                }
                if (real < AtLeast || real > AtMost)
                {
                    return Fail(text, RangeText(), out error);
                }
                value = real;
                return true;
            case TopicConfigType.List:
                string[] items = text.Length == 0 ? [] : text.Split(',', StringSplitOptions.TrimEntries);
                for (int i = 0; i < items.Length; i++)
                {
                    if (!TryCanonical(items[i], out items[i]))
                    {
                        return Fail(items[i], $"String must be one of: {string.Join(", ", ValidValues!)}", out error);
                    }
                }
                value = items;
                return true;
            default:
                if (!TryCanonical(text, out string canonical))
                {
                    return Fail(text, $"String must be one of: {string.Join(", ", ValidValues!)}", out error);
                }
                value = canonical;
                return true;
        }
    }

    /// <summary>Sets the parsed value on a config; configs storage does not act on are validated and stored only.</summary>
    internal LogConfig Apply(LogConfig config, object value) => _apply is null ? config : _apply(config, value);

    private bool TryCanonical(string text, out string canonical)
    {
        canonical = text;
        if (ValidValues is null)
        {
            return true;
        }
        foreach (string valid in ValidValues)
        {
            if (valid.Equals(text, StringComparison.OrdinalIgnoreCase))
            {
                canonical = valid;
                return true;
            }
        }
        return false;
    }

    private string RangeText() => (AtLeast, AtMost) switch
    {
        ({ } low, { } high) => $"Value must be between {low} and {high}",
        ({ } low, null) => $"Value must be at least {low}",
        (null, { } high) => $"Value must be no more than {high}",
        _ => "Value out of range",
    };

    private bool Fail(string text, string reason, out string? error)
    {
        error = $"Invalid value {text} for configuration {Name}: {reason}";
        return false;
    }
}
