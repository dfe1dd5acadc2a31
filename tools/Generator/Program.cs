// KafkaSharp message generator: Kafka's JSON message schemas -> src/Protocol/Generated/*.g.cs.
//
//   dotnet run --project tools/Generator [-- --schemas <folder>] [--check]
//
// --schemas  the folder holding messages/ (Kafka 3.8.0) and messages-4.x/ (Kafka 4.3.0); default
//            ../shared/kafka-protocol, relative to the repository root (found by walking up from the
//            current directory to KafkaSharp.sln).
// --check    regenerate in memory and compare with src/Protocol/Generated: exit 1 listing every
//            file that differs, is missing or is extra. Without it the folder is rewritten.
//
// The two schema sets are merged per message (SchemaMerger); naming rules are in MessageGenerator.
using KafkaSharp.Generator;

string? schemasOption = null;
bool check = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--check":
            check = true;
            break;
        case "--schemas" when i + 1 < args.Length:
            schemasOption = args[++i];
            break;
        default:
            Console.Error.WriteLine($"Unknown argument {args[i]}. Usage: [--schemas <folder>] [--check]");
            return 2;
    }
}

string? repoRoot = FindRepoRoot(Directory.GetCurrentDirectory());
if (repoRoot is null)
{
    Console.Error.WriteLine("KafkaSharp.sln not found in the current directory or any parent.");
    return 2;
}
string schemas = Path.GetFullPath(schemasOption ?? "../shared/kafka-protocol", repoRoot);
string outputFolder = Path.Combine(repoRoot, "src", "Protocol", "Generated");

SortedDictionary<string, string> files = Generation.Run(schemas);

if (check)
{
    var problems = new List<string>();
    foreach ((string name, string content) in files)
    {
        string path = Path.Combine(outputFolder, name);
        if (!File.Exists(path))
        {
            problems.Add($"missing: {name}");
        }
        else if (File.ReadAllText(path) != content)
        {
            problems.Add($"differs: {name}");
        }
    }
    if (Directory.Exists(outputFolder))
    {
        foreach (string path in Directory.GetFiles(outputFolder).Order(StringComparer.Ordinal))
        {
            if (!files.ContainsKey(Path.GetFileName(path)))
            {
                problems.Add($"extra: {Path.GetFileName(path)}");
            }
        }
    }
    foreach (string problem in problems)
    {
        Console.WriteLine(problem);
    }
    Console.WriteLine(problems.Count == 0
        ? $"src/Protocol/Generated is up to date ({files.Count} files)."
        : $"src/Protocol/Generated is out of date: {problems.Count} file(s). Run: dotnet run --project tools/Generator");
    return problems.Count == 0 ? 0 : 1;
}

Directory.CreateDirectory(outputFolder);
foreach (string path in Directory.GetFiles(outputFolder))
{
    if (!files.ContainsKey(Path.GetFileName(path)))
    {
        File.Delete(path);
    }
}
foreach ((string name, string content) in files)
{
    string path = Path.Combine(outputFolder, name);
    if (!File.Exists(path) || File.ReadAllText(path) != content)
    {
        File.WriteAllText(path, content);
    }
}
Console.WriteLine($"Wrote {files.Count} files to {outputFolder}.");
return 0;

static string? FindRepoRoot(string start)
{
    for (DirectoryInfo? dir = new(start); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "KafkaSharp.sln")))
        {
            return dir.FullName;
        }
    }
    return null;
}
