namespace KafkaSharp.Storage.Cleaner;

/// <summary>
/// Ends a cleaning pass early without marking the log uncleanable: the log is being deleted, the
/// broker is stopping, or retention removed segments the pass was rewriting. The log stays as it
/// was before the unfinished group; the next pass starts again from the checkpoint.
/// </summary>
internal sealed class LogCleaningAbortedException(string message) : Exception(message);
