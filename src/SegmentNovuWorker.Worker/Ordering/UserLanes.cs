namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// Runs the messages of one partition endpoint so that a user's messages go one at a time, in the order the broker
/// delivered them, while different users run side by side.
/// </summary>
/// <remarks>
/// Written by hand because MassTransit's partitioner hashes keys into a fixed number of slots, so unrelated users that
/// share a slot wait for each other's retries; and because it orders by arrival at the filter, which the RabbitMQ
/// client's concurrent dispatch does not guarantee to be delivery order. Here each delivery is first admitted in
/// delivery-tag order (tags count up per channel, in queue order), then queued behind the previous message of its user
/// only. A delivery tag that never arrives (a message that failed before this filter) holds the ones after it for at most
/// <see cref="GapTimeout"/>.
/// </remarks>
public sealed class UserLanes
{
    public static readonly TimeSpan GapTimeout = TimeSpan.FromMilliseconds(200);

    readonly Lock _gate = new();
    readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);
    readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, Turnstile> _turnstiles = [];

    /// <summary>How many users have a message running or waiting.</summary>
    public int ActiveUsers { get { lock (_gate) return _tails.Count; } }

    /// <param name="userKey">Whose message it is.</param>
    /// <param name="channel">The channel it was delivered on (delivery tags count per channel); null to skip the admission order.</param>
    /// <param name="deliveryTag">Its delivery tag on <paramref name="channel"/>.</param>
    /// <param name="work">What to do with it, once every earlier message of the user is done.</param>
    public async Task RunAsync(string userKey, object? channel, ulong deliveryTag, Func<Task> work)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task previous = Task.CompletedTask;
        void Enter()
        {
            previous = _tails.GetValueOrDefault(userKey) ?? Task.CompletedTask;
            _tails[userKey] = mine.Task;
        }

        if (channel is null)
        {
            lock (_gate)
                Enter();
        }
        else
            await _turnstiles.GetValue(channel, _ => new Turnstile(_gate)).AdmitAsync(deliveryTag, Enter);

        try
        {
            await previous;
            await work();
        }
        finally
        {
            mine.SetResult();
            lock (_gate)
            {
                if (_tails.TryGetValue(userKey, out var tail) && tail == mine.Task)
                    _tails.Remove(userKey);
            }
        }
    }

    /// <summary>Lets deliveries of one channel enter their lanes in delivery-tag order.</summary>
    sealed class Turnstile(Lock gate)
    {
        readonly SortedDictionary<ulong, (Action Enter, TaskCompletionSource Admitted)> _early = [];
        ulong _next = 1;

        public async Task AdmitAsync(ulong tag, Action enter)
        {
            TaskCompletionSource admitted;
            lock (gate)
            {
                if (tag <= _next)
                {
                    // Its turn (or later than a gap that was given up on): in at once.
                    enter();
                    _next = Math.Max(_next, tag + 1);
                    AdmitWaiting();
                    return;
                }
                admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _early[tag] = (enter, admitted);
            }

            if (await Task.WhenAny(admitted.Task, Task.Delay(GapTimeout)) == admitted.Task)
                return;

            lock (gate)
            {
                if (admitted.Task.IsCompleted)
                    return;
                // The deliveries before it are not coming: admit everything waiting up to it, in tag order.
                foreach (var (waitingTag, waiting) in _early.Where(e => e.Key <= tag).ToList())
                {
                    waiting.Enter();
                    waiting.Admitted.SetResult();
                    _early.Remove(waitingTag);
                }
                _next = tag + 1;
                AdmitWaiting();
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
}
