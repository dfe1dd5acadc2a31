using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Tests;

public partial class ConsoleLoggerFactoryTests
{
    [Fact]
    public void WritesKafkaStyleLinesAtOrAboveTheLevel()
    {
        var output = new StringWriter();
        using var factory = new ConsoleLoggerFactory(LogLevel.Information, output);
        var logger = factory.CreateLogger("KafkaSharp.Broker.Network.SocketServer");

        logger.LogDebug("hidden");
        logger.LogWarning("Closing {Connection}", "connection 1");
        logger.LogError(new InvalidOperationException("boom"), "Handler failed");

        var lines = output.ToString().Split(Environment.NewLine);
        Assert.Matches(LinePattern(), lines[0]);
        Assert.EndsWith("] WARN Closing connection 1 (SocketServer)", lines[0]);
        Assert.EndsWith("] ERROR Handler failed (SocketServer)", lines[1]);
        Assert.StartsWith("System.InvalidOperationException: boom", lines[2]);
        Assert.DoesNotContain("hidden", output.ToString());
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        Assert.False(logger.IsEnabled(LogLevel.None));
    }

    [GeneratedRegex(@"^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}\] WARN ")]
    private static partial Regex LinePattern();
}
