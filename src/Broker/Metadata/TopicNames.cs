namespace KafkaSharp.Broker.Metadata;

/// <summary>Kafka's topic name rules (<c>org.apache.kafka.common.internals.Topic</c>) and its internal topic names.</summary>
public static class TopicNames
{
    public const string ConsumerOffsets = "__consumer_offsets";

    public const string TransactionState = "__transaction_state";

    public const string ShareGroupState = "__share_group_state";

    /// <summary>The KRaft metadata log's name; clients may not create a topic with it.</summary>
    public const string ClusterMetadata = "__cluster_metadata";

    public const int MaxLength = 249;

    /// <summary>Topics Kafka reports with IsInternal = true in Metadata.</summary>
    public static bool IsInternal(string name) => name is ConsumerOffsets or TransactionState or ShareGroupState;

    /// <summary>
    /// Why <paramref name="name"/> is not a legal topic name, in Kafka's words
    /// ("Topic name is invalid: ..."), or null when it is legal: 1-249 characters of ASCII letters,
    /// digits, '.', '_' and '-', and not "." or "..".
    /// </summary>
    public static string? Validate(string name)
    {
        string? reason = null;
        if (name.Length == 0)
        {
            reason = "the empty string is not allowed";
        }
        else if (name == ".")
        {
            reason = "'.' is not allowed";
        }
        else if (name == "..")
        {
            reason = "'..' is not allowed";
        }
        else if (name.Length > MaxLength)
        {
            reason = $"the length of '{name}' is longer than the max allowed length {MaxLength}";
        }
        else
        {
            foreach (char c in name)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                {
                    reason = $"'{name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'";
                    break;
                }
            }
        }
        return reason is null ? null : "Topic name is invalid: " + reason;
    }
}
