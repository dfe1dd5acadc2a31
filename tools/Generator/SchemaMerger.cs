namespace KafkaSharp.Generator;

/// <summary>
/// Merges a message's Kafka 3.8.0 schema with its 4.x schema into one covering the union of their
/// versions, by the rule in shared/kafka-protocol/README.md:
/// versions are the hull of both; 4.x is authoritative for every field it has (order, names, types,
/// ranges, attributes); a 3.8.0 field that 4.x lacks and that exists only in versions 4.x dropped is
/// re-inserted right after its 3.8.0 predecessor (first if none), recursively; nested structs are
/// matched through the field that holds them, not by struct name.
/// </summary>
internal static class SchemaMerger
{
    public static MessageSpec Merge(MessageSpec? old, MessageSpec? current)
    {
        if (old is null || current is null)
        {
            return current ?? old ?? throw new ArgumentException("Nothing to merge.");
        }
        if (old.FlexibleVersions != current.FlexibleVersions)
        {
            throw new InvalidDataException($"{current.Name}: flexibleVersions differ between the schema sets.");
        }
        var merge = new FieldMerge(old, current);
        List<FieldSpec> fields = merge.Fields(old.Fields, current.Fields);
        return new MessageSpec
        {
            Name = current.Name,
            Type = current.Type,
            ApiKey = current.ApiKey,
            ValidVersions = old.ValidVersions.Hull(current.ValidVersions),
            FlexibleVersions = current.FlexibleVersions,
            Fields = fields,
            CommonStructs = merge.CommonStructs(),
            Comments = current.Comments,
            Listeners = current.Listeners,
            LatestVersionUnstable = current.LatestVersionUnstable,
            Sources = [.. old.Sources, .. current.Sources],
        };
    }

    private sealed class FieldMerge(MessageSpec old, MessageSpec current)
    {
        // 4.x common struct name -> the 3.8.0 common struct held by the matching field.
        private readonly Dictionary<string, string> _commonPairs = [];

        public List<FieldSpec> Fields(List<FieldSpec> oldFields, List<FieldSpec> currentFields)
        {
            var result = new List<FieldSpec>();
            foreach (FieldSpec field in currentFields)
            {
                FieldSpec? match = oldFields.Find(f => f.Name == field.Name);
                if (match is not null && field.IsStruct && match.IsStruct)
                {
                    if (field.Fields is not null && match.Fields is not null)
                    {
                        result.Add(field.WithFields(Fields(match.Fields, field.Fields)));
                        continue;
                    }
                    if (field.Fields is null && match.Fields is null)
                    {
                        _commonPairs.TryAdd(field.ElementType, match.ElementType);
                    }
                }
                result.Add(field);
            }
            for (int i = 0; i < oldFields.Count; i++)
            {
                FieldSpec field = oldFields[i];
                if (currentFields.Exists(f => f.Name == field.Name))
                {
                    continue;
                }
                if (!field.Versions.Intersect(current.ValidVersions).IsEmpty)
                {
                    // Present in a version 4.x defines, so 4.x describes it (a rename): 4.x wins.
                    continue;
                }
                int at = i == 0 ? 0 : result.FindIndex(f => f.Name == oldFields[i - 1].Name) + 1;
                result.Insert(at, field);
            }
            return result;
        }

        public List<StructSpec> CommonStructs()
        {
            // Merging one common struct can pair another (a common struct holding a common struct),
            // so repeat until no new pair appears.
            int pairs;
            List<StructSpec> result;
            do
            {
                pairs = _commonPairs.Count;
                result = MergeCommonStructs();
            }
            while (_commonPairs.Count != pairs);
            // A 3.8.0 common struct only re-inserted fields refer to.
            foreach (StructSpec common in old.CommonStructs)
            {
                if (!result.Exists(s => s.Name == common.Name) && !_commonPairs.ContainsValue(common.Name))
                {
                    result.Add(common);
                }
            }
            return result;
        }

        private List<StructSpec> MergeCommonStructs()
        {
            var result = new List<StructSpec>();
            foreach (StructSpec common in current.CommonStructs)
            {
                StructSpec? match = _commonPairs.TryGetValue(common.Name, out string? oldName)
                    ? old.CommonStructs.Find(s => s.Name == oldName)
                    : null;
                result.Add(match is null ? common : new StructSpec { Name = common.Name, Fields = Fields(match.Fields, common.Fields) });
            }
            return result;
        }
    }
}
