namespace KafkaSharp.Generator;

/// <summary>Loads both schema sets, merges them and renders every output file (name -> content).</summary>
internal static class Generation
{
    private static readonly (string Folder, string Kafka)[] Sets = [("messages", "3.8.0"), ("messages-4.x", "4.3.0")];

    /// <summary>The only "data" schemas generated; the rest (KRaft records, DefaultPrincipalData) are not served here.</summary>
    private static readonly HashSet<string> DataSchemas = ["ConsumerProtocolSubscription", "ConsumerProtocolAssignment"];

    public static SortedDictionary<string, string> Run(string schemas)
    {
        // Pair by (type, api key) so the 3.8.0 ListClientMetricsResources* pair with the 4.x ListConfigResources*.
        var pairs = new SortedDictionary<string, (MessageSpec? Old, MessageSpec? Current)>(StringComparer.Ordinal);
        for (int set = 0; set < Sets.Length; set++)
        {
            string folder = Path.Combine(schemas, Sets[set].Folder);
            foreach (string path in Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal))
            {
                MessageSpec spec = SchemaReader.Read(path, $"{Sets[set].Folder}/{Path.GetFileName(path)} (Kafka {Sets[set].Kafka})");
                if (spec.Type == "data" && !DataSchemas.Contains(spec.Name))
                {
                    continue;
                }
                string key = spec.ApiKey is { } apiKey ? $"{spec.Type}:{apiKey}" : spec.Name;
                pairs.TryGetValue(key, out var pair);
                pairs[key] = set == 0 ? (spec, pair.Current) : (pair.Old, spec);
            }
        }

        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var byKey = new SortedDictionary<short, (MessageSpec? Request, MessageSpec? Response)>();
        foreach ((MessageSpec? old, MessageSpec? current) in pairs.Values)
        {
            MessageSpec merged = SchemaMerger.Merge(old, current);
            if (old is not null && current is not null)
            {
                MergeCheck.Verify(old, current, merged);
            }
            files.Add($"{merged.Name}.g.cs", new MessageGenerator(MessageModel.Build(merged)).Generate());
            if (merged.ApiKey is { } apiKey)
            {
                byKey.TryGetValue(apiKey, out var api);
                byKey[apiKey] = merged.Type == "request" ? (merged, api.Response) : (api.Request, merged);
            }
        }

        var apis = new List<(MessageSpec Request, MessageSpec Response)>();
        foreach ((short apiKey, var api) in byKey)
        {
            if (api.Request is null || api.Response is null)
            {
                throw new InvalidDataException($"API key {apiKey} lacks its request or response schema.");
            }
            if (api.Request.ValidVersions != api.Response.ValidVersions)
            {
                throw new InvalidDataException($"API key {apiKey}: request and response versions differ.");
            }
            apis.Add((api.Request, api.Response));
        }
        files.Add("ApiKey.g.cs", IndexGenerator.ApiKeys(apis));
        files.Add("MessageFactory.g.cs", IndexGenerator.Factory(apis));
        return files;
    }
}
