using System.CommandLine;
using Confluent.Kafka;

namespace KafkaSharp.Benchmark;

/// <summary>The command line: produce, consume and both share one set of options.</summary>
internal static class BenchmarkCommand
{
    private static readonly string[] CompressionNames = ["none", "gzip", "snappy", "lz4", "zstd"];
    private static readonly string[] AcksNames = ["0", "1", "all", "-1"];

    public static RootCommand Create()
    {
        var bootstrap = new Option<string>("--bootstrap")
        {
            Description = "bootstrap.servers of the broker",
            DefaultValueFactory = _ => "127.0.0.1:9092",
            Recursive = true,
        };
        var topic = new Option<string>("--topic")
        {
            Description = "topic to produce to / consume from",
            DefaultValueFactory = _ => "bench",
            Recursive = true,
        };
        var records = new Option<long>("--records")
        {
            Description = "number of records to produce / consume",
            DefaultValueFactory = _ => 2_000_000,
            Recursive = true,
        };
        records.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<long>() <= 0)
            {
                result.AddError("--records must be positive");
            }
        });
        var recordSize = new Option<int>("--record-size")
        {
            Description = "value size of each record in bytes (records have no key and no headers)",
            DefaultValueFactory = _ => 100,
            Recursive = true,
        };
        recordSize.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--record-size must be positive");
            }
        });
        var partitions = new Option<int>("--partitions")
        {
            Description = "partitions of the topic when --create-topic creates it; records go round-robin to every partition the topic has",
            DefaultValueFactory = _ => 1,
            Recursive = true,
        };
        partitions.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--partitions must be positive");
            }
        });
        var acks = new Option<string>("--acks")
        {
            Description = "producer acks: 0, 1 or all",
            DefaultValueFactory = _ => "1",
            Recursive = true,
        };
        acks.AcceptOnlyFromAmong(AcksNames);
        var lingerMs = new Option<double>("--linger-ms")
        {
            Description = "producer linger.ms",
            DefaultValueFactory = _ => 5,
            Recursive = true,
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "producer batch.size in bytes (the record batch limit; batch.num.messages is set high so that this one decides)",
            DefaultValueFactory = _ => 1_000_000,
            Recursive = true,
        };
        var compression = new Option<string>("--compression")
        {
            Description = "producer compression.type",
            DefaultValueFactory = _ => "none",
            Recursive = true,
        };
        compression.AcceptOnlyFromAmong(CompressionNames);
        var createTopic = new Option<bool>("--create-topic")
        {
            Description = "create the topic with --partitions partitions first (an existing topic is reused)",
            Recursive = true,
        };
        var brokerPid = new Option<int?>("--broker-pid")
        {
            Description = "pid of the broker process (on this machine): report its CPU seconds, peak RSS and, for a .NET broker, GC allocations and pauses during each phase",
            Recursive = true,
        };
        var socketBuffer = new Option<int>("--socket-buffer-bytes")
        {
            Description = "client socket.send/receive.buffer.bytes; 0 keeps the kernel's autotuning",
            DefaultValueFactory = _ => 0,
            Recursive = true,
        };
        var producers = new Option<int>("--producers")
        {
            Description = "producer instances, each on its own thread with its share of --records (one Confluent.Kafka producer thread tops out below what a broker can take)",
            DefaultValueFactory = _ => 1,
            Recursive = true,
        };
        producers.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--producers must be positive");
            }
        });
        var idleTimeout = new Option<int>("--idle-timeout-s")
        {
            Description = "give up when no record is delivered or consumed for this many seconds",
            DefaultValueFactory = _ => 30,
            Recursive = true,
        };

        var inFlight = new Option<int>("--in-flight")
        {
            Description = "raw-produce: produce requests pipelined on the connection",
            DefaultValueFactory = _ => 5,
            Recursive = true,
        };
        inFlight.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--in-flight must be positive");
            }
        });
        var partitionMaxBytes = new Option<int>("--partition-max-bytes")
        {
            Description = "raw-consume: PartitionMaxBytes of each fetch",
            DefaultValueFactory = _ => 16 << 20,
            Recursive = true,
        };
        partitionMaxBytes.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0)
            {
                result.AddError("--partition-max-bytes must be positive");
            }
        });

        var root = new RootCommand("KafkaSharp load tool: Confluent.Kafka producer and consumer throughput against a Kafka broker.");
        root.Options.Add(bootstrap);
        root.Options.Add(topic);
        root.Options.Add(records);
        root.Options.Add(recordSize);
        root.Options.Add(partitions);
        root.Options.Add(acks);
        root.Options.Add(lingerMs);
        root.Options.Add(batchSize);
        root.Options.Add(compression);
        root.Options.Add(createTopic);
        root.Options.Add(brokerPid);
        root.Options.Add(socketBuffer);
        root.Options.Add(producers);
        root.Options.Add(idleTimeout);
        root.Options.Add(inFlight);
        root.Options.Add(partitionMaxBytes);

        BenchmarkOptions Read(ParseResult parse) => new(
            parse.GetRequiredValue(bootstrap),
            parse.GetRequiredValue(topic),
            parse.GetValue(records),
            parse.GetValue(recordSize),
            parse.GetValue(partitions),
            ParseAcks(parse.GetRequiredValue(acks)),
            parse.GetValue(lingerMs),
            parse.GetValue(batchSize),
            ParseCompression(parse.GetRequiredValue(compression)),
            parse.GetValue(createTopic),
            parse.GetValue(brokerPid),
            parse.GetValue(socketBuffer),
            parse.GetValue(producers),
            TimeSpan.FromSeconds(parse.GetValue(idleTimeout)),
            parse.GetValue(inFlight),
            parse.GetValue(partitionMaxBytes));

        var produce = new Command("produce", "produce --records records of --record-size bytes and report throughput and delivery latency");
        produce.SetAction(parse => BenchmarkRunner.Run(Read(parse), produce: true, consume: false, raw: false));
        var consume = new Command("consume", "read --records records from the beginning of every partition and report throughput");
        consume.SetAction(parse => BenchmarkRunner.Run(Read(parse), produce: false, consume: true, raw: false));
        var both = new Command("both", "produce, then consume what was produced");
        both.SetAction(parse => BenchmarkRunner.Run(Read(parse), produce: true, consume: true, raw: false));
        // The raw commands speak the Kafka protocol over one socket (KafkaSharp.Protocol's codec): no client
        // library's per-record cost, so the broker's own ceiling shows. Topic setup still uses the admin client.
        var rawProduce = new Command("raw-produce", "produce --records records with ProduceRequests built once and pipelined (--in-flight) on one connection");
        rawProduce.SetAction(parse => BenchmarkRunner.Run(Read(parse), produce: true, consume: false, raw: true));
        var rawConsume = new Command("raw-consume", "fetch --records records from offset 0 of every partition on one connection, counting records from batch headers");
        rawConsume.SetAction(parse => BenchmarkRunner.Run(Read(parse), produce: false, consume: true, raw: true));
        var rawBoth = new Command("raw-both", "raw-produce, then raw-consume what was produced");
        rawBoth.SetAction(parse => BenchmarkRunner.Run(Read(parse), produce: true, consume: true, raw: true));
        root.Subcommands.Add(produce);
        root.Subcommands.Add(consume);
        root.Subcommands.Add(both);
        root.Subcommands.Add(rawProduce);
        root.Subcommands.Add(rawConsume);
        root.Subcommands.Add(rawBoth);
        return root;
    }

    private static Acks ParseAcks(string value) => value switch
    {
        "0" => Acks.None,
        "1" => Acks.Leader,
        _ => Acks.All,
    };

    private static CompressionType ParseCompression(string value) => value switch
    {
        "gzip" => CompressionType.Gzip,
        "snappy" => CompressionType.Snappy,
        "lz4" => CompressionType.Lz4,
        "zstd" => CompressionType.Zstd,
        _ => CompressionType.None,
    };
}
