namespace KafkaSharp.Storage.Tests;

public class OffsetIndexTests
{
    [Fact]
    public void Lookups_find_the_last_entry_at_or_below_the_target()
    {
        using var directory = new TempDirectory();
        using var index = new OffsetIndex(Path.Combine(directory.Path, "00000000000000000100.index"), 100);
        index.Resize(1024);
        index.Append(104, 500);
        index.Append(110, 1200);
        index.Append(120, 2500);

        Assert.Equal(new OffsetPosition(100, 0), index.Lookup(103));
        Assert.Equal(new OffsetPosition(104, 500), index.Lookup(104));
        Assert.Equal(new OffsetPosition(110, 1200), index.Lookup(119));
        Assert.Equal(new OffsetPosition(120, 2500), index.Lookup(long.MaxValue));
        Assert.Equal(new OffsetPosition(110, 1200), index.LastEntryBelow(offsetLimit: 120, positionLimit: 10_000));
        Assert.Equal(new OffsetPosition(104, 500), index.LastEntryBelow(offsetLimit: 200, positionLimit: 1200));
        Assert.Null(index.LastEntryBelow(offsetLimit: 104, positionLimit: 10_000));
        Assert.Throws<InvalidOperationException>(() => index.Append(120, 3000));
        Assert.Equal(128, index.MaxEntries);
    }

    [Fact]
    public void Trimming_cuts_the_preallocated_file_to_its_entries()
    {
        using var directory = new TempDirectory();
        string path = Path.Combine(directory.Path, "00000000000000000000.index");
        using (var index = new OffsetIndex(path, 0))
        {
            index.Resize(10 * 1024 * 1024);
            Assert.Equal(10 * 1024 * 1024, new FileInfo(path).Length);
            index.Append(5, 100);
            index.Append(9, 300);

            index.TrimToValidSize();

            Assert.Equal(16, new FileInfo(path).Length);
            Assert.True(index.IsFull);
            Assert.Equal(new OffsetPosition(9, 300), index.Lookup(50));
        }
        using var reopened = new OffsetIndex(path, 0);
        Assert.Equal(2, reopened.Entries);
        Assert.Equal(new OffsetPosition(5, 100), reopened.Entry(0));
    }
}

public class TimeIndexTests
{
    [Fact]
    public void Entries_are_added_only_when_the_timestamp_grows_and_one_slot_is_kept_for_the_last()
    {
        using var directory = new TempDirectory();
        using var index = new TimeIndex(Path.Combine(directory.Path, "00000000000000000050.timeindex"), 50);
        index.Resize(36); // three entries

        index.MaybeAppend(-1, 50);
        index.MaybeAppend(1_000, 52);
        index.MaybeAppend(1_000, 55);
        index.MaybeAppend(900, 56);
        index.MaybeAppend(2_000, 60);
        Assert.True(index.IsFull);
        index.MaybeAppend(3_000, 70);
        Assert.Equal(2, index.Entries);
        index.MaybeAppend(3_000, 70, skipFullCheck: true);

        Assert.Equal(3, index.Entries);
        Assert.Equal(new TimestampOffset(-1, 50), index.Lookup(999));
        Assert.Equal(new TimestampOffset(1_000, 52), index.Lookup(1_999));
        Assert.Equal(new TimestampOffset(3_000, 70), index.LastEntry);
        Assert.True(index.IsConsistent(nextOffset: 71));
        Assert.False(index.IsConsistent(nextOffset: 70));
    }
}
