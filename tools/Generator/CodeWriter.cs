using System.Text;

namespace KafkaSharp.Generator;

/// <summary>Builds C# text with four-space indentation and \n line endings, whatever the platform.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(line);
        }
        _text.Append('\n');
    }

    public void Open(string line)
    {
        Line(line);
        Line("{");
        _indent++;
    }

    public void Close(string closing = "}")
    {
        _indent--;
        Line(closing);
    }

    public void Lines(IEnumerable<string> lines)
    {
        foreach (string line in lines)
        {
            Line(line);
        }
    }

    /// <summary>Text lines as a /// doc comment element, XML-escaped.</summary>
    public void Doc(string element, IEnumerable<string> lines)
    {
        var all = lines.ToList();
        if (all.Count == 1)
        {
            Line($"/// <{element}>{Escape(all[0])}</{element}>");
            return;
        }
        Line($"/// <{element}>");
        foreach (string line in all)
        {
            Line(line.Length == 0 ? "///" : "/// " + Escape(line));
        }
        Line($"/// </{element}>");
    }

    public static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public override string ToString() => _text.ToString();
}
