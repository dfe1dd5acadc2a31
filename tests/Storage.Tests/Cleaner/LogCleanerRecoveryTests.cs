namespace KafkaSharp.Storage.Tests.Cleaner;

/// <summary>Crashes in the middle of a cleaner pass, rebuilt as the files such a crash leaves.</summary>
public class LogCleanerRecoveryTests
{
    private const string First = "00000000000000000000";

    [Fact]
    public async Task Cleaned_files_of_an_interrupted_pass_are_deleted_and_the_old_segments_kept()
    {
        await using var context = CleanerTestContext.Open();
        FillDirtyLog(context);

        await context.ReopenAfterCrashAsync(directory =>
        {
            File.WriteAllText(Path.Combine(directory, First + ".log.cleaned"), "half written");
            File.WriteAllText(Path.Combine(directory, First + ".index.cleaned"), "x");
            File.WriteAllText(Path.Combine(directory, First + ".timeindex.cleaned"), "y");
        });

        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.cleaned"));
        Assert.Contains(context.Reports, line => line.Contains("interrupted log cleaner pass", StringComparison.Ordinal));
        Assert.Equal(context.Appended, KeyedBatches.ReadAll(context.Log));
    }

    [Fact]
    public async Task A_swap_interrupted_before_the_old_segment_was_renamed_is_completed()
    {
        await using var context = CleanerTestContext.Open();
        FillDirtyLog(context);
        string backup = Backup(context.PartitionDirectory);
        context.Clean();
        var expected = KeyedBatches.ReadAll(context.Log);

        // The crash left the cleaned first segment as .swap next to the old one, not yet renamed to .deleted.
        await context.ReopenAfterCrashAsync(directory =>
        {
            File.Move(Path.Combine(directory, First + ".log"), Path.Combine(directory, First + ".log.swap"));
            File.Move(Path.Combine(directory, First + ".index"), Path.Combine(directory, First + ".index.swap"));
            File.Delete(Path.Combine(directory, First + ".timeindex"));
            foreach (string suffix in new[] { ".log", ".index", ".timeindex" })
            {
                File.Copy(Path.Combine(backup, First + suffix), Path.Combine(directory, First + suffix));
            }
        });

        Assert.Contains(context.Reports, line => line.Contains("interrupted log cleaner swap completed", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.swap"));
        Assert.Equal(expected, KeyedBatches.ReadAll(context.Log));
        Directory.Delete(backup, recursive: true);
    }

    [Fact]
    public async Task A_swap_of_a_merged_group_replaces_every_old_segment_in_its_range()
    {
        await using var context = CleanerTestContext.Open();
        FillDirtyLog(context);
        // The first pass shrinks each segment; before the second, which merges them, keep copies of them.
        context.Clean();
        var shrunk = context.Log.Segments.Snapshot[..^1].Select(s => s.BaseOffset).ToList();
        Assert.True(shrunk.Count > 1);
        string backup = Backup(context.PartitionDirectory);
        context.Clean();
        Assert.Equal(2, context.Log.SegmentCount);
        var expected = KeyedBatches.ReadAll(context.Log);

        // The crash left the merged segment as .swap, with all the old segments still in place.
        await context.ReopenAfterCrashAsync(directory =>
        {
            File.Move(Path.Combine(directory, First + ".log"), Path.Combine(directory, First + ".log.swap"));
            File.Delete(Path.Combine(directory, First + ".index"));
            File.Delete(Path.Combine(directory, First + ".timeindex"));
            foreach (long baseOffset in shrunk)
            {
                foreach (string suffix in new[] { ".log", ".index", ".timeindex" })
                {
                    string name = LogSegment.FileName(baseOffset, suffix);
                    File.Copy(Path.Combine(backup, name), Path.Combine(directory, name), overwrite: true);
                }
            }
        });

        Assert.Equal(2, context.Log.SegmentCount);
        Assert.Equal(expected, KeyedBatches.ReadAll(context.Log));
        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.swap"));
        Directory.Delete(backup, recursive: true);
    }

    [Fact]
    public async Task An_index_left_as_swap_after_its_log_was_renamed_is_rebuilt()
    {
        await using var context = CleanerTestContext.Open();
        FillDirtyLog(context);
        context.Clean();
        var expected = KeyedBatches.ReadAll(context.Log);

        await context.ReopenAfterCrashAsync(directory =>
        {
            File.Move(Path.Combine(directory, First + ".index"), Path.Combine(directory, First + ".index.swap"));
            File.Move(Path.Combine(directory, First + ".timeindex"), Path.Combine(directory, First + ".timeindex.swap"));
        });

        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.swap"));
        Assert.Contains(context.Reports, line => line.Contains("indexes rebuilt", StringComparison.Ordinal));
        Assert.Equal(expected, KeyedBatches.ReadAll(context.Log));
        Assert.True(File.Exists(Path.Combine(context.PartitionDirectory, First + ".index")));
        Assert.True(File.Exists(Path.Combine(context.PartitionDirectory, First + ".timeindex")));
    }

    [Fact]
    public async Task Deleted_files_of_swapped_out_segments_are_removed_at_startup()
    {
        await using var context = CleanerTestContext.Open(CleanerTestContext.Compacted with { FileDeleteDelayMs = 3_600_000 });
        FillDirtyLog(context);
        context.Clean();
        Assert.NotEmpty(Directory.GetFiles(context.PartitionDirectory, "*.deleted"));
        var expected = KeyedBatches.ReadAll(context.Log);

        await context.ReopenAfterCrashAsync(_ => { });

        Assert.Empty(Directory.GetFiles(context.PartitionDirectory, "*.deleted"));
        Assert.Equal(expected, KeyedBatches.ReadAll(context.Log));
    }

    /// <summary>
    /// A key written once at offset 0 (so the first segment keeps a record), then several segments
    /// of three keys updated over and over, and an active segment.
    /// </summary>
    private static void FillDirtyLog(CleanerTestContext context)
    {
        context.CreateLog();
        context.Append(("unique", "kept"));
        for (int round = 0; round < 10; round++)
        {
            for (int key = 0; key < 3; key++)
            {
                context.Append(($"key{key}", $"value{round}"));
            }
        }
        context.RollWith("key2", "last");
        Assert.True(context.Log.SegmentCount >= 3);
    }

    private static string Backup(string directory)
    {
        string backup = directory + ".backup";
        Directory.CreateDirectory(backup);
        foreach (string file in Directory.GetFiles(directory))
        {
            File.Copy(file, Path.Combine(backup, Path.GetFileName(file)));
        }
        return backup;
    }
}
