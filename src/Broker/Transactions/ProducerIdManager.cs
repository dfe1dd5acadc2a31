using KafkaSharp.Protocol;
using KafkaSharp.Storage.Checkpoints;
using Microsoft.Extensions.Logging;

namespace KafkaSharp.Broker.Transactions;

/// <summary>
/// Hands out producer ids for InitProducerId, never the same one twice, also across restarts.
/// As in Kafka (the controller's ProducerIdControlManager and the broker's ProducerIdManager), ids
/// come in blocks of <see cref="BlockSize"/> starting at 0: before the first id of a block is used,
/// the start of the following block is persisted (<see cref="ProducerIdBlockFile"/>), so after a
/// restart, clean or not, allocation continues at that block and the unused rest of the previous one
/// is skipped.
/// </summary>
public sealed partial class ProducerIdManager
{
    /// <summary>Kafka's ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE.</summary>
    public const int BlockSize = 1000;

    private readonly object _lock = new();
    private readonly string _logDirectory;
    private readonly ILogger _logger;
    private long _nextProducerId;
    private long _blockEnd;

    private ProducerIdManager(string logDirectory, long nextBlockStart, ILogger logger)
    {
        _logDirectory = logDirectory;
        _logger = logger;
        _nextProducerId = nextBlockStart;
        _blockEnd = nextBlockStart;
    }

    /// <summary>Reads where allocation continues from the data directory.</summary>
    /// <exception cref="IOException">The producer id file is unreadable or malformed: ids already handed out are unknown.</exception>
    public static ProducerIdManager Open(string logDirectory, ILogger<ProducerIdManager> logger)
    {
        long nextBlockStart;
        try
        {
            nextBlockStart = ProducerIdBlockFile.Read(logDirectory);
        }
        catch (InvalidDataException e)
        {
            throw new IOException(e.Message, e);
        }
        return new ProducerIdManager(logDirectory, nextBlockStart, logger);
    }

    /// <summary>
    /// A new producer id, or an error: UNKNOWN_SERVER_ERROR once all int64 ids are used (Kafka's
    /// answer), COORDINATOR_LOAD_IN_PROGRESS when the next block cannot be persisted (Kafka's
    /// retriable answer while a broker has no block of ids).
    /// </summary>
    public ErrorCode GenerateProducerId(out long producerId)
    {
        lock (_lock)
        {
            if (_nextProducerId == _blockEnd)
            {
                if (_blockEnd > long.MaxValue - BlockSize)
                {
                    LogExhausted(_logger);
                    producerId = -1;
                    return ErrorCode.UnknownServerError;
                }
                try
                {
                    ProducerIdBlockFile.Write(_logDirectory, _blockEnd + BlockSize);
                }
                catch (IOException e)
                {
                    LogBlockNotPersisted(_logger, e, _blockEnd);
                    producerId = -1;
                    return ErrorCode.CoordinatorLoadInProgress;
                }
                _blockEnd += BlockSize;
            }
            producerId = _nextProducerId++;
            return ErrorCode.None;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Exhausted all producer ids: the next block would exceed the int64 range")]
    private static partial void LogExhausted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot persist the producer id block starting at {BlockStart}; InitProducerId is answered with a retriable error")]
    private static partial void LogBlockNotPersisted(ILogger logger, Exception exception, long blockStart);
}
