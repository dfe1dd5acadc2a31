namespace KafkaSharp.Storage.Tests;

public class FileRecordsTests
{
    [Fact]
    public async Task A_slice_exposes_its_file_range_and_copies_exactly_those_bytes()
    {
        await using var context = LogTestContext.Open();
        var log = context.CreateLog();
        var first = TestBatches.Create(2);
        var second = TestBatches.Create(3);
        log.Append(first, 0);
        log.Append(second, 0);

        var slice = Assert.IsType<FileRecords>(log.Read(2, 10_000, log.HighWatermark, true).Records);

        Assert.Equal(first.Length, slice.Position);
        Assert.Equal(second.Length, slice.SizeInBytes);
        Assert.False(slice.Handle.IsInvalid);
        var copy = new byte[slice.SizeInBytes + 5];
        slice.CopyTo(copy);
        Assert.Equal(second, copy[..second.Length]);
        Assert.Equal(0, slice.File.Position);
    }
}
