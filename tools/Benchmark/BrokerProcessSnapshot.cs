using System.ComponentModel;
using System.Diagnostics;

namespace KafkaSharp.Benchmark;

/// <summary>
/// The broker process's CPU time, resident memory and per-thread CPU at one moment. The BCL reads
/// these from /proc/&lt;pid&gt;/stat (utime + stime), /proc/&lt;pid&gt;/status (VmRSS, VmHWM) and
/// /proc/&lt;pid&gt;/task/&lt;tid&gt;/stat; thread names come from /proc/&lt;pid&gt;/task/&lt;tid&gt;/comm.
/// </summary>
internal sealed class BrokerProcessSnapshot
{
    private BrokerProcessSnapshot(TimeSpan cpu, long residentBytes, long peakResidentBytes, Dictionary<int, ThreadCpu> threads)
    {
        Cpu = cpu;
        ResidentBytes = residentBytes;
        PeakResidentBytes = peakResidentBytes;
        Threads = threads;
    }

    public TimeSpan Cpu { get; }

    public long ResidentBytes { get; }

    /// <summary>VmHWM: the largest resident set since the process started.</summary>
    public long PeakResidentBytes { get; }

    public Dictionary<int, ThreadCpu> Threads { get; }

    public static BrokerProcessSnapshot Take(int pid)
    {
        using var process = Process.GetProcessById(pid);
        var threads = new Dictionary<int, ThreadCpu>();
        foreach (ProcessThread thread in process.Threads)
        {
            if (TryReadThread(pid, thread, out var threadCpu))
            {
                threads[thread.Id] = threadCpu;
            }
        }

        return new BrokerProcessSnapshot(process.TotalProcessorTime, process.WorkingSet64, process.PeakWorkingSet64, threads);
    }

    /// <summary>CPU per thread name during the interval from <paramref name="start"/> to this snapshot, largest first.</summary>
    public List<(string Name, TimeSpan Cpu, int Threads)> CpuByThreadNameSince(BrokerProcessSnapshot start)
    {
        var byName = new Dictionary<string, (TimeSpan Cpu, int Threads)>();
        foreach (var (threadId, end) in Threads)
        {
            var before = start.Threads.TryGetValue(threadId, out var startCpu) ? startCpu.Cpu : TimeSpan.Zero;
            var sum = byName.GetValueOrDefault(end.Name);
            byName[end.Name] = (sum.Cpu + end.Cpu - before, sum.Threads + 1);
        }

        return byName.Select(entry => (entry.Key, entry.Value.Cpu, entry.Value.Threads)).OrderByDescending(entry => entry.Cpu).ToList();
    }

    private static bool TryReadThread(int pid, ProcessThread thread, out ThreadCpu threadCpu)
    {
        try
        {
            var name = File.ReadAllText($"/proc/{pid}/task/{thread.Id}/comm").TrimEnd('\n');
            threadCpu = new ThreadCpu(name, thread.TotalProcessorTime);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or Win32Exception)
        {
            // The thread ended between listing and reading it; its CPU stays in the process total.
            threadCpu = default;
            return false;
        }
    }

    internal readonly record struct ThreadCpu(string Name, TimeSpan Cpu);
}
