using KafkaSharp.Broker.Handlers;
using KafkaSharp.Broker.Network;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Broker.Tests;

public class RequestDispatcherTests
{
    /// <summary>Records that are not in memory, as Storage's file slices: the writer must splice them.</summary>
    private sealed class ExternalRecords(byte[] bytes) : BaseRecords
    {
        public override int SizeInBytes => bytes.Length;

        public override void CopyTo(Span<byte> destination) => bytes.CopyTo(destination);
    }

    /// <summary>A fetch-like handler: one partition whose records come from "a file".</summary>
    private sealed class SplicingFetchHandler(byte[] records, bool reportSplicedBytes) : ApiHandler<FetchRequest, FetchResponse>
    {
        public override ApiKey ApiKey => ApiKey.Fetch;

        public override ApiVersionRange Versions => new(4, 17);

        public RequestContext? SeenContext { get; private set; }

        public override ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
        {
            SeenContext = context;
            var response = new FetchResponse
            {
                Responses =
                [
                    new FetchResponse.FetchableTopicResponse
                    {
                        Topic = "t",
                        Partitions = [new FetchResponse.PartitionData { PartitionIndex = 0, HighWatermark = 10, Records = new ExternalRecords(records) }],
                    },
                ],
            };
            return ValueTask.FromResult<FetchResponse?>(response);
        }

        protected override int SplicedRecordsBytes(FetchResponse response) => reportSplicedBytes ? records.Length : 0;
    }

    /// <summary>Behaves by the request's acks: 0 = no response, -2 = throws.</summary>
    private sealed class AcksProduceHandler : ApiHandler<ProduceRequest, ProduceResponse>
    {
        public override ApiKey ApiKey => ApiKey.Produce;

        public override ApiVersionRange Versions => new(3, 11);

        public override ApiVersionRange AdvertisedVersions => new(0, 11);

        public override async ValueTask<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request,
            CancellationToken cancellationToken)
        {
            await Task.Yield(); // completes asynchronously, like a handler waiting on an fsync
            return request.Acks switch
            {
                0 => null,
                -2 => throw new InvalidOperationException("handler bug"),
                _ => new ProduceResponse { ThrottleTimeMs = 3 },
            };
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FileRecordsAreSplicedNotCopied(bool reportSplicedBytes)
    {
        var records = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        var handler = new SplicingFetchHandler(records, reportSplicedBytes);
        var kit = new DispatcherTestKit(new ApiVersionsHandler(), handler);

        Assert.Equal(FrameDisposition.SendResponse, await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Fetch, 12, 99, new FetchRequest())));

        var splice = Assert.Single(kit.Response.Splices);
        Assert.Equal(kit.Response.Length + records.Length, kit.Response.FrameLength);
        Assert.True(splice.BufferOffset < kit.Response.Length);
        var (header, response) = kit.ReadResponse<FetchResponse>(headerVersion: 1, version: 12);
        Assert.Equal(99, header.CorrelationId);
        var partition = Assert.Single(Assert.Single(response.Responses).Partitions);
        Assert.Equal(records, ((MemoryRecords)partition.Records!).Buffer.ToArray());
        Assert.Equal(ApiKey.Fetch, handler.SeenContext!.ApiKey);
        Assert.Equal(12, handler.SeenContext.ApiVersion);
        Assert.Equal("test-client", handler.SeenContext.ClientId);
    }

    [Fact]
    public async Task NullResponseMeansNothingIsSent()
    {
        var kit = new DispatcherTestKit(new AcksProduceHandler());

        Assert.Equal(FrameDisposition.NoResponse, await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Produce, 9, 1, new ProduceRequest { Acks = 0 })));
        Assert.Equal(0, kit.Response.FrameLength);

        Assert.Equal(FrameDisposition.SendResponse, await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Produce, 9, 2, new ProduceRequest { Acks = 1 })));
        var (header, response) = kit.ReadResponse<ProduceResponse>(headerVersion: 1, version: 9);
        Assert.Equal(2, header.CorrelationId);
        Assert.Equal(3, response.ThrottleTimeMs);
    }

    [Fact]
    public async Task NonFlexibleVersionUsesHeaderV1AndResponseHeaderV0()
    {
        var kit = new DispatcherTestKit(new AcksProduceHandler());

        await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Produce, 8, 77, new ProduceRequest { Acks = 1 }, clientId: null));

        var (header, response) = kit.ReadResponse<ProduceResponse>(headerVersion: 0, version: 8);
        Assert.Equal(77, header.CorrelationId);
        Assert.Equal(3, response.ThrottleTimeMs);
    }

    [Fact]
    public async Task AdvertisedButUnimplementedVersionClosesTheConnection()
    {
        var kit = new DispatcherTestKit(new AcksProduceHandler());

        Assert.Equal(FrameDisposition.CloseConnection,
            await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Produce, 2, 1, new ProduceRequest { Acks = 1 })));
        Assert.Equal(FrameDisposition.CloseConnection,
            await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Produce, 12, 1, new ProduceRequest { Acks = 1 })));
    }

    [Fact]
    public async Task ApiWithoutHandlerClosesTheConnection()
    {
        var kit = new DispatcherTestKit(new ApiVersionsHandler());

        Assert.Equal(FrameDisposition.CloseConnection,
            await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Metadata, 12, 1, new MetadataRequest())));
        Assert.Equal(FrameDisposition.CloseConnection, await kit.DispatchAsync([0x7F, 0x00, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF]));
        Assert.Equal(FrameDisposition.CloseConnection, await kit.DispatchAsync([0xFF, 0xFF, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF]));
    }

    [Fact]
    public async Task MalformedHeaderOrBodyClosesTheConnection()
    {
        var kit = new DispatcherTestKit(new ApiVersionsHandler());
        var frame = DispatcherTestKit.Frame(ApiKey.ApiVersions, 3, 1,
            new ApiVersionsRequest { ClientSoftwareName = "name", ClientSoftwareVersion = "1" });

        Assert.Equal(FrameDisposition.CloseConnection, await kit.DispatchAsync(frame[..^3]));
        Assert.Equal(FrameDisposition.CloseConnection, await kit.DispatchAsync(frame[..6]));
        Assert.Equal(FrameDisposition.CloseConnection, await kit.DispatchAsync(frame[..11])); // client id cut short
    }

    [Fact]
    public async Task HandlerExceptionClosesTheConnection()
    {
        var kit = new DispatcherTestKit(new AcksProduceHandler());

        Assert.Equal(FrameDisposition.CloseConnection,
            await kit.DispatchAsync(DispatcherTestKit.Frame(ApiKey.Produce, 9, 1, new ProduceRequest { Acks = -2 })));
    }

    [Fact]
    public void RegistryRejectsTwoHandlersForOneKeyAndIndexesByKey()
    {
        Assert.Throws<ArgumentException>(() => new ApiVersionsRegistry([new ApiVersionsHandler(), new ApiVersionsHandler()]));

        var registry = new ApiVersionsRegistry([new AcksProduceHandler(), new ApiVersionsHandler()]);
        Assert.IsType<AcksProduceHandler>(registry.Find(0));
        Assert.IsType<ApiVersionsHandler>(registry.Find(18));
        Assert.Null(registry.Find(1));
        Assert.Null(registry.Find(-1));
        Assert.Null(registry.Find(19));
        Assert.Equal([ApiKey.Produce, ApiKey.ApiVersions], registry.Handlers.Select(h => h.ApiKey));
    }
}
