using KafkaSharp.Protocol.Messages;
using KafkaSharp.Protocol.Primitives;
using KafkaSharp.Protocol.Records;

namespace KafkaSharp.Protocol.Tests;

/// <summary>
/// Header plus body of requests and responses compared with bytes derived independently of the
/// generator: the non-flexible versions (ApiVersions v0, Metadata v1, Produce v3, Fetch v4) are
/// what kafka-python 2.0.2 (a real client, Debian's python3-kafka) encodes for the same values;
/// the flexible versions are derived by hand from the schema (compact lengths are length+1 as an
/// unsigned varint, every struct ends with a tagged-field section). Records are opaque to the
/// codec, so a four-byte stand-in (deadbeef) is used.
/// </summary>
public class GoldenTests
{
    private const string ClientId = "0007" + "72646b61666b61"; // int16 length 7, "rdkafka"
    private const string Foo = "666f6f"; // "foo"
    private static readonly byte[] Records = [0xde, 0xad, 0xbe, 0xef];

    // ---- ApiVersions ----

    [Fact]
    public void ApiVersionsRequestV0()
    {
        string expected = Hex(
            "0012", "0000", "00000001", ClientId); // header v1: key 18, version 0, correlation id 1, client id; empty body
        AssertRequest(ApiKey.ApiVersions, 0, 1, new ApiVersionsRequest(), expected);
    }

    [Fact]
    public void ApiVersionsRequestV3()
    {
        var request = new ApiVersionsRequest { ClientSoftwareName = "librdkafka", ClientSoftwareVersion = "2.0.2" };
        string expected = Hex(
            "0012", "0003", "00000001", ClientId, // header v2: key, version 3, correlation id, client id (still int16 length)
            "00",                                 // header tagged fields: none
            "0b", "6c696272646b61666b61",         // ClientSoftwareName: compact length 10+1, "librdkafka"
            "06", "322e302e32",                   // ClientSoftwareVersion: compact length 5+1, "2.0.2"
            "00");                                // tagged fields: none
        ApiVersionsRequest decoded = AssertRequest(ApiKey.ApiVersions, 3, 1, request, expected);
        Assert.Equal("librdkafka", decoded.ClientSoftwareName);
        Assert.Equal("2.0.2", decoded.ClientSoftwareVersion);
    }

    [Fact]
    public void ApiVersionsResponseV0()
    {
        string expected = Hex(
            "00000001",                     // response header v0: correlation id
            "0000",                         // ErrorCode
            "00000002",                     // ApiKeys: int32 count 2
            "0000", "0000", "000b",         //   Produce 0-11
            "0012", "0000", "0004");        //   ApiVersions 0-4
        ApiVersionsResponse decoded = AssertResponse(ApiKey.ApiVersions, 0, 1, ApiVersions(), expected);
        Assert.Equal(4, decoded.ApiKeys[1].MaxVersion);
    }

    [Fact]
    public void ApiVersionsResponseV3KeepsHeaderV0AndWritesTaggedFieldsInTagOrder()
    {
        ApiVersionsResponse response = ApiVersions();
        response.SupportedFeatures = [new ApiVersionsResponse.SupportedFeatureKey { Name = "metadata.version", MinVersion = 1, MaxVersion = 20 }];
        response.FinalizedFeaturesEpoch = 5;
        string expected = Hex(
            "00000001",                     // response header v0 even though v3 is flexible: correlation id only
            "0000",                         // ErrorCode
            "03",                           // ApiKeys: compact count 2+1
            "0000", "0000", "000b", "00",   //   Produce 0-11, tagged fields
            "0012", "0000", "0004", "00",   //   ApiVersions 0-4, tagged fields
            "00000000",                     // ThrottleTimeMs
            "02",                           // tagged fields: 2 (defaults are not written)
            "00", "17",                     //   tag 0 SupportedFeatures, 23 bytes:
            "02",                           //     compact count 1+1
            "11", "6d657461646174612e76657273696f6e", // Name: compact length 16+1, "metadata.version"
            "0001", "0014", "00",           //     MinVersion 1, MaxVersion 20, tagged fields
            "01", "08", "0000000000000005"); // tag 1 FinalizedFeaturesEpoch, 8 bytes: 5
        ApiVersionsResponse decoded = AssertResponse(ApiKey.ApiVersions, 3, 1, response, expected);
        Assert.Equal(5, decoded.FinalizedFeaturesEpoch);
        Assert.Equal("metadata.version", decoded.SupportedFeatures[0].Name);
        Assert.False(decoded.ZkMigrationReady);
    }

    // ---- Metadata ----

    [Fact]
    public void MetadataRequestV1()
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "foo" }] };
        string expected = Hex(
            "0003", "0001", "00000002", ClientId, // header v1
            "00000001", "0003", Foo);             // Topics: int32 count 1; Name: int16 length 3, "foo"
        MetadataRequest decoded = AssertRequest(ApiKey.Metadata, 1, 2, request, expected);
        Assert.Equal("foo", decoded.Topics![0].Name);
    }

    [Fact]
    public void MetadataRequestV1AllTopicsIsANullArray()
    {
        var request = new MetadataRequest { Topics = null };
        MetadataRequest decoded = AssertRequest(ApiKey.Metadata, 1, 2, request, Hex("0003", "0001", "00000002", ClientId, "ffffffff"));
        Assert.Null(decoded.Topics);
    }

    [Fact]
    public void MetadataRequestV12()
    {
        var request = new MetadataRequest { Topics = [new MetadataRequest.MetadataRequestTopic { Name = "foo" }] };
        string expected = Hex(
            "0003", "000c", "00000007", ClientId, "00",  // header v2
            "02",                                        // Topics: compact count 1+1
            "00000000000000000000000000000000",          //   TopicId: zero uuid
            "04", Foo,                                   //   Name: compact length 3+1
            "00",                                        //   tagged fields
            "01",                                        // AllowAutoTopicCreation: true (the default)
            "00",                                        // IncludeTopicAuthorizedOperations: false
            "00");                                       // tagged fields
        MetadataRequest decoded = AssertRequest(ApiKey.Metadata, 12, 7, request, expected);
        Assert.True(decoded.AllowAutoTopicCreation);
    }

    [Fact]
    public void MetadataResponseV1()
    {
        var response = new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = "localhost", Port = 9092, Rack = "r1" }],
            ControllerId = 1,
            Topics = [new MetadataResponse.MetadataResponseTopic
            {
                Name = "foo",
                Partitions = [new MetadataResponse.MetadataResponsePartition { PartitionIndex = 0, LeaderId = 1, ReplicaNodes = [1], IsrNodes = [1] }],
            }],
        };
        string expected = Hex(
            "00000002",                                  // response header v0
            "00000001",                                  // Brokers: count 1
            "00000001", "0009", "6c6f63616c686f7374",    //   NodeId 1, Host "localhost"
            "00002384", "0002", "7231",                  //   Port 9092, Rack "r1"
            "00000001",                                  // ControllerId 1
            "00000001",                                  // Topics: count 1
            "0000", "0003", Foo, "00",                   //   ErrorCode, Name, IsInternal false
            "00000001",                                  //   Partitions: count 1
            "0000", "00000000", "00000001",              //     ErrorCode, PartitionIndex 0, LeaderId 1
            "00000001", "00000001",                      //     ReplicaNodes [1]
            "00000001", "00000001");                     //     IsrNodes [1]
        MetadataResponse decoded = AssertResponse(ApiKey.Metadata, 1, 2, response, expected);
        Assert.Equal("r1", decoded.Brokers[0].Rack);
    }

    [Fact]
    public void MetadataResponseV12()
    {
        var response = new MetadataResponse
        {
            Brokers = [new MetadataResponse.MetadataResponseBroker { NodeId = 1, Host = "localhost", Port = 9092, Rack = null }],
            ClusterId = "c1",
            ControllerId = 1,
            Topics = [new MetadataResponse.MetadataResponseTopic
            {
                Name = "foo",
                TopicId = new KafkaUuid(0x0102030405060708, 0x090a0b0c0d0e0f10),
                Partitions = [new MetadataResponse.MetadataResponsePartition
                {
                    PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 5, ReplicaNodes = [1], IsrNodes = [1],
                }],
            }],
        };
        string expected = Hex(
            "00000007", "00",                            // response header v1: correlation id, tagged fields
            "00000000",                                  // ThrottleTimeMs
            "02",                                        // Brokers: compact count 1+1
            "00000001", "0a", "6c6f63616c686f7374",      //   NodeId 1, Host: compact length 9+1
            "00002384", "00", "00",                      //   Port 9092, Rack null (compact 0), tagged fields
            "03", "6331",                                // ClusterId "c1"
            "00000001",                                  // ControllerId
            "02",                                        // Topics: compact count 1+1
            "0000", "04", Foo,                           //   ErrorCode, Name
            "0102030405060708090a0b0c0d0e0f10",          //   TopicId
            "00",                                        //   IsInternal
            "02",                                        //   Partitions: compact count 1+1
            "0000", "00000000", "00000001", "00000005",  //     ErrorCode, PartitionIndex, LeaderId, LeaderEpoch
            "02", "00000001",                            //     ReplicaNodes [1]
            "02", "00000001",                            //     IsrNodes [1]
            "01",                                        //     OfflineReplicas []
            "00",                                        //     tagged fields
            "80000000",                                  //   TopicAuthorizedOperations: default INT32_MIN
            "00",                                        //   tagged fields
            "00");                                       // tagged fields
        MetadataResponse decoded = AssertResponse(ApiKey.Metadata, 12, 7, response, expected);
        Assert.Null(decoded.Brokers[0].Rack);
        Assert.Equal(int.MinValue, decoded.Topics[0].TopicAuthorizedOperations);
    }

    // ---- Produce ----

    [Fact]
    public void ProduceRequestV3()
    {
        string expected = Hex(
            "0000", "0003", "00000003", ClientId,        // header v1
            "ffff",                                      // TransactionalId: null
            "ffff",                                      // Acks -1
            "00007530",                                  // TimeoutMs 30000
            "00000001", "0003", Foo,                     // TopicData: count 1, Name "foo"
            "00000001", "00000000",                      //   PartitionData: count 1, Index 0
            "00000004", "deadbeef");                     //     Records: int32 length 4
        ProduceRequest decoded = AssertRequest(ApiKey.Produce, 3, 3, Produce(), expected);
        Assert.Equal(Records, ((MemoryRecords)decoded.TopicData[0].PartitionData[0].Records!).Buffer.ToArray());
    }

    [Fact]
    public void ProduceRequestV9()
    {
        string expected = Hex(
            "0000", "0009", "00000003", ClientId, "00",  // header v2
            "00",                                        // TransactionalId: null (compact 0)
            "ffff", "00007530",                          // Acks, TimeoutMs
            "02", "04", Foo,                             // TopicData: compact count 1+1, Name
            "02", "00000000",                            //   PartitionData: compact count 1+1, Index
            "05", "deadbeef",                            //     Records: compact length 4+1
            "00", "00", "00");                           // tagged fields: partition, topic, request
        ProduceRequest decoded = AssertRequest(ApiKey.Produce, 9, 3, Produce(), expected);
        Assert.Null(decoded.TransactionalId);
    }

    [Fact]
    public void ProduceResponseV3()
    {
        string expected = Hex(
            "00000003",                                  // response header v0
            "00000001", "0003", Foo,                     // Responses: count 1, Name
            "00000001", "00000000", "0000",              //   PartitionResponses: count 1, Index, ErrorCode
            "000000000000002a", "ffffffffffffffff",      //     BaseOffset 42, LogAppendTimeMs -1
            "00000000");                                 // ThrottleTimeMs
        AssertResponse(ApiKey.Produce, 3, 3, ProduceResult(), expected);
    }

    [Fact]
    public void ProduceResponseV9()
    {
        string expected = Hex(
            "00000003", "00",                            // response header v1
            "02", "04", Foo,                             // Responses: compact count, Name
            "02", "00000000", "0000",                    //   PartitionResponses: compact count, Index, ErrorCode
            "000000000000002a", "ffffffffffffffff",      //     BaseOffset, LogAppendTimeMs
            "0000000000000000",                          //     LogStartOffset 0
            "01",                                        //     RecordErrors: compact empty
            "00",                                        //     ErrorMessage: null
            "00", "00",                                  //     tagged fields (partition), (topic)
            "00000000",                                  // ThrottleTimeMs
            "00");                                       // tagged fields
        ProduceResponse response = ProduceResult();
        response.Responses[0].PartitionResponses[0].LogStartOffset = 0;
        ProduceResponse decoded = AssertResponse(ApiKey.Produce, 9, 3, response, expected);
        Assert.Equal(42, decoded.Responses[0].PartitionResponses[0].BaseOffset);
    }

    // ---- Fetch ----

    [Fact]
    public void FetchRequestV4()
    {
        string expected = Hex(
            "0001", "0004", "00000009", ClientId,        // header v1
            "ffffffff",                                  // ReplicaId -1 (a consumer)
            "000001f4", "00000001",                      // MaxWaitMs 500, MinBytes 1
            "03200000",                                  // MaxBytes 52428800
            "01",                                        // IsolationLevel read_committed
            "00000001", "0003", Foo,                     // Topics: count 1, Topic
            "00000001", "00000000",                      //   Partitions: count 1, Partition 0
            "000000000000002a", "00100000");             //     FetchOffset 42, PartitionMaxBytes 1 MiB
        FetchRequest decoded = AssertRequest(ApiKey.Fetch, 4, 9, Fetch(), expected);
        Assert.Equal(42, decoded.Topics[0].Partitions[0].FetchOffset);
    }

    [Fact]
    public void FetchRequestV12()
    {
        FetchRequest request = Fetch();
        request.ClusterId = "c1";
        string expected = Hex(
            "0001", "000c", "00000009", ClientId, "00",  // header v2
            "ffffffff", "000001f4", "00000001",          // ReplicaId, MaxWaitMs, MinBytes
            "03200000", "01",                            // MaxBytes, IsolationLevel
            "00000000", "ffffffff",                      // SessionId 0, SessionEpoch -1
            "02", "04", Foo,                             // Topics: compact count, Topic
            "02", "00000000",                            //   Partitions: compact count, Partition
            "ffffffff",                                  //     CurrentLeaderEpoch -1
            "000000000000002a",                          //     FetchOffset 42
            "ffffffff",                                  //     LastFetchedEpoch -1
            "ffffffffffffffff",                          //     LogStartOffset -1
            "00100000",                                  //     PartitionMaxBytes
            "00", "00",                                  //     tagged fields (partition), (topic)
            "01",                                        // ForgottenTopicsData: compact empty
            "01",                                        // RackId: "" (compact length 0+1)
            "01", "00", "03", "03", "6331");             // tagged fields: 1; tag 0 ClusterId, 3 bytes: "c1"
        FetchRequest decoded = AssertRequest(ApiKey.Fetch, 12, 9, request, expected);
        Assert.Equal("c1", decoded.ClusterId);
    }

    [Fact]
    public void FetchResponseV4()
    {
        FetchResponse response = FetchResult();
        response.Responses[0].Partitions[0].AbortedTransactions = [new FetchResponse.AbortedTransaction { ProducerId = 7, FirstOffset = 40 }];
        string expected = Hex(
            "00000009",                                  // response header v0
            "00000000",                                  // ThrottleTimeMs
            "00000001", "0003", Foo,                     // Responses: count 1, Topic
            "00000001", "00000000", "0000",              //   Partitions: count 1, PartitionIndex, ErrorCode
            "000000000000002b", "000000000000002b",      //     HighWatermark 43, LastStableOffset 43
            "00000001",                                  //     AbortedTransactions: count 1
            "0000000000000007", "0000000000000028",      //       ProducerId 7, FirstOffset 40
            "00000004", "deadbeef");                     //     Records: int32 length 4
        FetchResponse decoded = AssertResponse(ApiKey.Fetch, 4, 9, response, expected);
        Assert.Equal(40, decoded.Responses[0].Partitions[0].AbortedTransactions![0].FirstOffset);
    }

    [Fact]
    public void FetchResponseV12()
    {
        FetchResponse response = FetchResult();
        response.Responses[0].Partitions[0].AbortedTransactions = null;
        response.Responses[0].Partitions[0].LogStartOffset = 0;
        response.Responses[0].Partitions[0].CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = 1, LeaderEpoch = 5 };
        string expected = Hex(
            "00000009", "00",                            // response header v1
            "00000000", "0000", "00000000",              // ThrottleTimeMs, ErrorCode, SessionId
            "02", "04", Foo,                             // Responses: compact count, Topic
            "02", "00000000", "0000",                    //   Partitions: compact count, PartitionIndex, ErrorCode
            "000000000000002b", "000000000000002b",      //     HighWatermark, LastStableOffset
            "0000000000000000",                          //     LogStartOffset 0
            "00",                                        //     AbortedTransactions: null
            "ffffffff",                                  //     PreferredReadReplica -1
            "05", "deadbeef",                            //     Records: compact length 4+1
            "01", "01", "09",                            //     tagged fields: 1; tag 1 CurrentLeader, 9 bytes:
            "00000001", "00000005", "00",                //       LeaderId 1, LeaderEpoch 5, tagged fields
            "00",                                        //   tagged fields (topic)
            "00");                                       // tagged fields
        FetchResponse decoded = AssertResponse(ApiKey.Fetch, 12, 9, response, expected);
        FetchResponse.PartitionData partition = decoded.Responses[0].Partitions[0];
        Assert.Equal(5, partition.CurrentLeader.LeaderEpoch);
        Assert.Equal(-1, partition.DivergingEpoch.Epoch);
        Assert.Null(partition.AbortedTransactions);
    }

    // ---- helpers ----

    private static ApiVersionsResponse ApiVersions() => new()
    {
        ApiKeys =
        [
            new ApiVersionsResponse.ApiVersion { ApiKey = 0, MinVersion = 0, MaxVersion = 11 },
            new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 4 },
        ],
    };

    private static ProduceRequest Produce() => new()
    {
        TransactionalId = null,
        Acks = -1,
        TimeoutMs = 30000,
        TopicData = [new ProduceRequest.TopicProduceData
        {
            Name = "foo",
            PartitionData = [new ProduceRequest.PartitionProduceData { Index = 0, Records = new MemoryRecords(Records) }],
        }],
    };

    private static ProduceResponse ProduceResult() => new()
    {
        Responses = [new ProduceResponse.TopicProduceResponse
        {
            Name = "foo",
            PartitionResponses = [new ProduceResponse.PartitionProduceResponse { Index = 0, BaseOffset = 42, LogAppendTimeMs = -1 }],
        }],
    };

    private static FetchRequest Fetch() => new()
    {
        ReplicaId = -1,
        MaxWaitMs = 500,
        MinBytes = 1,
        MaxBytes = 52428800,
        IsolationLevel = 1,
        Topics = [new FetchRequest.FetchTopic
        {
            Topic = "foo",
            Partitions = [new FetchRequest.FetchPartition { Partition = 0, FetchOffset = 42, PartitionMaxBytes = 1048576 }],
        }],
    };

    private static FetchResponse FetchResult() => new()
    {
        Responses = [new FetchResponse.FetchableTopicResponse
        {
            Topic = "foo",
            Partitions = [new FetchResponse.PartitionData
            {
                PartitionIndex = 0, HighWatermark = 43, LastStableOffset = 43, Records = new MemoryRecords(Records),
            }],
        }],
    };

    private static string Hex(params string[] parts) => string.Concat(parts).ToUpperInvariant();

    /// <summary>Encodes header and body, compares with <paramref name="expected"/>, decodes it back and re-encodes.</summary>
    private static T AssertRequest<T>(ApiKey apiKey, short version, int correlationId, T request, string expected)
        where T : IKafkaMessage, new()
    {
        short headerVersion = RequestHeader.HeaderVersion(apiKey, version);
        var header = new RequestHeader { RequestApiKey = (short)apiKey, RequestApiVersion = version, CorrelationId = correlationId, ClientId = "rdkafka" };
        byte[] encoded = [.. CodecFiller.Encode(header, headerVersion), .. CodecFiller.Encode(request, version)];
        Assert.Equal(expected, Convert.ToHexString(encoded));

        var reader = new KafkaReader(encoded);
        var decodedHeader = new RequestHeader();
        decodedHeader.Read(ref reader, headerVersion);
        var decoded = new T();
        decoded.Read(ref reader, version);
        Assert.False(reader.HasError);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal((short)apiKey, decodedHeader.RequestApiKey);
        Assert.Equal(version, decodedHeader.RequestApiVersion);
        Assert.Equal(correlationId, decodedHeader.CorrelationId);
        Assert.Equal("rdkafka", decodedHeader.ClientId);
        Assert.Equal(expected, Convert.ToHexString([.. CodecFiller.Encode(decodedHeader, headerVersion), .. CodecFiller.Encode(decoded, version)]));
        return decoded;
    }

    private static T AssertResponse<T>(ApiKey apiKey, short version, int correlationId, T response, string expected)
        where T : IKafkaMessage, new()
    {
        short headerVersion = ResponseHeader.HeaderVersion(apiKey, version);
        var header = new ResponseHeader { CorrelationId = correlationId };
        byte[] encoded = [.. CodecFiller.Encode(header, headerVersion), .. CodecFiller.Encode(response, version)];
        Assert.Equal(expected, Convert.ToHexString(encoded));

        var reader = new KafkaReader(encoded);
        var decodedHeader = new ResponseHeader();
        decodedHeader.Read(ref reader, headerVersion);
        var decoded = new T();
        decoded.Read(ref reader, version);
        Assert.False(reader.HasError);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(correlationId, decodedHeader.CorrelationId);
        Assert.Equal(expected, Convert.ToHexString([.. CodecFiller.Encode(decodedHeader, headerVersion), .. CodecFiller.Encode(decoded, version)]));
        return decoded;
    }
}
