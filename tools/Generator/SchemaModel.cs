namespace KafkaSharp.Generator;

/// <summary>One message schema file (or the merge of the two sets' files), as in Kafka's MessageSpec.</summary>
internal sealed class MessageSpec
{
    public required string Name { get; init; }

    /// <summary>request, response, header or data.</summary>
    public required string Type { get; init; }

    public short? ApiKey { get; init; }

    public required VersionRange ValidVersions { get; init; }

    public required VersionRange FlexibleVersions { get; init; }

    public required List<FieldSpec> Fields { get; init; }

    public required List<StructSpec> CommonStructs { get; init; }

    /// <summary>The schema's top-level comment lines (its per-version changelog).</summary>
    public required List<string> Comments { get; init; }

    public required List<string> Listeners { get; init; }

    public bool LatestVersionUnstable { get; init; }

    /// <summary>Where the schema came from, e.g. "messages-4.x/FetchRequest.json (4.3.0)".</summary>
    public required List<string> Sources { get; init; }
}

internal sealed class StructSpec
{
    public required string Name { get; init; }

    public required List<FieldSpec> Fields { get; init; }
}

internal sealed class FieldSpec
{
    public static readonly HashSet<string> Primitives =
        ["bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64", "uuid", "string", "bytes", "records"];

    public required string Name { get; init; }

    /// <summary>A primitive, "[]Element", or a struct name.</summary>
    public required string Type { get; init; }

    public required VersionRange Versions { get; init; }

    public VersionRange NullableVersions { get; init; } = VersionRange.None;

    public int? Tag { get; init; }

    public VersionRange TaggedVersions { get; init; } = VersionRange.None;

    /// <summary>The schema's default as text ("-1", "0x7fffffff", "true", "null", ...), or null when absent.</summary>
    public string? Default { get; init; }

    public bool Ignorable { get; init; }

    /// <summary>Overrides the message's flexible versions for this field (RequestHeader.ClientId).</summary>
    public VersionRange? FlexibleVersions { get; init; }

    public string About { get; init; } = "";

    public string? EntityType { get; init; }

    public bool MapKey { get; init; }

    public bool ZeroCopy { get; init; }

    /// <summary>Members of an inline struct; null for primitives and references to common structs.</summary>
    public List<FieldSpec>? Fields { get; init; }

    public bool IsArray => Type.StartsWith("[]", StringComparison.Ordinal);

    public string ElementType => IsArray ? Type[2..] : Type;

    public bool IsStruct => !Primitives.Contains(ElementType);

    public bool IsTagged => Tag is not null;

    public FieldSpec WithFields(List<FieldSpec>? fields) => new()
    {
        Name = Name,
        Type = Type,
        Versions = Versions,
        NullableVersions = NullableVersions,
        Tag = Tag,
        TaggedVersions = TaggedVersions,
        Default = Default,
        Ignorable = Ignorable,
        FlexibleVersions = FlexibleVersions,
        About = About,
        EntityType = EntityType,
        MapKey = MapKey,
        ZeroCopy = ZeroCopy,
        Fields = fields,
    };
}
