using System.Globalization;

namespace KafkaSharp.Generator;

/// <summary>A contiguous set of versions as schemas write them: "3", "0-7", "9+", "none".</summary>
internal readonly record struct VersionRange(short Lowest, short Highest)
{
    public const short Open = short.MaxValue;

    public static readonly VersionRange None = new(1, 0);

    public bool IsEmpty => Lowest > Highest;

    public static VersionRange Parse(string text)
    {
        text = text.Trim();
        if (text == "none")
        {
            return None;
        }
        if (text.EndsWith('+'))
        {
            return new VersionRange(ParseVersion(text[..^1]), Open);
        }
        int dash = text.IndexOf('-');
        return dash < 0
            ? new VersionRange(ParseVersion(text), ParseVersion(text))
            : new VersionRange(ParseVersion(text[..dash]), ParseVersion(text[(dash + 1)..]));
    }

    public bool Contains(short version) => version >= Lowest && version <= Highest;

    /// <summary>True when every version of <paramref name="other"/> is in this range.</summary>
    public bool Covers(VersionRange other) => other.IsEmpty || (!IsEmpty && Lowest <= other.Lowest && other.Highest <= Highest);

    public VersionRange Intersect(VersionRange other)
    {
        var result = new VersionRange(Math.Max(Lowest, other.Lowest), Math.Min(Highest, other.Highest));
        return result.IsEmpty ? None : result;
    }

    /// <summary>The smallest range holding both.</summary>
    public VersionRange Hull(VersionRange other) =>
        IsEmpty ? other : other.IsEmpty ? this : new VersionRange(Math.Min(Lowest, other.Lowest), Math.Max(Highest, other.Highest));

    public override string ToString() =>
        IsEmpty ? "none"
        : Highest == Open ? $"{Lowest}+"
        : Lowest == Highest ? Lowest.ToString(CultureInfo.InvariantCulture)
        : $"{Lowest}-{Highest}";

    private static short ParseVersion(string text) => short.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
