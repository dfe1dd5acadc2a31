using KafkaSharp.Broker.Metadata;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class TopicNamesTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("a.b_c-D9")]
    [InlineData("...")]
    [InlineData("__consumer_offsets")]
    public void LegalNamesPass(string name) => Assert.Null(TopicNames.Validate(name));

    [Fact]
    public void TheLongestLegalNameIs249Characters()
    {
        Assert.Null(TopicNames.Validate(new string('x', 249)));
        var tooLong = new string('x', 250);
        Assert.Equal($"Topic name is invalid: the length of '{tooLong}' is longer than the max allowed length 249", TopicNames.Validate(tooLong));
    }

    [Theory]
    [InlineData("", "Topic name is invalid: the empty string is not allowed")]
    [InlineData(".", "Topic name is invalid: '.' is not allowed")]
    [InlineData("..", "Topic name is invalid: '..' is not allowed")]
    [InlineData("a/b", "Topic name is invalid: 'a/b' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'")]
    [InlineData("caf\u00e9", "Topic name is invalid: 'caf\u00e9' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'")]
    public void IllegalNamesGetKafkasReason(string name, string reason) => Assert.Equal(reason, TopicNames.Validate(name));

    [Theory]
    [InlineData("__consumer_offsets", true)]
    [InlineData("__transaction_state", true)]
    [InlineData("__share_group_state", true)]
    [InlineData("__other", false)]
    [InlineData("orders", false)]
    public void InternalTopicsAreKafkasThree(string name, bool isInternal) => Assert.Equal(isInternal, TopicNames.IsInternal(name));
}
