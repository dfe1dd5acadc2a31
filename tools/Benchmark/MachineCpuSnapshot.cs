namespace KafkaSharp.Benchmark;

/// <summary>
/// The machine's CPU counters (the "cpu" line of /proc/stat) and load average, so each phase can say
/// how much of the machine other processes took: on a shared 2-core machine that moves the numbers.
/// </summary>
internal readonly record struct MachineCpuSnapshot(long BusyTicks, long TotalTicks, string LoadAverage)
{
    public static MachineCpuSnapshot Take()
    {
        var cpuLine = File.ReadLines("/proc/stat").First(line => line.StartsWith("cpu ", StringComparison.Ordinal));
        // user nice system idle iowait irq softirq steal ...: idle and iowait are the idle ones.
        var fields = cpuLine.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(long.Parse).ToArray();
        var total = fields.Sum();
        var idle = fields[3] + fields[4];
        var loadAverage = string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        return new MachineCpuSnapshot(total - idle, total, loadAverage);
    }

    /// <summary>CPU time all processes used between <paramref name="start"/> and this snapshot, over <paramref name="elapsed"/>.</summary>
    public TimeSpan BusySince(MachineCpuSnapshot start, TimeSpan elapsed)
    {
        var totalTicks = TotalTicks - start.TotalTicks;
        return totalTicks == 0 ? TimeSpan.Zero : elapsed * Environment.ProcessorCount * ((double)(BusyTicks - start.BusyTicks) / totalTicks);
    }
}
