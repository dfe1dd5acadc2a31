using System.Globalization;
using System.Text;

namespace KafkaSharp.Broker.Config;

/// <summary>
/// Reads Java <c>.properties</c> text as <c>java.util.Properties.load</c> does, so Kafka's
/// <c>server.properties</c> files work unchanged: <c>#</c>/<c>!</c> comments, <c>key=value</c>,
/// <c>key: value</c> or <c>key value</c>, backslash line continuation, and the escapes
/// <c>\t \n \r \f \uXXXX</c> (any other escaped character stands for itself). A later key wins.
/// </summary>
public static class PropertiesFile
{
    public static Dictionary<string, string> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"Cannot read config file {path}: {e.Message}");
        }
        return Parse(text, path);
    }

    public static Dictionary<string, string> Parse(string text, string sourceName)
    {
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        var logicalLine = new StringBuilder();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var lineNumber = i + 1;
            var line = lines[i].TrimEnd('\r').TrimStart(' ', '\t', '\f');
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }
            logicalLine.Clear();
            while (EndsWithContinuation(line) && i + 1 < lines.Length)
            {
                logicalLine.Append(line, 0, line.Length - 1);
                i++;
                line = lines[i].TrimEnd('\r').TrimStart(' ', '\t', '\f');
            }
            if (EndsWithContinuation(line))
            {
                line = line[..^1]; // a continuation on the last line continues into nothing
            }
            logicalLine.Append(line);
            var (key, value) = SplitKeyValue(logicalLine.ToString(), sourceName, lineNumber);
            properties[key] = value;
        }
        return properties;
    }

    private static bool EndsWithContinuation(string line)
    {
        var backslashes = 0;
        for (var j = line.Length - 1; j >= 0 && line[j] == '\\'; j--)
        {
            backslashes++;
        }
        return backslashes % 2 == 1;
    }

    private static (string Key, string Value) SplitKeyValue(string line, string sourceName, int lineNumber)
    {
        var keyEnd = 0;
        while (keyEnd < line.Length)
        {
            var c = line[keyEnd];
            if (c == '\\')
            {
                keyEnd += 2;
                continue;
            }
            if (c is '=' or ':' or ' ' or '\t' or '\f')
            {
                break;
            }
            keyEnd++;
        }
        keyEnd = Math.Min(keyEnd, line.Length);
        var valueStart = keyEnd;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
        {
            valueStart++;
        }
        if (valueStart < line.Length && line[valueStart] is '=' or ':')
        {
            valueStart++;
            while (valueStart < line.Length && line[valueStart] is ' ' or '\t' or '\f')
            {
                valueStart++;
            }
        }
        return (Unescape(line.AsSpan(0, keyEnd), sourceName, lineNumber),
            Unescape(line.AsSpan(valueStart), sourceName, lineNumber));
    }

    private static string Unescape(ReadOnlySpan<char> text, string sourceName, int lineNumber)
    {
        if (!text.Contains('\\'))
        {
            return text.ToString();
        }
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 == text.Length)
            {
                result.Append(c);
                continue;
            }
            c = text[++i];
            switch (c)
            {
                case 't': result.Append('\t'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 'f': result.Append('\f'); break;
                case 'u':
                    if (i + 4 >= text.Length ||
                        !ushort.TryParse(text.Slice(i + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw new ConfigException($"{sourceName}:{lineNumber}: malformed \\uXXXX escape");
                    }
                    result.Append((char)code);
                    i += 4;
                    break;
                default: result.Append(c); break;
            }
        }
        return result.ToString();
    }
}
