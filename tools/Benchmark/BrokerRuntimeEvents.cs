using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace KafkaSharp.Benchmark;

/// <summary>
/// Listens to a .NET broker's runtime through its diagnostics port (EventPipe, the same channel
/// dotnet-counters and dotnet-trace use), so the broker needs no hook of its own:
/// <list type="bullet">
/// <item>the System.Runtime "alloc-rate" counter (GC.GetTotalAllocatedBytes deltas, once a second),
/// summed into the bytes the broker allocated;</item>
/// <item>GC events: collections per generation, pause time (suspend to restart), heap size after each GC;</item>
/// <item>GCAllocationTick samples (one per ~100 KB allocated, naming the type that crossed the
/// threshold), which show what the allocations are.</item>
/// </list>
/// </summary>
internal sealed class BrokerRuntimeEvents : IDisposable
{
    private const int CounterIntervalSeconds = 1;

    private readonly EventPipeSession session;
    private readonly EventPipeEventSource source;
    private readonly Thread processing;
    private readonly Dictionary<string, long> sampledBytesByType = new(StringComparer.Ordinal);
    private readonly long[] collectionsByGeneration = new long[3];
    private double allocatedByCounter;
    private long allocatedByTicks;
    private double pauseStartMilliseconds = double.NaN;
    private double pauseTotalMilliseconds;
    private double pauseMaxMilliseconds;
    private long heapSizeMaxBytes;
    private Exception? processingError;

    private BrokerRuntimeEvents(EventPipeSession session)
    {
        this.session = session;
        source = new EventPipeEventSource(session.EventStream);
        source.Dynamic.All += OnDynamicEvent;
        source.Clr.GCAllocationTick += OnAllocationTick;
        source.Clr.GCStart += data =>
        {
            if (data.Depth is >= 0 and < 3)
            {
                collectionsByGeneration[data.Depth]++;
            }
        };
        source.Clr.GCSuspendEEStart += data => pauseStartMilliseconds = data.TimeStampRelativeMSec;
        source.Clr.GCRestartEEStop += data =>
        {
            if (!double.IsNaN(pauseStartMilliseconds))
            {
                var pause = data.TimeStampRelativeMSec - pauseStartMilliseconds;
                pauseTotalMilliseconds += pause;
                pauseMaxMilliseconds = Math.Max(pauseMaxMilliseconds, pause);
                pauseStartMilliseconds = double.NaN;
            }
        };
        source.Clr.GCHeapStats += data =>
        {
            var heapSize = data.GenerationSize0 + data.GenerationSize1 + data.GenerationSize2 + data.GenerationSize3 + data.GenerationSize4;
            heapSizeMaxBytes = Math.Max(heapSizeMaxBytes, heapSize);
        };
        processing = new Thread(Process) { IsBackground = true, Name = "broker-eventpipe" };
        processing.Start();
    }

    /// <summary>Starts listening; fails (with the reason) when the process is not .NET or its diagnostics port is off.</summary>
    public static BrokerRuntimeEvents Start(int pid)
    {
        var client = new DiagnosticsClient(pid);
        EventPipeProvider[] providers =
        [
            new("System.Runtime", EventLevel.Informational, 0,
                new Dictionary<string, string> { ["EventCounterIntervalSec"] = CounterIntervalSeconds.ToString() }),
            new("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC),
        ];
        return new BrokerRuntimeEvents(client.StartEventPipeSession(providers, requestRundown: false));
    }

    /// <summary>
    /// Waits for one more counter interval (so the allocations of the phase's last second are
    /// reported), ends the session and returns what was seen.
    /// </summary>
    public RuntimeTotals Stop()
    {
        Thread.Sleep(TimeSpan.FromSeconds(CounterIntervalSeconds * 1.5));
        session.Stop();
        processing.Join();
        if (processingError is not null)
        {
            throw new InvalidOperationException("Reading the broker's runtime events failed", processingError);
        }

        var topTypes = sampledBytesByType.OrderByDescending(entry => entry.Value).Take(8).Select(entry => (entry.Key, entry.Value)).ToList();
        return new RuntimeTotals((long)allocatedByCounter, allocatedByTicks, collectionsByGeneration.ToArray(),
            pauseTotalMilliseconds, pauseMaxMilliseconds, heapSizeMaxBytes, topTypes);
    }

    public void Dispose()
    {
        session.Dispose();
        source.Dispose();
    }

    private void Process()
    {
        try
        {
            source.Process();
        }
        catch (Exception e)
        {
            processingError = e;
        }
    }

    private void OnAllocationTick(GCAllocationTickTraceData data)
    {
        allocatedByTicks += data.AllocationAmount64;
        var typeName = string.IsNullOrEmpty(data.TypeName) ? "(unnamed)" : data.TypeName;
        sampledBytesByType[typeName] = sampledBytesByType.GetValueOrDefault(typeName) + data.AllocationAmount64;
    }

    private void OnDynamicEvent(TraceEvent data)
    {
        if (data.EventName != "EventCounters" || data.PayloadValue(0) is not IDictionary<string, object> wrapper
            || wrapper.TryGetValue("Payload", out var inner) is false || inner is not IDictionary<string, object> counter)
        {
            return;
        }

        if (counter.TryGetValue("Name", out var name) && (string)name == "alloc-rate"
            && counter.TryGetValue("Increment", out var increment))
        {
            allocatedByCounter += Convert.ToDouble(increment);
        }
    }

    internal sealed record RuntimeTotals(
        long AllocatedBytesByCounter,
        long AllocatedBytesByTicks,
        long[] CollectionsByGeneration,
        double PauseTotalMilliseconds,
        double PauseMaxMilliseconds,
        long HeapSizeMaxBytes,
        List<(string TypeName, long SampledBytes)> TopSampledTypes);
}
