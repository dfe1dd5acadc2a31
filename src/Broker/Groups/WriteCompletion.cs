using KafkaSharp.Protocol;

namespace KafkaSharp.Broker.Groups;

/// <summary>
/// What a group does once one of its writes to <c>__consumer_offsets</c> is acknowledged (or not):
/// it runs on the group's mailbox, right away when the acknowledgement is already there (the usual
/// case without durable mode), else as work posted when it arrives.
/// </summary>
internal abstract class WriteCompletion : GroupWork
{
    private ErrorCode _error;

    /// <summary>Runs on the group's mailbox with the write's outcome (None when acknowledged).</summary>
    public abstract void OnAcknowledged(ClassicGroup group, ErrorCode error);

    public override void Execute(ClassicGroup group) => OnAcknowledged(group, _error);

    /// <summary>Runs <paramref name="completion"/> for <paramref name="write"/>; called on <paramref name="group"/>'s mailbox.</summary>
    public static void After(ClassicGroup group, StoreWrite write, WriteCompletion completion)
    {
        var acknowledged = write.Acknowledged;
        if (acknowledged.IsCompletedSuccessfully)
        {
            completion.OnAcknowledged(group, acknowledged.Result);
            return;
        }
        group.PendingWrites = acknowledged;
        completion._error = ErrorCode.None;
        acknowledged.ContinueWith(static (task, state) =>
        {
            var (group, completion) = ((ClassicGroup, WriteCompletion))state!;
            // The acknowledgement reports failures as error codes; a faulted task would be a bug in storage.
            completion._error = task.IsCompletedSuccessfully ? task.Result : ErrorCode.UnknownServerError;
            group.Mailbox.Post(completion);
        }, (group, completion), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
