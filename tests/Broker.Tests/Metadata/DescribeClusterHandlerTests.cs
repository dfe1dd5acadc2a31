using KafkaSharp.Broker.Handlers;
using KafkaSharp.Protocol;
using KafkaSharp.Protocol.Messages;

namespace KafkaSharp.Broker.Tests.Metadata;

public sealed class DescribeClusterHandlerTests
{
    private static readonly DescribeClusterHandler Handler = new();

    private static async Task<DescribeClusterResponse> HandleAsync(MetadataTestContext context, short version, DescribeClusterRequest request)
    {
        var response = await Handler.HandleAsync(context.Context(ApiKey.DescribeCluster, version), request, CancellationToken.None);
        return MetadataTestContext.RoundTrip(response!, version);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ThisNodeIsTheOnlyBrokerAndTheControllerAtTheListenersAddress(short version)
    {
        await using var context = new MetadataTestContext();

        var response = await HandleAsync(context, version, new DescribeClusterRequest());

        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
        Assert.Null(response.ErrorMessage);
        Assert.Equal("test-cluster", response.ClusterId);
        Assert.Equal(1, response.ControllerId);
        Assert.Equal(int.MinValue, response.ClusterAuthorizedOperations);
        var broker = Assert.Single(response.Brokers);
        Assert.Equal(1, broker.BrokerId);
        Assert.Equal("localhost", broker.Host);
        Assert.Equal(9092, broker.Port);
        Assert.Null(broker.Rack);
        Assert.False(broker.IsFenced);
        Assert.Equal(1, response.EndpointType);
    }

    [Fact]
    public async Task RequestedClusterOperationsAreTheOnesMetadataReports()
    {
        await using var context = new MetadataTestContext();

        var response = await HandleAsync(context, 2, new DescribeClusterRequest { IncludeClusterAuthorizedOperations = true });

        Assert.Equal(MetadataHandler.AllClusterOperations, response.ClusterAuthorizedOperations);
        Assert.Equal(8096, response.ClusterAuthorizedOperations);
    }

    [Theory]
    [InlineData(1, 2, ErrorCode.MismatchedEndpointType, "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER")]
    [InlineData(1, 3, ErrorCode.UnsupportedEndpointType, "Unsupported endpoint type 3")]
    [InlineData(2, 0, ErrorCode.UnsupportedEndpointType, "Unsupported endpoint type 0")]
    [InlineData(0, 2, ErrorCode.InvalidRequest, "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER")]
    public async Task OnlyBrokerEndpointsAreDescribed(short version, sbyte endpointType, ErrorCode error, string message)
    {
        await using var context = new MetadataTestContext();
        var request = new DescribeClusterRequest { EndpointType = endpointType };

        var response = await Handler.HandleAsync(context.Context(ApiKey.DescribeCluster, version), request, CancellationToken.None);
        var decoded = MetadataTestContext.RoundTrip(response!, version);

        Assert.Equal((short)error, decoded.ErrorCode);
        Assert.Equal(message, decoded.ErrorMessage);
        Assert.Empty(decoded.Brokers);
        Assert.Equal("", decoded.ClusterId);
    }
}
