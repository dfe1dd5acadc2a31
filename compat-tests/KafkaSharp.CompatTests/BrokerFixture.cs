using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace KafkaSharp.CompatTests;

/// <summary>
/// One KafkaSharp broker process for a test collection: the already-built kafkasharp.dll started with
/// `dotnet`, listening on a free port of 127.0.0.1 with a temporary data folder. It can be restarted on
/// the same port and folder, and is stopped (SIGTERM, then kill) and its folder deleted at the end.
/// </summary>
public class BrokerFixture : IDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly string _name;
    private readonly string[] _overrides;
    private readonly object _outputLock = new();
    private readonly StringBuilder _output = new();
    private StreamWriter? _logWriter;
    private Process? _process;
    private int _starts;

    public BrokerFixture()
        : this("default")
    {
    }

    protected BrokerFixture(string name, params string[] overrides)
    {
        _name = name;
        _overrides = overrides;
        Port = FreePort();
        DataDirectory = Directory.CreateTempSubdirectory($"kafkasharp-compat-{name}-").FullName;
        Directory.CreateDirectory(RepositoryPaths.BrokerLogDirectory);
        LogFile = Path.Combine(RepositoryPaths.BrokerLogDirectory, $"{name}-{Port}.log");
        try
        {
            Start();
        }
        catch
        {
            // xunit does not dispose a fixture whose constructor threw.
            _logWriter?.Dispose();
            Directory.Delete(DataDirectory, recursive: true);
            throw;
        }
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public string LogFile { get; }

    public string BootstrapServers => $"127.0.0.1:{Port}";

    /// <summary>Everything the broker printed so far (all starts), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_outputLock)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Clean shutdown (SIGTERM), then a start on the same port and data folder.</summary>
    public void Restart()
    {
        Stop();
        Start();
    }

    /// <summary>SIGKILL, as in a crash, then a start on the same port and data folder (the broker must recover its logs).</summary>
    public void KillAndRestart()
    {
        var process = _process ?? throw new InvalidOperationException("broker is not running");
        Append("### SIGKILL");
        process.Kill(entireProcessTree: true);
        Stop();
        Start();
    }

    public void Dispose()
    {
        Stop();
        _logWriter?.Dispose();
        Directory.Delete(DataDirectory, recursive: true);
        GC.SuppressFinalize(this);
    }

    private void Start()
    {
        if (!File.Exists(RepositoryPaths.BrokerDll))
        {
            throw new InvalidOperationException(
                $"Broker not built: {RepositoryPaths.BrokerDll} is missing. Run `dotnet build -c Release KafkaSharp.sln` (test.sh does).");
        }

        _starts++;
        _logWriter ??= new StreamWriter(LogFile, append: false) { AutoFlush = true };
        Append($"### start {_starts}: port {Port}, log.dirs {DataDirectory}");

        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DataDirectory,
        };
        startInfo.ArgumentList.Add(RepositoryPaths.BrokerDll);
        foreach (var setting in new[] { $"listeners=PLAINTEXT://127.0.0.1:{Port}", $"log.dirs={DataDirectory}" }.Concat(_overrides))
        {
            startInfo.ArgumentList.Add("--override");
            startInfo.ArgumentList.Add(setting);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data is null ? null : "[stderr] " + e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (!AcceptsConnections())
        {
            if (process.HasExited)
            {
                process.WaitForExit();
                throw new InvalidOperationException(
                    $"Broker '{_name}' exited with code {process.ExitCode} before accepting connections on port {Port}.\n{Output}");
            }

            if (deadline.Elapsed > StartTimeout)
            {
                Stop();
                throw new TimeoutException(
                    $"Broker '{_name}' did not accept connections on port {Port} within {StartTimeout.TotalSeconds} s.\n{Output}");
            }

            Thread.Sleep(100);
        }
    }

    private void Stop()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        _process = null;
        if (!process.HasExited)
        {
            // SIGTERM is the broker's clean shutdown; kill only if it does not finish in time.
            kill(process.Id, SigTerm);
            if (!process.WaitForExit(StopTimeout))
            {
                Append($"### broker did not stop within {StopTimeout.TotalSeconds} s of SIGTERM; killing it");
                process.Kill(entireProcessTree: true);
            }
        }

        process.WaitForExit();
        Append($"### exited with code {process.ExitCode}");
        process.Dispose();
    }

    private bool AcceptsConnections()
    {
        using var client = new TcpClient();
        try
        {
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_outputLock)
        {
            _output.AppendLine(line);
            _logWriter?.WriteLine(line);
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
