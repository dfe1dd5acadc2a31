using System.Globalization;

namespace KafkaSharp.Broker.Config;

/// <summary>
/// Doubles as Kafka prints a DOUBLE config (Java's <c>Double.toString</c>): the shortest digits that
/// read back as the same value, always with a fractional digit (<c>1.0</c>), and in scientific
/// notation outside [10^-3, 10^7) (<c>1.0E8</c>, <c>1.7976931348623157E308</c>).
/// </summary>
public static class JavaDouble
{
    public static string Format(double value)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
        }
        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }
        double magnitude = Math.Abs(value);
        if (magnitude is >= 1e-3 and < 1e7)
        {
            // "R" writes numbers of this size without an exponent.
            var plain = value.ToString("R", CultureInfo.InvariantCulture);
            return plain.Contains('.') ? plain : plain + ".0";
        }
        // "E<n>" with the fewest digits that still round-trip, then Java's mantissa and exponent form.
        string scientific = "";
        for (int digits = 0; digits <= 16; digits++)
        {
            scientific = value.ToString("E" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (double.Parse(scientific, NumberStyles.Float, CultureInfo.InvariantCulture) == value)
            {
                break;
            }
        }
        int e = scientific.IndexOf('E');
        var mantissa = scientific[..e];
        int exponent = int.Parse(scientific[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        if (!mantissa.Contains('.'))
        {
            mantissa += ".0";
        }
        return mantissa + "E" + exponent.ToString(CultureInfo.InvariantCulture);
    }
}
