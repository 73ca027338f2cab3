namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// Lets the deliveries of one channel through in delivery-tag order. Tags count up from 1 per channel, in queue order;
/// the RabbitMQ client hands deliveries to MassTransit on several tasks at once, so they can reach the lanes in another
/// order. No timeout decides anything here: the lane filter sits first in the receive pipe, where every delivery of the
/// channel arrives (MassTransit drops none before it while the endpoint runs); a waiting delivery gives up only when its
/// own delivery is cancelled (its endpoint stopping or its channel gone), and then nothing behind it can be acknowledged
/// on that channel either.
/// </summary>
public sealed class DeliveryTurnstile(Lock gate)
{
    readonly SortedDictionary<ulong, (Action Enter, TaskCompletionSource Admitted)> _early = [];
    ulong _next = 1;

    /// <summary>Runs <paramref name="enter"/> (under the lanes' lock) once every earlier tag of the channel has entered.</summary>
    public async Task AdmitAsync(ulong tag, Action enter, CancellationToken cancellationToken)
    {
        TaskCompletionSource admitted;
        lock (gate)
        {
            if (tag <= _next)
            {
                enter();
                _next = Math.Max(_next, tag + 1);
                AdmitWaiting();
                return;
            }
            admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _early[tag] = (enter, admitted);
        }
        try
        {
            await admitted.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (gate)
            {
                if (admitted.Task.IsCompletedSuccessfully)
                    return; // admitted after all, just as it was cancelled: it holds its place in the lane
                _early.Remove(tag);
            }
            throw;
        }
    }

    void AdmitWaiting()
    {
        while (_early.Remove(_next, out var waiting))
        {
            waiting.Enter();
            waiting.Admitted.SetResult();
            _next++;
        }
    }
}
