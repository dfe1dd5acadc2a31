namespace KafkaSharp.Benchmark;

/// <summary>Byte and time units for printing; MiB is 2^20 bytes, as Kafka's performance tools count.</summary>
internal static class Units
{
    public static double MiB(double bytes) => bytes / (1 << 20);

    public static string Milliseconds(long microseconds) => (microseconds / 1000.0).ToString("F2");
}
