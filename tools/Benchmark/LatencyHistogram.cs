using System.Numerics;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Log-linear histogram of microsecond values, allocated once: values below 128 have their own bucket,
/// larger ones keep 7 significant bits (under 1.6% error), so recording never allocates or sorts.
/// Not thread-safe: one thread records, and reads happen after it stops.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits;
    private const int HalfSubBucketCount = SubBucketCount / 2;

    // Exponents 1..56 cover every non-negative long.
    private readonly long[] counts = new long[SubBucketCount + (63 - SubBucketBits) * HalfSubBucketCount];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long microseconds)
    {
        if (microseconds < 0)
        {
            microseconds = 0;
        }

        counts[BucketIndex(microseconds)]++;
        Count++;
        if (microseconds > Max)
        {
            Max = microseconds;
        }
    }

    /// <summary>Adds another histogram's values (each producer thread records into its own).</summary>
    public void Add(LatencyHistogram other)
    {
        for (var index = 0; index < counts.Length; index++)
        {
            counts[index] += other.counts[index];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>The value at or below which <paramref name="percentile"/> percent of the values lie (bucket upper bound, capped at Max).</summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(percentile / 100.0 * Count);
        rank = Math.Clamp(rank, 1, Count);
        long seen = 0;
        for (var index = 0; index < counts.Length; index++)
        {
            seen += counts[index];
            if (seen >= rank)
            {
                return Math.Min(BucketUpperBound(index), Max);
            }
        }

        return Max;
    }

    private static int BucketIndex(long value)
    {
        if (value < SubBucketCount)
        {
            return (int)value;
        }

        // Shift so that the value keeps SubBucketBits significant bits: (value >> exponent) is in [64, 128).
        var exponent = BitOperations.Log2((ulong)value) - (SubBucketBits - 1);
        return SubBucketCount + (exponent - 1) * HalfSubBucketCount + (int)((value >> exponent) - HalfSubBucketCount);
    }

    private static long BucketUpperBound(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        var exponent = (index - SubBucketCount) / HalfSubBucketCount + 1;
        var mantissa = (index - SubBucketCount) % HalfSubBucketCount + HalfSubBucketCount;
        return ((mantissa + 1L) << exponent) - 1;
    }
}
