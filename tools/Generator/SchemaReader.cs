using System.Globalization;
using System.Text.Json;

namespace KafkaSharp.Generator;

/// <summary>
/// Reads Kafka's message schema files: JSON with // comments, lenient about the quirks the files have
/// (tags and defaults written as strings or as bare JSON numbers and booleans).
/// </summary>
internal static class SchemaReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static MessageSpec Read(string path, string source)
    {
        string text = File.ReadAllText(path);
        using JsonDocument document = JsonDocument.Parse(text, Options);
        JsonElement root = document.RootElement;
        return new MessageSpec
        {
            Name = root.GetProperty("name").GetString()!,
            Type = root.GetProperty("type").GetString()!,
            ApiKey = root.TryGetProperty("apiKey", out JsonElement apiKey) ? (short)ReadInt(apiKey) : null,
            ValidVersions = VersionRange.Parse(root.GetProperty("validVersions").GetString()!),
            FlexibleVersions = VersionRange.Parse(root.GetProperty("flexibleVersions").GetString()!),
            Fields = ReadFields(root.GetProperty("fields")),
            CommonStructs = root.TryGetProperty("commonStructs", out JsonElement common)
                ? common.EnumerateArray().Select(s => new StructSpec
                {
                    Name = s.GetProperty("name").GetString()!,
                    Fields = ReadFields(s.GetProperty("fields")),
                }).ToList()
                : [],
            Comments = ReadTopComments(text),
            Listeners = root.TryGetProperty("listeners", out JsonElement listeners)
                ? listeners.EnumerateArray().Select(l => l.GetString()!).ToList()
                : [],
            LatestVersionUnstable = root.TryGetProperty("latestVersionUnstable", out JsonElement unstable) && unstable.GetBoolean(),
            Sources = [source],
        };
    }

    private static List<FieldSpec> ReadFields(JsonElement fields) => fields.EnumerateArray().Select(ReadField).ToList();

    private static FieldSpec ReadField(JsonElement f) => new()
    {
        Name = f.GetProperty("name").GetString()!,
        Type = f.GetProperty("type").GetString()!,
        Versions = VersionRange.Parse(f.GetProperty("versions").GetString()!),
        NullableVersions = OptionalRange(f, "nullableVersions") ?? VersionRange.None,
        Tag = f.TryGetProperty("tag", out JsonElement tag) ? ReadInt(tag) : null,
        TaggedVersions = OptionalRange(f, "taggedVersions") ?? VersionRange.None,
        Default = f.TryGetProperty("default", out JsonElement d) ? ScalarText(d) : null,
        Ignorable = f.TryGetProperty("ignorable", out JsonElement ignorable) && ignorable.GetBoolean(),
        FlexibleVersions = OptionalRange(f, "flexibleVersions"),
        About = f.TryGetProperty("about", out JsonElement about) ? about.GetString()! : "",
        EntityType = f.TryGetProperty("entityType", out JsonElement entity) ? entity.GetString() : null,
        MapKey = f.TryGetProperty("mapKey", out JsonElement mapKey) && mapKey.GetBoolean(),
        ZeroCopy = f.TryGetProperty("zeroCopy", out JsonElement zeroCopy) && zeroCopy.GetBoolean(),
        Fields = f.TryGetProperty("fields", out JsonElement nested) ? ReadFields(nested) : null,
    };

    private static VersionRange? OptionalRange(JsonElement f, string name) =>
        f.TryGetProperty(name, out JsonElement value) ? VersionRange.Parse(value.GetString()!) : null;

    private static int ReadInt(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? int.Parse(value.GetString()!, CultureInfo.InvariantCulture)
        : value.GetInt32();

    private static string ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Number => value.GetRawText(),
        _ => throw new InvalidDataException($"Unexpected default {value.GetRawText()}"),
    };

    /// <summary>
    /// The comment lines between the opening brace (after the licence header) and "fields": the
    /// schema's own description of its versions.
    /// </summary>
    private static List<string> ReadTopComments(string text)
    {
        var comments = new List<string>();
        bool inBody = false;
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.Trim();
            if (!inBody)
            {
                inBody = line.StartsWith('{');
                continue;
            }
            if (line.StartsWith("\"fields\"", StringComparison.Ordinal))
            {
                break;
            }
            if (line.StartsWith("//", StringComparison.Ordinal))
            {
                comments.Add(line[2..].Trim());
            }
        }
        while (comments.Count > 0 && comments[^1].Length == 0)
        {
            comments.RemoveAt(comments.Count - 1);
        }
        return comments;
    }
}
