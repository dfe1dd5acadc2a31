using Microsoft.Diagnostics.NETCore.Client;

namespace KafkaSharp.Benchmark;

/// <summary>Measures the broker process (given by --broker-pid) over one phase and prints what it used.</summary>
internal sealed class BrokerMonitor : IDisposable
{
    private readonly int pid;
    private readonly BrokerProcessSnapshot start;
    private readonly BrokerRuntimeEvents? runtimeEvents;
    private readonly string? runtimeEventsError;

    private BrokerMonitor(int pid)
    {
        this.pid = pid;
        try
        {
            runtimeEvents = BrokerRuntimeEvents.Start(pid);
        }
        catch (Exception e) when (e is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException)
        {
            runtimeEventsError = e.Message;
        }

        start = BrokerProcessSnapshot.Take(pid);
    }

    public static BrokerMonitor? StartIfRequested(BenchmarkOptions options) =>
        options.BrokerPid is { } pid ? new BrokerMonitor(pid) : null;

    /// <summary>
    /// Takes the closing snapshot and prints the phase's broker figures (<paramref name="recordBytes"/>
    /// scales allocations); returns the broker's CPU time during the phase.
    /// </summary>
    public TimeSpan StopAndPrint(string phase, TimeSpan elapsed, long recordBytes)
    {
        var end = BrokerProcessSnapshot.Take(pid);
        var cpu = end.Cpu - start.Cpu;
        Console.WriteLine($"broker (pid {pid}) during {phase}: CPU {cpu.TotalSeconds:F2} s ({cpu / elapsed * 100:F0}% of one core over {elapsed.TotalSeconds:F2} s), " +
            $"peak RSS (VmHWM) {Units.MiB(start.PeakResidentBytes):F1} -> {Units.MiB(end.PeakResidentBytes):F1} MiB, RSS now {Units.MiB(end.ResidentBytes):F1} MiB");
        Console.Write("  broker CPU by thread name:");
        foreach (var (name, threadCpu, threads) in end.CpuByThreadNameSince(start).Take(8))
        {
            Console.Write($" {name} x{threads} {threadCpu.TotalSeconds:F2} s;");
        }

        Console.WriteLine();
        if (runtimeEvents is null)
        {
            Console.WriteLine($"  broker .NET runtime events: not available ({runtimeEventsError})");
            return cpu;
        }

        var totals = runtimeEvents.Stop();
        var perMiB = recordBytes > 0 ? totals.AllocatedBytesByCounter / Units.MiB(recordBytes) : 0;
        Console.WriteLine($"  broker allocations: {Units.MiB(totals.AllocatedBytesByCounter):F2} MiB by the alloc-rate counter " +
            $"({perMiB:N0} bytes per MiB of record values), {Units.MiB(totals.AllocatedBytesByTicks):F2} MiB by allocation ticks");
        Console.WriteLine($"  broker GC: gen0 {totals.CollectionsByGeneration[0]}, gen1 {totals.CollectionsByGeneration[1]}, gen2 {totals.CollectionsByGeneration[2]} collections; " +
            $"pauses {totals.PauseTotalMilliseconds:F1} ms total, {totals.PauseMaxMilliseconds:F1} ms max; largest heap after a GC {Units.MiB(totals.HeapSizeMaxBytes):F1} MiB");
        if (totals.TopSampledTypes.Count > 0)
        {
            Console.Write("  broker allocation samples by type:");
            foreach (var (typeName, sampledBytes) in totals.TopSampledTypes)
            {
                Console.Write($" {typeName} {Units.MiB(sampledBytes):F1} MiB;");
            }

            Console.WriteLine();
        }

        return cpu;
    }

    public void Dispose() => runtimeEvents?.Dispose();
}
