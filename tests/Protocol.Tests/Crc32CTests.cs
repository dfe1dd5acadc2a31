using System.Text;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Protocol.Tests;

public class Crc32CTests
{
    [Fact]
    public void MatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void AppendingInPiecesEqualsOneShot()
    {
        byte[] data = Encoding.ASCII.GetBytes("record batches are checksummed from attributes to the end");
        uint running = Crc32C.Append(0xFFFFFFFFu, data.AsSpan(0, 13));
        running = Crc32C.Append(running, data.AsSpan(13));
        Assert.Equal(Crc32C.Compute(data), ~running);
    }
}
