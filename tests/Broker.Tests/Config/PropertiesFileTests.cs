using KafkaSharp.Broker.Config;

namespace KafkaSharp.Broker.Tests.Config;

public class PropertiesFileTests
{
    [Fact]
    public void SeparatorsCommentsAndBlankLines()
    {
        var properties = PropertiesFile.Parse("""
            # comment
              ! comment too

            a=1
            b : 2
            c 3
              d=   spaced value  
            e=
            f
            """.Replace("\n", "\r\n"), "test");

        Assert.Equal("1", properties["a"]);
        Assert.Equal("2", properties["b"]);
        Assert.Equal("3", properties["c"]);
        Assert.Equal("spaced value  ", properties["d"]);
        Assert.Equal("", properties["e"]);
        Assert.Equal("", properties["f"]);
        Assert.Equal(6, properties.Count);
    }

    [Fact]
    public void ContinuationLinesAndEscapes()
    {
        var properties = PropertiesFile.Parse(
            "listeners=PLAINTEXT://:9092,\\\n    INTERNAL://:9093\n" +
            "key\\=with\\:separators=value\\\\with\\tescapes\\u0041\n" +
            "trailing=ends with backslash\\\\\n" +
            "# a comment ending in a backslash does not continue \\\n" +
            "next=1\n",
            "test");

        Assert.Equal("PLAINTEXT://:9092,INTERNAL://:9093", properties["listeners"]);
        Assert.Equal("value\\with\tescapesA", properties["key=with:separators"]);
        Assert.Equal("ends with backslash\\", properties["trailing"]);
        Assert.Equal("1", properties["next"]);
    }

    [Fact]
    public void LaterKeyWins()
    {
        Assert.Equal("2", PropertiesFile.Parse("a=1\na=2\n", "test")["a"]);
    }

    [Fact]
    public void MalformedUnicodeEscapeNamesTheLine()
    {
        var error = Assert.Throws<ConfigException>(() => PropertiesFile.Parse("a=1\nb=\\u12\n", "server.properties"));
        Assert.Equal("server.properties:2: malformed \\uXXXX escape", error.Message);
    }
}
