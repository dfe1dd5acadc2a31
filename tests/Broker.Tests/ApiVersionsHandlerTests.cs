using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Network;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests;

public class ApiVersionsHandlerTests
{
    /// <summary>Implements 3-13 but announces 0-13, as Kafka 4 does for Produce (KAFKA-18659).</summary>
    private sealed class WideProduceHandler : ApiHandler<ProduceRequest, ProduceResponse>
    {
        public override ApiKey ApiKey => ApiKey.Produce;

        public override ApiVersionRange Versions => new(3, 13);

        public override ApiVersionRange AdvertisedVersions => new(0, 13);

        public override ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request,
            CancellationToken cancellationToken) => ValueTask.FromResult<ProduceResponse?>(new ProduceResponse());
    }

    private static DispatcherTestKit Kit() => new(new ApiVersionsHandler(), new WideProduceHandler());

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ListsEveryRegisteredHandlerWithItsAdvertisedRange(short version)
    {
        var kit = Kit();
        var request = new ApiVersionsRequest { ClientSoftwareName = "librdkafka", ClientSoftwareVersion = "2.0.2" };

        Assert.Equal(FrameDisposition.SendResponse, await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.ApiVersions, version, 11, request)));

        // The header is v0 even for flexible versions.
        var (header, response) = kit.ReadResponse<ApiVersionsResponse>(headerVersion: 0, version);
        Assert.Equal(11, header.CorrelationId);
        Assert.Equal(0, response.ErrorCode);
        Assert.Equal(0, response.ThrottleTimeMs);
        Assert.Equal(
            [((short)0, (short)0, (short)13), ((short)18, (short)0, (short)4)],
            response.ApiKeys.Select(k => (k.ApiKey, k.MinVersion, k.MaxVersion)));
        Assert.Empty(response.SupportedFeatures);
        Assert.Empty(response.FinalizedFeatures);
        Assert.Equal(-1, response.FinalizedFeaturesEpoch);
    }

    [Fact]
    public async Task Version0EncodingByteForByte()
    {
        var kit = new DispatcherTestKit(new ApiVersionsHandler());
        await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.ApiVersions, 0, 0x01020304, new ApiVersionsRequest()));

        Assert.Equal(
            new byte[]
            {
                1, 2, 3, 4, // correlation id (header v0)
                0, 0, // error code
                0, 0, 0, 1, // int32 array length
                0, 18, 0, 0, 0, 4, // ApiVersions 0-4
            },
            kit.ResponseBytes());
    }

    [Fact]
    public async Task Version3EncodingByteForByteAndClientSoftwareIsKept()
    {
        var kit = new DispatcherTestKit(new ApiVersionsHandler());
        var request = new ApiVersionsRequest { ClientSoftwareName = "kafka-java", ClientSoftwareVersion = "4.1.0" };
        await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.ApiVersions, 3, 7, request));

        Assert.Equal(
            new byte[]
            {
                0, 0, 0, 7, // correlation id; header v0: no tagged fields
                0, 0, // error code
                2, // compact array length + 1
                0, 18, 0, 0, 0, 4, 0, // ApiVersions 0-4, no tagged fields
                0, 0, 0, 0, // throttle time
                0, // no tagged fields (features empty, epoch -1)
            },
            kit.ResponseBytes());
        Assert.Equal("kafka-java", kit.Connection.ClientSoftwareName);
        Assert.Equal("4.1.0", kit.Connection.ClientSoftwareVersion);
    }

    [Fact]
    public async Task InvalidClientSoftwareNameIsInvalidRequest()
    {
        var kit = Kit();
        var request = new ApiVersionsRequest { ClientSoftwareName = "bad name", ClientSoftwareVersion = "1.0" };
        await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.ApiVersions, 3, 1, request));

        var (_, response) = kit.ReadResponse<ApiVersionsResponse>(0, 3);
        Assert.Equal((short)ErrorCode.InvalidRequest, response.ErrorCode);
        Assert.Empty(response.ApiKeys);
    }

    [Fact]
    public async Task NewerVersionGetsAVersion0UnsupportedVersionAnswer()
    {
        // KIP-511: a client that starts with its newest ApiVersions learns what to retry with.
        var kit = Kit();
        var request = new ApiVersionsRequest { ClientSoftwareName = "future", ClientSoftwareVersion = "9" };
        var frame = DispatcherTestKit.Frame(ApiKey.ApiVersions, 4, 5, request);
        frame[3] = 9; // version 9: same header (v2) and body layout as far as this broker cares

        Assert.Equal(FrameDisposition.SendResponse, await kit.DispatchAsync(frame));

        var (header, response) = kit.ReadResponse<ApiVersionsResponse>(headerVersion: 0, version: 0);
        Assert.Equal(5, header.CorrelationId);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        var only = Assert.Single(response.ApiKeys);
        Assert.Equal(((short)18, (short)0, (short)4), (only.ApiKey, only.MinVersion, only.MaxVersion));
    }
}
