using System.Text;
using KafkaSharp.Storage.Cleaner;

namespace KafkaSharp.Storage.Tests.Cleaner;

public class OffsetMapTests
{
    private static readonly byte[] ReferenceKey = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

    // SipHash-2-4 with 128-bit output of the messages 00 01 .. (length - 1) under the key 00 01 .. 0f:
    // entries of vectors_sip128 in the reference implementation's vectors.h.
    [Theory]
    [InlineData(0, "a3817f04ba25a8e66df67214c7550293")]
    [InlineData(1, "da87c1d86b99af44347659119b22fc45")]
    [InlineData(7, "a1f1ebbed8dbc153c0b84aa61ff08239")]
    [InlineData(8, "3b62a9ba6258f5610f83e264f31497b4")]
    [InlineData(9, "264499060ad9baabc47f8b02bb6d71ed")]
    [InlineData(15, "5493e99933b0a8117e08ec0f97cfc3d9")]
    [InlineData(16, "6ee2a4ca67b054bbfd3315bf85230577")]
    [InlineData(63, "5150d1772f50834a503e069a973fbd7c")]
    public void Key_digests_are_SipHash_2_4_with_128_bit_output(int length, string expected)
    {
        var message = Enumerable.Range(0, length).Select(i => (byte)i).ToArray();

        var digest = new KeyDigester(ReferenceKey).Digest(message);

        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), digest.High);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), digest.Low);
        Assert.Equal(expected, Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void Digests_depend_on_the_secret_key()
    {
        var key = "same record key"u8;
        Assert.NotEqual(new KeyDigester().Digest(key), new KeyDigester().Digest(key));
        var digester = new KeyDigester();
        Assert.Equal(digester.Digest(key), digester.Digest(key));
    }

    [Fact]
    public void The_map_keeps_the_latest_offset_per_key_and_reports_absent_keys()
    {
        var map = new OffsetMap(1 << 20, 0.9, new KeyDigester());
        map.Clear(expectedKeys: 100, latestOffset: -1);

        Assert.True(map.TryPut("a"u8, 5));
        Assert.True(map.TryPut("b"u8, 6));
        Assert.True(map.TryPut("a"u8, 9));
        map.UpdateLatestOffset(9);

        Assert.Equal((9L, 6L, -1L), (map.Get("a"u8), map.Get("b"u8), map.Get("c"u8)));
        Assert.Equal((2, 9L), (map.Count, map.LatestOffset));
        Assert.Equal(0, map.Get(""u8) + 1); // an empty key is a key like any other, absent here
    }

    [Fact]
    public void A_full_map_refuses_new_keys_but_updates_known_ones()
    {
        var map = new OffsetMap(10 * OffsetMap.BytesPerEntry, 0.9, new KeyDigester());
        map.Clear(expectedKeys: 1_000_000, latestOffset: -1);
        Assert.Equal(9, map.MaxEntries);
        for (int i = 0; i < 9; i++)
        {
            Assert.True(map.TryPut(Encoding.UTF8.GetBytes($"key{i}"), i));
        }

        Assert.False(map.TryPut("one too many"u8, 100));
        Assert.True(map.TryPut("key3"u8, 101));

        Assert.Equal((101L, -1L), (map.Get("key3"u8), map.Get("one too many"u8)));
        map.Clear(expectedKeys: 2, latestOffset: 41);
        Assert.Equal((0, 41L, -1L), (map.Count, map.LatestOffset, map.Get("key3"u8)));
    }

    [Fact]
    public void A_pass_over_few_offsets_gets_a_small_table()
    {
        var map = new OffsetMap(128L * 1024 * 1024, 0.9, new KeyDigester());

        map.Clear(expectedKeys: 9, latestOffset: -1);

        Assert.InRange(map.MaxEntries, 9, 12);
        Assert.Throws<ArgumentOutOfRangeException>(() => new OffsetMap(OffsetMap.BytesPerEntry, 0.9, new KeyDigester()));
    }
}
