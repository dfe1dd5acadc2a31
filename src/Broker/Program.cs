using System.Runtime.InteropServices;
using KafkaSharp.Broker;
using KafkaSharp.Broker.Config;
using KafkaSharp.Broker.Network;
using Microsoft.Extensions.Logging;

/// <summary>
/// <c>kafkasharp [--config server.properties] [--override name=value]... [--log-level level]</c>.
/// Starts the broker, prints one "started" line on stdout, runs until SIGTERM or Ctrl-C, then
/// shuts down cleanly. A bad config or a busy port is one line on stderr and exit code 1.
/// </summary>
internal static partial class Program
{
    private const string Version = "0.1";
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private const string Usage = """
        Usage: kafkasharp [--config server.properties] [--override name=value]... [--log-level level]
          --config FILE         Kafka-style properties file (listeners, log.dirs, node.id, num.partitions, ...)
          --override NAME=VALUE set one config, after the file; repeatable
          --log-level LEVEL     trace, debug, info (default), warn, error
          --version             print the version
        """;

    private static async Task<int> Main(string[] args)
    {
        if (!TryParseArguments(args, out var configFile, out var overrides, out var logLevel, out var exitCode))
        {
            return exitCode;
        }

        using var loggerFactory = new ConsoleLoggerFactory(logLevel);
        var logger = loggerFactory.CreateLogger("KafkaSharp");

        KafkaServer server;
        try
        {
            var config = BrokerConfig.Load(configFile, overrides);
            foreach (var name in config.UnknownNames)
            {
                LogUnknownConfig(logger, name);
            }
            server = KafkaServer.Start(config, loggerFactory);
        }
        catch (Exception e) when (e is ConfigException or ListenerBindException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"kafkasharp: {e.Message}");
            return 1;
        }

        var shutdown = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void RequestShutdown(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, after draining
            shutdown.TrySetResult();
        }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, RequestShutdown);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, RequestShutdown);

        Console.Out.WriteLine(
            $"KafkaSharp {Version} started: node {server.Services.NodeId}, " +
            $"listener {string.Join(", ", server.Listeners)}, data {string.Join(", ", server.Services.Config.LogDirs)}");
        Console.Out.Flush();

        await shutdown.Task.ConfigureAwait(false);
        await server.StopAsync(DrainTimeout).ConfigureAwait(false);
        return 0;
    }

    private static bool TryParseArguments(string[] args, out string? configFile, out List<KeyValuePair<string, string>> overrides,
        out LogLevel logLevel, out int exitCode)
    {
        configFile = null;
        overrides = [];
        logLevel = LogLevel.Information;
        exitCode = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h":
                    Console.Out.WriteLine(Usage);
                    return false;
                case "--version":
                    Console.Out.WriteLine($"KafkaSharp {Version}");
                    return false;
            }
            if (arg is not ("--config" or "--override" or "--log-level"))
            {
                return UsageError($"unknown argument '{arg}'", out exitCode);
            }
            if (i + 1 == args.Length)
            {
                return UsageError($"{arg} needs a value", out exitCode);
            }
            var value = args[++i];
            switch (arg)
            {
                case "--config":
                    configFile = value;
                    break;
                case "--override":
                    var equals = value.IndexOf('=');
                    if (equals <= 0)
                    {
                        return UsageError($"--override expects name=value, got '{value}'", out exitCode);
                    }
                    overrides.Add(new(value[..equals].Trim(), value[(equals + 1)..]));
                    break;
                default:
                    if (!TryParseLogLevel(value, out logLevel))
                    {
                        return UsageError($"unknown log level '{value}'", out exitCode);
                    }
                    break;
            }
        }
        return true;
    }

    private static bool UsageError(string message, out int exitCode)
    {
        Console.Error.WriteLine($"kafkasharp: {message}");
        Console.Error.WriteLine(Usage);
        exitCode = 1;
        return false;
    }

    private static bool TryParseLogLevel(string value, out LogLevel level)
    {
        switch (value.ToLowerInvariant())
        {
            case "trace": level = LogLevel.Trace; return true;
            case "debug": level = LogLevel.Debug; return true;
            case "info" or "information": level = LogLevel.Information; return true;
            case "warn" or "warning": level = LogLevel.Warning; return true;
            case "error": level = LogLevel.Error; return true;
            default: level = LogLevel.Information; return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The configuration '{Name}' was supplied but isn't a known config.")]
    private static partial void LogUnknownConfig(ILogger logger, string name);
}
