using System.Diagnostics;

namespace KafkaSharp.Benchmark;

/// <summary>Prints, once a second, the rate of the last second and the average so far.</summary>
internal sealed class ProgressReporter : IDisposable
{
    private readonly string phase;
    private readonly Func<long> completedRecords;
    private readonly int recordSize;
    private readonly long startTimestamp;
    private readonly Timer timer;
    private long previousRecords;
    private long previousTimestamp;

    public ProgressReporter(string phase, Func<long> completedRecords, int recordSize, long startTimestamp)
    {
        this.phase = phase;
        this.completedRecords = completedRecords;
        this.recordSize = recordSize;
        this.startTimestamp = startTimestamp;
        previousTimestamp = startTimestamp;
        timer = new Timer(_ => Report(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    public void Dispose() => timer.Dispose();

    private void Report()
    {
        var now = Stopwatch.GetTimestamp();
        var records = completedRecords();
        var intervalSeconds = Stopwatch.GetElapsedTime(previousTimestamp, now).TotalSeconds;
        var totalSeconds = Stopwatch.GetElapsedTime(startTimestamp, now).TotalSeconds;
        var intervalRate = (records - previousRecords) / intervalSeconds;
        var averageRate = records / totalSeconds;
        Console.WriteLine(
            $"[{phase} {totalSeconds,6:F1} s] {records,12:N0} records | last second {intervalRate,11:N0} records/s " +
            $"{Units.MiB(intervalRate * recordSize),8:F1} MiB/s | so far {averageRate,11:N0} records/s {Units.MiB(averageRate * recordSize),8:F1} MiB/s");
        previousRecords = records;
        previousTimestamp = now;
    }
}
