using RabbitMQ.Client;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Worker.Consumption;

namespace SegmentNovuWorker.Worker.Ordering;

/// <summary>
/// The users of one partition endpoint: each delivery is admitted in delivery-tag order (<see cref="DeliveryTurnstile"/>)
/// and gets a <see cref="LaneTicket"/> that says what it must do and when its turn comes, so that a user's messages go
/// one at a time, in the order the broker delivered them, while different users run side by side.
/// </summary>
/// <remarks>
/// Written by hand because MassTransit's partitioner hashes keys into a fixed number of slots, so unrelated users that
/// share a slot wait for each other's retries; and because it orders by arrival at the filter, which the RabbitMQ
/// client's concurrent dispatch does not keep. A user has two chains: <b>run</b> (its events that call Novu, one after
/// another) and <b>park</b> (its events going to its hold queue while an earlier one is in delayed redelivery, one after
/// another, in order): a held user's events are parked as they come, without waiting for anything of the user to run,
/// so they give their delivery slots back at once.
/// </remarks>
public sealed class UserLanes
{
    readonly Lock _gate = new();
    readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, DeliveryTurnstile> _turnstiles = [];

    internal sealed class Lane
    {
        /// <summary>The channel its events came on: a lane never outlives it (see <see cref="EnterLocked"/>).</summary>
        public object? Channel;
        public Task RunTail = Task.CompletedTask;
        public Task ParkTail = Task.CompletedTask;
        /// <summary>Completes once the last parked event's offer is on its way to the hold (see <see cref="LaneTicket.Placed"/>).</summary>
        public Task ParkPlacedTail = Task.CompletedTask;
        public int Running;
        public int Parking;
        /// <summary>This worker knows the user is held (it opened the hold, saw its head, or parked an event in it).</summary>
        public bool Held;
        /// <summary>A parked event found no hold: once the events parking now are through, the user runs again.</summary>
        public bool HoldGone;
    }

    readonly string _queue;
    readonly PartitionChannels _channels;
    int _started;
    TaskCompletionSource? _handover;
    TaskCompletionSource _handoverEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A wait that only the delivery's own cancellation ends: its channel is retired, nothing of it starts.</summary>
    static readonly Task Never = new TaskCompletionSource().Task;

    public UserLanes(string queue, PartitionChannels channels) => (_queue, _channels) = (queue, channels);

    /// <summary>
    /// Admits a delivery (in tag order when <paramref name="channel"/> is given) and decides its way:
    /// <see cref="LaneWay.Run"/> behind the user's earlier events, or <see cref="LaneWay.Park"/> behind its earlier parked
    /// ones while the user is held. A hold head always runs, after both chains.
    /// </summary>
    public async Task<LaneTicket> EnterAsync(string userKey, bool holdHead, object? channel, ulong deliveryTag, CancellationToken cancellationToken)
    {
        LaneTicket? ticket = null;
        void Enter() => ticket = EnterLocked(userKey, holdHead, channel);

        if (channel is null)
        {
            lock (_gate)
                Enter();
        }
        else
            await _turnstiles.GetValue(channel, _ => new DeliveryTurnstile(_gate)).AdmitAsync(deliveryTag, Enter, cancellationToken);
        return ticket!;
    }

    LaneTicket EnterLocked(string userKey, bool holdHead, object? channel)
    {
        if (channel is IChannel opened)
            _channels.Seen(_queue, opened);
        // A lane whose events came on a channel now closed or retired starts afresh on the new one: the broker has given
        // those events back, in order, ahead of the rest, so the new channel brings them again first; waiting for the old
        // ones (which may never end: nothing settles a dead channel's delivery) would hold the user for good.
        if (!_lanes.TryGetValue(userKey, out var lane) || (channel is not null && lane.Channel is { } old && !ReferenceEquals(old, channel)
            && (old is IChannel { IsClosed: true } || _channels.IsRetired(old))))
            _lanes[userKey] = lane = new Lane();
        lane.Channel = channel ?? lane.Channel;

        if (holdHead)
        {
            // A head exists only while its hold does: the user's later events park behind it, and behind those of its
            // events that came before it and still wait to run (they will find the hold and park).
            if (!lane.Held && lane.Running > 0)
                ParkAfterWaitingRuns(lane);
            lane.Held = true;
            return JoinRun(userKey, lane, Task.WhenAll(lane.RunTail, lane.ParkTail), channel);
        }
        // While anything of the user is parking, later events park too: each finds its way in order, even if the hold
        // turns out to be gone (they then run, one after another, in the order they came).
        return lane.Held || lane.Parking > 0 ? JoinPark(userKey, lane, channel) : JoinRun(userKey, lane, lane.RunTail, channel);
    }

    LaneTicket JoinRun(string userKey, Lane lane, Task previous, object? channel)
    {
        var ticket = new LaneTicket(this, lane, userKey, LaneWay.Run, previous, Task.CompletedTask, previous, channel);
        lane.RunTail = ticket.Done;
        lane.Running++;
        return ticket;
    }

    LaneTicket JoinPark(string userKey, Lane lane, object? channel)
    {
        var ticket = new LaneTicket(this, lane, userKey, LaneWay.Park, lane.ParkTail, lane.RunTail, lane.ParkPlacedTail, channel);
        lane.ParkTail = ticket.Done;
        lane.ParkPlacedTail = ticket.Placed;
        lane.Parking++;
        return ticket;
    }

    /// <summary>
    /// A parked event found no hold (its head finished meanwhile, here or on another worker): it runs after all, behind what of the user ran before it came, never behind what came after it. Its
    /// parking turn ends when its run does.
    /// </summary>
    internal LaneTicket Unpark(LaneTicket parked)
    {
        lock (_gate)
        {
            var lane = parked.Lane;
            lane.HoldGone = true;
            var ticket = new LaneTicket(this, lane, parked.UserKey, LaneWay.Run, parked.RunBefore, Task.CompletedTask, parked.RunBefore, parked.Channel);
            lane.RunTail = Task.WhenAll(lane.RunTail, ticket.Done);
            lane.Running++;
            return ticket;
        }
    }

    /// <summary>
    /// A delivery whose turn has come asks to start its work: false while the partition is being handed over or its channel
    /// is retired, when it must not start (its delivery goes back to the queue, in place, when the channel closes);
    /// <paramref name="wake"/> then completes when it may ask again (the handover ended), or never.
    /// </summary>
    internal bool TryStart(object? channel, out Task wake)
    {
        lock (_gate)
        {
            if (_channels.IsRetired(channel))
            {
                wake = Never;
                return false;
            }
            if (_handover is not null)
            {
                wake = _handoverEnded.Task;
                return false;
            }
            _started++;
            wake = Task.CompletedTask;
            return true;
        }
    }

    internal void Finished()
    {
        lock (_gate)
        {
            if (--_started == 0)
                _handover?.TrySetResult();
        }
    }

    /// <summary>
    /// Hands the partition over to another worker without letting it overtake this one: nothing more starts here, and
    /// the returned task completes once everything that started has finished. The caller then closes the partition's
    /// channels (<see cref="PartitionChannels.CloseAsync"/>), which returns every delivery not yet done to the queue in its
    /// place, ahead of the rest, for the next consumer.
    /// </summary>
    public Task BeginHandoverAsync()
    {
        lock (_gate)
        {
            _channels.RetireLatest(_queue);
            _handover ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_started == 0)
                _handover.TrySetResult();
            return _handover.Task;
        }
    }

    /// <summary>The handover is done (the channel closed): deliveries of a new channel start again as they come.</summary>
    public void EndHandover()
    {
        TaskCompletionSource ended;
        lock (_gate)
        {
            _handover = null;
            (ended, _handoverEnded) = (_handoverEnded, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        ended.TrySetResult();
    }

    /// <summary>
    /// A token cancelled once this worker closed <paramref name="channel"/>: a delivery of it still waiting for its turn then
    /// gives up (its message is back in the queue), so that no stop, handover or recovery waits for it for ever.
    /// </summary>
    public CancellationToken ReleasedWith(object? channel) => _channels.ReleasedWith(channel);

    /// <summary>
    /// The user's hold is open (this worker parked an event in redelivery or as the lead of its burst, or found the hold):
    /// park its later events. Called from the run of one of the user's events; those of its events already waiting in the
    /// run chain behind it will find the hold and park when their turn comes, so the events that come from now on park
    /// only after them: parked at once, they would reach the hold queue ahead of them.
    /// </summary>
    public void MarkHeld(string userKey)
    {
        lock (_gate)
        {
            if (!_lanes.TryGetValue(userKey, out var lane))
                _lanes[userKey] = lane = new Lane();
            // More than the caller in the run chain: the rest wait behind it, and the caller is done right after this.
            if (!lane.Held && lane.Running > 1)
                ParkAfterWaitingRuns(lane);
            lane.Held = true;
        }
    }

    /// <summary>
    /// The user became held while events of it wait in the run chain: they will find the hold and park when their turn
    /// comes, so what parks from now on waits for them. Only when the user becomes held: while it is, no event joins
    /// the run chain but a head (which itself waits for both chains).
    /// </summary>
    static void ParkAfterWaitingRuns(Lane lane)
    {
        lane.ParkTail = Task.WhenAll(lane.ParkTail, lane.RunTail);
        lane.ParkPlacedTail = Task.WhenAll(lane.ParkPlacedTail, lane.RunTail);
    }

    /// <summary>The user's hold is gone: its events run again.</summary>
    public void MarkReleased(string userKey)
    {
        lock (_gate)
        {
            if (_lanes.TryGetValue(userKey, out var lane))
            {
                lane.Held = false;
                RemoveIfIdle(userKey, lane);
            }
        }
    }

    /// <summary>
    /// Is an event of the user with <paramref name="userHash"/> in this partition's lanes (running, waiting its turn, or
    /// being parked)? The hold sweep asks, to tell a hold whose head is here from one whose head is nowhere.
    /// </summary>
    public bool HasInFlight(string userHash)
    {
        lock (_gate)
            return _lanes.Any(l => l.Value is { Running: > 0 } or { Parking: > 0 } && SegmentPartitions.UserHash(l.Key) == userHash);
    }

    internal void Left(LaneTicket ticket)
    {
        lock (_gate)
        {
            var lane = ticket.Lane;
            if (ticket.Way == LaneWay.Run)
                lane.Running--;
            else if (--lane.Parking == 0 && lane.HoldGone)
                (lane.Held, lane.HoldGone) = (false, false);
            RemoveIfIdle(ticket.UserKey, lane);
        }
    }

    void RemoveIfIdle(string userKey, Lane lane)
    {
        if (lane is { Running: 0, Parking: 0, Held: false } && _lanes.TryGetValue(userKey, out var current) && ReferenceEquals(current, lane))
            _lanes.Remove(userKey);
    }
}

/// <summary>What a delivery does in its user's lane.</summary>
public enum LaneWay
{
    /// <summary>Its turn comes after the user's earlier events have run; then it is offered to the hold, or runs.</summary>
    Run,

    /// <summary>The user is held: it goes to the back of the user's hold queue once the earlier parked ones are there.</summary>
    Park,
}

/// <summary>
/// One delivery's place in its user's lane. Dispose when done with it; the next event of the same chain gets its turn
/// only once this one is done <i>and</i> every earlier one is, so a delivery cancelled while it waited never lets a
/// later one overtake an earlier one that is still running.
/// </summary>
public sealed class LaneTicket : IDisposable
{
    readonly UserLanes _lanes;
    readonly Task _previous;
    readonly Task _placeAfter;
    readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TaskCompletionSource _placed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _disposed;

    internal LaneTicket(UserLanes lanes, UserLanes.Lane lane, string userKey, LaneWay way, Task previous, Task runBefore, Task placeAfter,
        object? channel)
    {
        _placeAfter = placeAfter;
        Lane = lane;
        Channel = channel;
        _lanes = lanes;
        UserKey = userKey;
        Way = way;
        _previous = previous;
        RunBefore = runBefore;
    }

    /// <summary>The channel the delivery came on.</summary>
    internal object? Channel { get; }

    /// <summary>The lane it joined (a user's lane is replaced when its channel is gone).</summary>
    internal UserLanes.Lane Lane { get; }

    /// <summary>For a parked event: the user's run chain as it was when it came, what it must follow if it runs after all.</summary>
    internal Task RunBefore { get; }

    public string UserKey { get; }
    public LaneWay Way { get; }

    /// <summary>How many of the user's events wait in its run chain behind this one (read when its turn has come).</summary>
    public int WaitingBehind => Math.Max(0, Volatile.Read(ref Lane.Running) - 1);

    /// <summary>Completes when this delivery is done and everything before it in its chain is.</summary>
    internal Task Done => _done.Task;

    /// <summary>
    /// Completes once this delivery's offer to its user's hold is on its way (<see cref="MarkPlaced"/>), or when it is
    /// done: the user's next parked event may then send its own offer, which the broker routes after this one, without
    /// waiting for this one's confirm. Parking one confirm at a time kept a partition's other users behind a burst.
    /// </summary>
    internal Task Placed => _placed.Task;

    /// <summary>This delivery's offer to the hold is on its way (the channel routes what it sends later after it).</summary>
    public void MarkPlaced() => _placed.TrySetResult();

    bool _started;

    /// <summary>
    /// Waits until every earlier event of this chain is done, then starts this one; while the partition is handed over,
    /// waits until the delivery is cancelled (its channel closes) instead, without starting.
    /// </summary>
    public async Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        await _previous.WaitAsync(cancellationToken);
        await StartAsync(cancellationToken);
    }

    /// <summary>
    /// For a parked event: waits until the user's earlier parked events' offers are on their way (not confirmed), then
    /// starts this one, so its offer reaches the hold after theirs. If the offer comes back (the hold is gone), wait
    /// for <see cref="WaitTurnAsync"/> before running it: an earlier one may be running for the same reason.
    /// </summary>
    public async Task WaitPlaceTurnAsync(CancellationToken cancellationToken)
    {
        await _placeAfter.WaitAsync(cancellationToken);
        await StartAsync(cancellationToken);
    }

    async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_started)
            return;
        while (!_lanes.TryStart(Channel, out var wake))
            await wake.WaitAsync(cancellationToken);
        _started = true;
    }

    /// <summary>For a parked event whose user turned out not to be held: its new ticket in the run chain.</summary>
    public LaneTicket Unpark() => _lanes.Unpark(this);

    bool _finishHandedOff;

    /// <summary>
    /// Takes this delivery's part in what a handover waits for (<see cref="UserLanes.BeginHandoverAsync"/>) out of
    /// <see cref="Dispose"/>: the returned action gives it back, once, when the caller knows the delivery is settled (its
    /// acknowledgement written). Null when it never started.
    /// </summary>
    public Action? HandOffFinish()
    {
        if (!_started || _finishHandedOff)
            return null;
        _finishHandedOff = true;
        var once = 0;
        return () =>
        {
            if (Interlocked.Exchange(ref once, 1) == 0)
                _lanes.Finished();
        };
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        if (_started && !_finishHandedOff)
            _lanes.Finished();
        _previous.ContinueWith(_ =>
        {
            _lanes.Left(this);
            _placed.TrySetResult();
            _done.SetResult();
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
