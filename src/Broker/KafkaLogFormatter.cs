using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace KafkaSharp.Broker;

/// <summary>
/// Console lines in Kafka's log4j layout, so the broker's output reads like Kafka's:
/// <c>[2026-11-22 00:45:43,435] INFO Accepted connection 1 ... (SocketServer)</c>.
/// An exception follows on the next lines.
/// </summary>
public sealed class KafkaLogFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "kafka";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        var category = logEntry.Category;
        var lastDot = category.LastIndexOf('.');
        textWriter.Write('[');
        textWriter.Write(DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss,fff", System.Globalization.CultureInfo.InvariantCulture));
        textWriter.Write("] ");
        textWriter.Write(logEntry.LogLevel switch
        {
            LogLevel.Trace => "TRACE",
            LogLevel.Debug => "DEBUG",
            LogLevel.Information => "INFO",
            LogLevel.Warning => "WARN",
            LogLevel.Error => "ERROR",
            _ => "FATAL",
        });
        textWriter.Write(' ');
        textWriter.Write(message);
        textWriter.Write(" (");
        textWriter.Write(lastDot < 0 ? category : category.AsSpan(lastDot + 1));
        textWriter.WriteLine(')');
        if (logEntry.Exception is { } exception)
        {
            textWriter.WriteLine(exception.ToString());
        }
    }
}
