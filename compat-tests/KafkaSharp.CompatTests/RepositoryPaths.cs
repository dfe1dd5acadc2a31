namespace KafkaSharp.CompatTests;

/// <summary>Locations inside the repository, found by walking up from the test assembly to KafkaSharp.sln.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string BrokerDll => Path.Combine(Root, "src", "Broker", "bin", "Release", "net10.0", "kafkasharp.dll");

    public static string NodeTestsDirectory => Path.Combine(Root, "compat-tests", "node");

    /// <summary>Broker stdout/stderr of every test broker; TestResults/ is git-ignored.</summary>
    public static string BrokerLogDirectory => Path.Combine(Root, "TestResults", "broker-logs");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KafkaSharp.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"KafkaSharp.sln not found above {AppContext.BaseDirectory}");
    }
}
