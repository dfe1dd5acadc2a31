using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;

namespace KafkaSharp.Protocol.Tests;

public class CodecHeaderTests
{
    [Fact]
    public void RequestHeaderV2KeepsTheInt16ClientIdLength()
    {
        var header = new RequestHeader { RequestApiKey = 18, RequestApiVersion = 3, CorrelationId = 1, ClientId = "abc" };
        Assert.Equal("0012" + "0003" + "00000001" + "0003616263" + "00", Convert.ToHexString(CodecFiller.Encode(header, 2)));

        header.ClientId = null;
        Assert.Equal("0012" + "0003" + "00000001" + "FFFF" + "00", Convert.ToHexString(CodecFiller.Encode(header, 2)));
    }

    [Theory]
    [InlineData(ApiKey.ApiVersions, 2, 1)]
    [InlineData(ApiKey.ApiVersions, 3, 2)]
    [InlineData(ApiKey.ApiVersions, 9, 2)] // a version newer than ours is still parsed as flexible
    [InlineData(ApiKey.Produce, 8, 1)]
    [InlineData(ApiKey.Produce, 9, 2)]
    [InlineData(ApiKey.ControlledShutdown, 0, 0)]
    [InlineData(ApiKey.ControlledShutdown, 1, 1)]
    [InlineData(ApiKey.SaslHandshake, 1, 1)] // never flexible
    public void RequestHeaderVersionFollowsTheApiVersion(ApiKey apiKey, short apiVersion, short headerVersion) =>
        Assert.Equal(headerVersion, RequestHeader.HeaderVersion(apiKey, apiVersion));

    [Theory]
    [InlineData(ApiKey.ApiVersions, 0, 0)]
    [InlineData(ApiKey.ApiVersions, 3, 0)]
    [InlineData(ApiKey.Metadata, 8, 0)]
    [InlineData(ApiKey.Metadata, 9, 1)]
    [InlineData(ApiKey.Fetch, 12, 1)]
    public void ResponseHeaderVersionFollowsTheApiVersionExceptForApiVersions(ApiKey apiKey, short apiVersion, short headerVersion) =>
        Assert.Equal(headerVersion, ResponseHeader.HeaderVersion(apiKey, apiVersion));

    [Fact]
    public void TheFactoryCoversEveryApiKeyWithMatchingTypes()
    {
        foreach (ApiKey apiKey in Enum.GetValues<ApiKey>())
        {
            Assert.True(MessageFactory.IsKnown(apiKey));
            IKafkaMessage request = MessageFactory.CreateRequest(apiKey);
            IKafkaMessage response = MessageFactory.CreateResponse(apiKey);
            Assert.Equal(apiKey + "Request", request.GetType().Name);
            Assert.Equal(apiKey + "Response", response.GetType().Name);
            Assert.Equal((short)apiKey, (short)request.GetType().GetField("ApiKey")!.GetValue(null)!);
            Assert.Equal(CodecFiller.LowestVersion(request.GetType()), MessageFactory.LowestVersion(apiKey));
            Assert.Equal(CodecFiller.HighestVersion(response.GetType()), MessageFactory.HighestVersion(apiKey));
        }
        Assert.Equal(92, Enum.GetValues<ApiKey>().Length);
    }

    [Fact]
    public void UnknownApiKeysAreReportedNotGuessed()
    {
        Assert.False(MessageFactory.IsKnown((ApiKey)82));
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageFactory.CreateRequest((ApiKey)999));
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageFactory.HighestVersion((ApiKey)(-1)));
    }

    [Fact]
    public void VersionRangesAreTheUnionOfBothSchemaSets()
    {
        Assert.Equal((0, 13), (MessageFactory.LowestVersion(ApiKey.Produce), MessageFactory.HighestVersion(ApiKey.Produce)));
        Assert.Equal((0, 18), (MessageFactory.LowestVersion(ApiKey.Fetch), MessageFactory.HighestVersion(ApiKey.Fetch)));
        Assert.Equal((short)0, RequestHeader.LowestVersion);
        Assert.True(MessageFactory.IsFlexible(ApiKey.Fetch, 12));
        Assert.False(MessageFactory.IsFlexible(ApiKey.Fetch, 11));
    }
}
