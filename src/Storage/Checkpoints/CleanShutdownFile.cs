using System.Text;

namespace KafkaSharp.Storage.Checkpoints;

/// <summary>
/// Kafka's <c>.kafka_cleanshutdown</c> marker in the data directory. Written last on a clean stop,
/// after every log is flushed and checkpointed; deleted once the logs are loaded again. If it is
/// missing at startup the broker stopped abruptly, and every segment from a log's recovery point
/// on is validated batch by batch. Content as Kafka writes it: <c>{"version":0,"brokerEpoch":-1}</c>.
/// </summary>
internal static class CleanShutdownFile
{
    public const string FileName = ".kafka_cleanshutdown";

    public static bool Exists(string logDirectory) => File.Exists(Path.Combine(logDirectory, FileName));

    public static void Write(string logDirectory) =>
        AtomicFile.Write(Path.Combine(logDirectory, FileName), Encoding.UTF8.GetBytes("{\"version\":0,\"brokerEpoch\":-1}"));

    public static void Delete(string logDirectory)
    {
        File.Delete(Path.Combine(logDirectory, FileName));
        AtomicFile.FlushDirectory(logDirectory);
    }
}
