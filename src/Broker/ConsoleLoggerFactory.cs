using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker;

/// <summary>
/// The broker's logging: the standard <see cref="ILogger"/> abstraction, written to stdout in
/// Kafka's log4j layout so the output reads like Kafka's:
/// <c>[2026-11-22 00:45:43,435] INFO Accepted connection 1 ... (SocketServer)</c>, an exception
/// on the lines after.
/// </summary>
/// <remarks>
/// Our own small factory rather than Microsoft.Extensions.Logging.Console: that provider's
/// setup (options, DI, formatter registration) took 150-300 ms of a broker start here, and tests
/// start brokers often. Each line is one write under the console's lock, as log4j's console
/// appender does; the broker logs per connection or per problem, never per record.
/// </remarks>
public sealed class ConsoleLoggerFactory(LogLevel minimumLevel, TextWriter output) : ILoggerFactory
{
    public ConsoleLoggerFactory(LogLevel minimumLevel)
        : this(minimumLevel, Console.Out)
    {
    }

    public ILogger CreateLogger(string categoryName)
    {
        var lastDot = categoryName.LastIndexOf('.');
        return new Logger(lastDot < 0 ? categoryName : categoryName[(lastDot + 1)..], minimumLevel, output);
    }

    /// <summary>Not supported: this factory is its own single provider.</summary>
    public void AddProvider(ILoggerProvider provider) =>
        throw new NotSupportedException("ConsoleLoggerFactory writes to the console only");

    public void Dispose() => output.Flush();

    private sealed class Logger(string category, LogLevel minimumLevel, TextWriter output) : ILogger
    {
        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimumLevel && logLevel != LogLevel.None;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var line = new StringBuilder(128)
                .Append('[')
                .Append(DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", CultureInfo.InvariantCulture))
                .Append("] ")
                .Append(logLevel switch
                {
                    LogLevel.Trace => "TRACE",
                    LogLevel.Debug => "DEBUG",
                    LogLevel.Information => "INFO",
                    LogLevel.Warning => "WARN",
                    LogLevel.Error => "ERROR",
                    _ => "FATAL",
                })
                .Append(' ')
                .Append(formatter(state, exception))
                .Append(" (")
                .Append(category)
                .Append(')')
                .AppendLine();
            if (exception is not null)
            {
                line.Append(exception).AppendLine();
            }
            output.Write(line.ToString());
        }
    }
}
