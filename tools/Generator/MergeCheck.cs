namespace KafkaSharp.Generator;

/// <summary>
/// Proves a merge right: at every version of the union, the merged schema must give exactly the
/// wire layout (field order, types, nullability, flexible encoding, tags, recursively) of the set
/// that defines that version, 4.x where both do. Names are not compared: renames do not change the wire.
/// </summary>
internal static class MergeCheck
{
    public static void Verify(MessageSpec old, MessageSpec current, MessageSpec merged)
    {
        for (short version = merged.ValidVersions.Lowest; version <= merged.ValidVersions.Highest; version++)
        {
            MessageSpec source = current.ValidVersions.Contains(version) ? current : old;
            string expected = Layout(source, version);
            string actual = Layout(merged, version);
            if (expected != actual)
            {
                throw new InvalidDataException(
                    $"{merged.Name} v{version}: merged layout differs from {source.Sources[0]}:\n  expected {expected}\n  actual   {actual}");
            }
        }
    }

    private static string Layout(MessageSpec spec, short version)
    {
        var parts = new List<string>();
        Append(spec, spec.Fields, version, parts);
        return string.Join(" ", parts);
    }

    private static void Append(MessageSpec spec, List<FieldSpec> fields, short version, List<string> parts)
    {
        bool flexible = spec.FlexibleVersions.Contains(version);
        foreach (FieldSpec field in fields)
        {
            if (!field.Versions.Contains(version) || (field.IsTagged && !field.TaggedVersions.Contains(version)))
            {
                continue;
            }
            string nullable = field.NullableVersions.Contains(version) ? "?" : "";
            string compact = (field.FlexibleVersions ?? spec.FlexibleVersions).Contains(version) ? "c" : "";
            string tag = field.IsTagged ? $"@{field.Tag}" : "";
            string type = field.IsStruct ? (field.IsArray ? "[]{" : "{") : field.Type;
            parts.Add($"{type}{nullable}{compact}{tag}");
            if (field.IsStruct)
            {
                List<FieldSpec> members = field.Fields ?? FindStruct(spec, field.ElementType);
                Append(spec, members, version, parts);
                parts.Add(flexible ? "tags}" : "}");
            }
        }
    }

    private static List<FieldSpec> FindStruct(MessageSpec spec, string name) =>
        spec.CommonStructs.Find(s => s.Name == name)?.Fields
        ?? FindInline(spec.Fields, name)
        ?? spec.CommonStructs.Select(s => FindInline(s.Fields, name)).FirstOrDefault(f => f is not null)
        ?? throw new InvalidDataException($"{spec.Name}: no struct {name}");

    private static List<FieldSpec>? FindInline(List<FieldSpec> fields, string name)
    {
        foreach (FieldSpec field in fields)
        {
            if (field.Fields is null)
            {
                continue;
            }
            if (field.ElementType == name)
            {
                return field.Fields;
            }
            if (FindInline(field.Fields, name) is { } nested)
            {
                return nested;
            }
        }
        return null;
    }
}
