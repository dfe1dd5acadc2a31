using System.Globalization;
using System.Text;
using KafkaSharp.Broker.Config;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Broker;

/// <summary>
/// Kafka's <c>meta.properties</c> (version 1) in every data directory: <c>cluster.id</c>,
/// <c>node.id</c>, <c>directory.id</c>. Kafka needs <c>kafka-storage format</c> to write it; KafkaSharp
/// writes it on first start with a new random cluster id, and on later starts refuses a directory
/// that belongs to another node or cluster, as Kafka does.
/// </summary>
public static class MetaProperties
{
    public const string FileName = "meta.properties";

    /// <summary>Creates missing directories and files; returns the cluster id shared by all directories.</summary>
    /// <exception cref="ConfigException">A directory belongs to another node or cluster, or its file is unreadable.</exception>
    public static string LoadOrCreate(IReadOnlyList<string> logDirs, int nodeId)
    {
        string? clusterId = null;
        var missing = new List<string>();
        foreach (var dir in logDirs)
        {
            var path = Path.Combine(dir, FileName);
            if (!File.Exists(path))
            {
                missing.Add(dir);
                continue;
            }
            var properties = PropertiesFile.Load(path);
            if (!properties.TryGetValue("version", out var version) || version != "1")
            {
                throw new ConfigException($"{path}: unsupported meta.properties version '{version}' (expected 1)");
            }
            if (!properties.TryGetValue("node.id", out var storedNodeId) ||
                !int.TryParse(storedNodeId, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var stored) ||
                stored != nodeId)
            {
                throw new ConfigException($"{path}: stored node.id {storedNodeId} does not match configured node.id {nodeId}");
            }
            if (!properties.TryGetValue("cluster.id", out var storedClusterId) || storedClusterId.Length == 0)
            {
                throw new ConfigException($"{path}: no cluster.id");
            }
            if (clusterId is not null && clusterId != storedClusterId)
            {
                throw new ConfigException($"{path}: cluster.id {storedClusterId} differs from {clusterId} in another log dir");
            }
            clusterId = storedClusterId;
        }
        clusterId ??= KafkaUuid.NewRandom().ToString();
        foreach (var dir in missing)
        {
            Write(dir, clusterId, nodeId);
        }
        return clusterId;
    }

    private static void Write(string dir, string clusterId, int nodeId)
    {
        Directory.CreateDirectory(dir);
        var content = new StringBuilder()
            .Append("#\n#").Append(DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture)).Append('\n')
            .Append("cluster.id=").Append(clusterId).Append('\n')
            .Append("directory.id=").Append(KafkaUuid.NewRandom().ToString()).Append('\n')
            .Append("node.id=").Append(nodeId.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("version=1\n")
            .ToString();
        var path = Path.Combine(dir, FileName);
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.UTF8.GetBytes(content));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
