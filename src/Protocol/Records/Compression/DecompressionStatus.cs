namespace KafkaSharp.Protocol.Records.Compression;

/// <summary>How a decompression ended. Failures describe the input, never the machine.</summary>
public enum DecompressionStatus : byte
{
    Done = 0,

    /// <summary>The input is not valid data for its codec, or ends early.</summary>
    CorruptData,

    /// <summary>The output would exceed the caller's limit (a decompression bomb, or simply too big).</summary>
    SizeLimitExceeded,

    /// <summary>The attributes name a codec id Kafka does not define (5-7).</summary>
    UnsupportedCodec,
}
