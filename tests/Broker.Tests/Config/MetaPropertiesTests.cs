using KafkaSharp.Broker.Config;

namespace KafkaSharp.Broker.Tests.Config;

public sealed class MetaPropertiesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ks-meta-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void CreatesOneClusterIdForAllDirectoriesAndKeepsIt()
    {
        string[] dirs = [Path.Combine(_root, "a"), Path.Combine(_root, "b")];

        var clusterId = MetaProperties.LoadOrCreate(dirs, 1);

        Assert.Equal(22, clusterId.Length);
        foreach (var dir in dirs)
        {
            var properties = PropertiesFile.Load(Path.Combine(dir, MetaProperties.FileName));
            Assert.Equal(clusterId, properties["cluster.id"]);
            Assert.Equal("1", properties["node.id"]);
            Assert.Equal("1", properties["version"]);
            Assert.Equal(22, properties["directory.id"].Length);
        }
        Assert.Equal(clusterId, MetaProperties.LoadOrCreate(dirs, 1));

        // A new directory joins the existing cluster.
        Assert.Equal(clusterId, MetaProperties.LoadOrCreate([.. dirs, Path.Combine(_root, "c")], 1));
    }

    [Fact]
    public void RefusesADirectoryOfAnotherNode()
    {
        string[] dirs = [Path.Combine(_root, "a")];
        MetaProperties.LoadOrCreate(dirs, 1);

        var error = Assert.Throws<ConfigException>(() => MetaProperties.LoadOrCreate(dirs, 2));
        Assert.Contains("stored node.id 1 does not match configured node.id 2", error.Message);
    }
}
