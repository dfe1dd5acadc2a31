namespace KafkaSharp.Generator;

/// <summary>A generated class: the message itself or one of its nested struct types.</summary>
internal sealed class StructModel
{
    public required string SchemaName { get; init; }

    public required List<FieldSpec> Specs { get; init; }

    public string ClassName { get; set; } = "";

    /// <summary>Every version in which some field holding this struct is present (the hull of its uses).</summary>
    public VersionRange Hull { get; set; } = VersionRange.None;

    public List<FieldModel> Fields { get; } = [];
}

internal sealed class FieldModel
{
    public required FieldSpec Spec { get; init; }

    public required string PropertyName { get; init; }

    /// <summary>
    /// The versions in which the field is on the wire: its range intersected with the enclosing
    /// struct's hull (and with its tagged versions when tagged).
    /// </summary>
    public required VersionRange Present { get; init; }

    /// <summary>The struct type of a struct or struct-array field.</summary>
    public StructModel? Struct { get; init; }
}

/// <summary>
/// A message prepared for code generation: its struct types found, named and given the versions
/// in which they occur.
/// </summary>
internal sealed class MessageModel
{
    /// <summary>Members every generated class has; a property with one of these names is renamed.</summary>
    private static readonly HashSet<string> CommonMembers = ["Read", "Write", "Size", "UnknownTaggedFields"];

    /// <summary>Members only the top-level class has.</summary>
    private static readonly HashSet<string> TopMembers = ["ApiKey", "LowestVersion", "HighestVersion", "IsFlexible"];

    private MessageModel(MessageSpec spec, StructModel top, List<StructModel> nested)
    {
        Spec = spec;
        Top = top;
        Nested = nested;
    }

    public MessageSpec Spec { get; }

    public StructModel Top { get; }

    /// <summary>Nested struct types in order of first use (depth first).</summary>
    public List<StructModel> Nested { get; }

    public static MessageModel Build(MessageSpec spec)
    {
        var structs = new Dictionary<string, StructModel>();
        foreach (StructSpec common in spec.CommonStructs)
        {
            structs.Add(common.Name, new StructModel { SchemaName = common.Name, Specs = common.Fields });
        }
        var ordered = new List<StructModel>();
        var top = new StructModel { SchemaName = spec.Name, Specs = spec.Fields, ClassName = spec.Name, Hull = spec.ValidVersions };
        Register(spec.Name, spec.Fields, structs);
        foreach (StructSpec common in spec.CommonStructs)
        {
            Register(spec.Name, common.Fields, structs);
        }
        Collect(spec.Name, spec.Fields, structs, ordered);
        ComputeHulls(spec.Fields, spec.ValidVersions, structs);
        StructModel? absent = ordered.Find(s => s.Hull.IsEmpty);
        if (absent is not null)
        {
            throw new InvalidDataException($"{spec.Name}: struct {absent.SchemaName} is in no valid version.");
        }

        Name(spec, top, ordered);
        AddFields(top, structs, isTop: true);
        foreach (StructModel nested in ordered)
        {
            AddFields(nested, structs, isTop: false);
        }
        return new MessageModel(spec, top, ordered);
    }

    /// <summary>Registers every inline struct definition, so a field may refer to one defined elsewhere.</summary>
    private static void Register(string message, List<FieldSpec> fields, Dictionary<string, StructModel> structs)
    {
        foreach (FieldSpec field in fields)
        {
            if (!field.IsStruct || field.Fields is null)
            {
                continue;
            }
            if (structs.TryGetValue(field.ElementType, out StructModel? existing))
            {
                if (!ReferenceEquals(existing.Specs, field.Fields))
                {
                    throw new InvalidDataException($"{message}: struct {field.ElementType} is defined twice.");
                }
                continue;
            }
            structs.Add(field.ElementType, new StructModel { SchemaName = field.ElementType, Specs = field.Fields });
            Register(message, field.Fields, structs);
        }
    }

    /// <summary>Orders the struct types reachable from the message by first use, depth first.</summary>
    private static void Collect(string message, List<FieldSpec> fields, Dictionary<string, StructModel> structs, List<StructModel> ordered)
    {
        foreach (FieldSpec field in fields)
        {
            if (!field.IsStruct)
            {
                continue;
            }
            if (!structs.TryGetValue(field.ElementType, out StructModel? model))
            {
                throw new InvalidDataException($"{message}: field {field.Name} refers to unknown struct {field.ElementType}.");
            }
            if (!ordered.Contains(model))
            {
                ordered.Add(model);
                Collect(message, model.Specs, structs, ordered);
            }
        }
    }

    private static void ComputeHulls(List<FieldSpec> fields, VersionRange enclosing, Dictionary<string, StructModel> structs)
    {
        foreach (FieldSpec field in fields)
        {
            if (!field.IsStruct)
            {
                continue;
            }
            VersionRange present = PresentVersions(field, enclosing);
            if (present.IsEmpty)
            {
                continue;
            }
            StructModel model = structs[field.ElementType];
            model.Hull = model.Hull.Hull(present);
            ComputeHulls(model.Specs, present, structs);
        }
    }

    private static VersionRange PresentVersions(FieldSpec field, VersionRange enclosing)
    {
        VersionRange present = field.Versions.Intersect(enclosing);
        return field.IsTagged ? present.Intersect(field.TaggedVersions) : present;
    }

    /// <summary>
    /// Nested type names: the schema struct name, with "Data" appended while it equals the message
    /// class name, a top-level property, a member every message has, one of its own properties, or
    /// an already taken type name.
    /// </summary>
    private static void Name(MessageSpec spec, StructModel top, List<StructModel> nested)
    {
        var taken = new HashSet<string>(CommonMembers) { spec.Name };
        taken.UnionWith(TopMembers);
        foreach (FieldSpec field in spec.Fields)
        {
            taken.Add(field.Name);
        }
        foreach (StructModel model in nested)
        {
            string name = model.SchemaName;
            while (taken.Contains(name) || model.Specs.Exists(f => f.Name == name))
            {
                name += "Data";
            }
            model.ClassName = name;
            taken.Add(name);
        }
        top.ClassName = spec.Name;
    }

    /// <summary>
    /// Property names: the schema field name, with "Value" appended when it equals one of the
    /// generated members (Read, Write, Size, UnknownTaggedFields; and for a
    /// top-level class ApiKey, LowestVersion, HighestVersion, IsFlexible).
    /// </summary>
    private static void AddFields(StructModel model, Dictionary<string, StructModel> structs, bool isTop)
    {
        foreach (FieldSpec spec in model.Specs)
        {
            string name = spec.Name;
            if (CommonMembers.Contains(name) || (isTop && TopMembers.Contains(name)))
            {
                name += "Value";
            }
            model.Fields.Add(new FieldModel
            {
                Spec = spec,
                PropertyName = name,
                Present = PresentVersions(spec, model.Hull),
                Struct = spec.IsStruct ? structs[spec.ElementType] : null,
            });
        }
    }
}
