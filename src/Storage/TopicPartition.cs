using System.Globalization;

namespace KafkaSharp.Storage;

/// <summary>One partition of a topic. Its log lives in the directory <c>&lt;topic&gt;-&lt;partition&gt;</c>.</summary>
public readonly record struct TopicPartition(string Topic, int Partition)
{
    /// <summary>The partition directory name, as Kafka names it.</summary>
    public override string ToString() => Topic + "-" + Partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Parses a partition directory name. Topic names may contain '-', so the partition number is what
    /// follows the last one. Directories Kafka renames for later deletion (<c>t-0.&lt;id&gt;-delete</c>)
    /// and anything else that does not end in a number do not parse.
    /// </summary>
    public static bool TryParseDirectoryName(string name, out TopicPartition topicPartition)
    {
        topicPartition = default;
        int dash = name.LastIndexOf('-');
        if (dash <= 0 || dash == name.Length - 1)
        {
            return false;
        }
        var digits = name.AsSpan(dash + 1);
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
        {
            return false;
        }
        topicPartition = new TopicPartition(name[..dash], partition);
        return true;
    }
}
