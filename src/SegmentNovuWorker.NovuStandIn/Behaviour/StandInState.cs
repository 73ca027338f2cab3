using System.Text.Json.Nodes;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>Everything the stand-in remembers. Thread-safe; tests read it directly or over <c>/_standin/*</c>.</summary>
public sealed class StandInState
{
    readonly Lock _gate = new();
    readonly List<ReceivedRequest> _requests = [];
    readonly Dictionary<string, JsonObject> _subscribers = new(StringComparer.Ordinal);
    readonly List<Notification> _notifications = [];
    readonly HashSet<string> _transactionIds = new(StringComparer.Ordinal);
    readonly Dictionary<string, (string? Name, HashSet<string> Subscribers)> _topics = new(StringComparer.Ordinal);
    readonly List<FaultSlot> _faults = [];
    readonly Dictionary<string, string> _failingWrites = new(StringComparer.Ordinal);
    readonly RouteDelays _configuredDelays;
    RouteDelays _delays;
    int _heldBack;

    public StandInState()
        : this(RouteDelays.None)
    {
    }

    /// <param name="configuredDelays">The delays from configuration: where <see cref="Reset"/> returns to.</param>
    public StandInState(RouteDelays configuredDelays)
    {
        ThrowIfNegative(configuredDelays);
        _configuredDelays = _delays = configuredDelays;
    }

    sealed class FaultSlot(Fault fault)
    {
        public Fault Fault { get; } = fault;
        public int Remaining { get; set; } = fault.Times;
    }

    public IReadOnlyList<ReceivedRequest> Requests { get { lock (_gate) return [.. _requests]; } }
    public IReadOnlyList<Notification> Notifications { get { lock (_gate) return [.. _notifications]; } }

    public IReadOnlyDictionary<string, JsonObject> Subscribers
    {
        get { lock (_gate) return _subscribers.ToDictionary(p => p.Key, p => (JsonObject)p.Value.DeepClone()); }
    }

    public IReadOnlyDictionary<string, string[]> TopicSubscriptions
    {
        get { lock (_gate) return _topics.ToDictionary(p => p.Key, p => p.Value.Subscribers.Order().ToArray()); }
    }

    public string? TopicName(string key) { lock (_gate) return _topics.TryGetValue(key, out var t) ? t.Name : null; }

    /// <summary>Novu's per-organization idempotency switch (<c>StandIn:Idempotency</c>, or <c>/_standin/idempotency</c>).</summary>
    public bool IdempotencyEnabled { get => Volatile.Read(ref _idempotency); set => Volatile.Write(ref _idempotency, value); }
    bool _idempotency = true;

    /// <summary>While set, every Novu call is refused for the account (401, 402 or 403), as with a revoked key or an unpaid plan.</summary>
    public AccountError? AccountError { get { lock (_gate) return _accountError; } set { lock (_gate) _accountError = value; } }
    AccountError? _accountError;

    public bool SubscriberExists(string subscriberId) { lock (_gate) return _subscribers.ContainsKey(subscriberId); }

    public void Record(ReceivedRequest request) { lock (_gate) _requests.Add(request); }

    public void AddFault(Fault fault) { lock (_gate) _faults.Add(new FaultSlot(fault)); }

    /// <summary>Does any programmed fault look into request bodies? Only then is the body read for it.</summary>
    public bool MatchesBodies { get { lock (_gate) return _faults.Any(f => f.Fault.BodyContains is not null); } }

    /// <summary>Takes one use of the first programmed fault matching this path (and body), if any.</summary>
    /// <param name="inHandler">Which layer asks: Novu's handler (behind idempotency) or the gateway in front of it.</param>
    public Fault? TakeFault(string path, bool inHandler = false, string? body = null)
    {
        lock (_gate)
        {
            var slot = _faults.FirstOrDefault(f => f.Fault.InHandler == inHandler && path.StartsWith(f.Fault.PathPrefix, StringComparison.Ordinal)
                && (f.Fault.BodyContains is null || (body?.Contains(f.Fault.BodyContains, StringComparison.Ordinal) ?? false)));
            if (slot is null)
                return null;
            if (--slot.Remaining <= 0)
                _faults.Remove(slot);
            return slot.Fault;
        }
    }

    /// <summary>Novu is healthy again: forget every programmed failure.</summary>
    public void ClearFaults() { lock (_gate) _faults.Clear(); }

    /// <summary>How slow each route is now.</summary>
    public RouteDelays Delays { get { lock (_gate) return _delays; } }

    /// <summary>Slows routes from now on (replacing every delay, so a route left out is no longer slowed); requests already waiting keep their delay.</summary>
    public void SetDelays(RouteDelays delays)
    {
        ThrowIfNegative(delays);
        lock (_gate) _delays = delays;
    }

    /// <summary>
    /// Requests waiting out a route delay right now. A test that races a fast call against a slow one waits for this
    /// before sending the fast call: sending first does not mean arriving first.
    /// </summary>
    public int HeldBack => Volatile.Read(ref _heldBack);

    internal void CountHeldBack(int change) => Interlocked.Add(ref _heldBack, change);

    static void ThrowIfNegative(RouteDelays delays)
    {
        if (delays.FirstNegative() is { } route)
            throw new ArgumentOutOfRangeException(nameof(delays), $"The {route} delay must not be negative.");
    }

    /// <summary>Forgets everything received, stored and programmed; delays set at run time go back to the configured ones.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _delays = _configuredDelays;
            _requests.Clear();
            _subscribers.Clear();
            _notifications.Clear();
            _transactionIds.Clear();
            _topics.Clear();
            _faults.Clear();
            _failingWrites.Clear();
            _accountError = null;
        }
    }

    /// <summary>Creates or updates a subscriber: given fields replace, absent fields stay, <c>data</c> is merged.</summary>
    public JsonObject UpsertSubscriber(string subscriberId, JsonObject fields)
    {
        lock (_gate) return (JsonObject)UpsertLocked(subscriberId, fields).DeepClone();
    }

    JsonObject UpsertLocked(string subscriberId, JsonObject fields)
    {
        if (!_subscribers.TryGetValue(subscriberId, out var existing))
            _subscribers[subscriberId] = existing = new JsonObject { ["subscriberId"] = subscriberId };
        foreach (var (key, value) in fields)
        {
            if (key == "subscriberId")
                continue;
            if (key == "data" && value is JsonObject data && existing["data"] is JsonObject current)
            {
                foreach (var (k, v) in data)
                    current[k] = v?.DeepClone();
            }
            else
                existing[key] = value?.DeepClone();
        }
        return existing;
    }

    /// <summary>
    /// From now on, the database write of this subscriber fails with <paramref name="message"/> inside a bulk upsert (Novu's
    /// <c>bulkWrite</c> reports it as a write error: the subscriber lands in <c>failed</c>, its neighbours are written).
    /// </summary>
    public void FailSubscriberWrites(string subscriberId, string message) { lock (_gate) _failingWrites[subscriberId] = message; }

    /// <summary>
    /// Novu's bulk upsert (libs/dal <c>SubscriberRepository.bulkCreateSubscribers</c>): for each subscriber, in one unordered
    /// <c>bulkWrite</c>, an <c>updateOne</c> with <c>upsert: true</c> and <c>$set</c> of the fields sent (so <c>data</c> is
    /// replaced as a whole, and a field not sent is left as it is). A write error fails only that subscriber.
    /// </summary>
    public (List<string> Created, List<string> Updated, List<(string SubscriberId, string Message)> Failed) BulkUpsert(IReadOnlyList<JsonObject> subscribers)
    {
        lock (_gate)
        {
            var (created, updated, failed) = (new List<string>(), new List<string>(), new List<(string, string)>());
            foreach (var fields in subscribers)
            {
                var id = fields["subscriberId"]!.GetValue<string>();
                if (_failingWrites.TryGetValue(id, out var message))
                {
                    failed.Add((id, message));
                    continue;
                }
                if (_subscribers.TryGetValue(id, out var existing))
                    updated.Add(id);
                else
                {
                    _subscribers[id] = existing = new JsonObject { ["subscriberId"] = id };
                    created.Add(id);
                }
                foreach (var (key, value) in fields)
                {
                    if (key != "subscriberId")
                        existing[key] = value?.DeepClone();
                }
            }
            return (created, updated, failed);
        }
    }

    public JsonObject? GetSubscriber(string subscriberId)
    {
        lock (_gate) return _subscribers.TryGetValue(subscriberId, out var s) ? (JsonObject)s.DeepClone() : null;
    }

    public bool DeleteSubscriber(string subscriberId)
    {
        lock (_gate)
        {
            foreach (var topic in _topics.Values)
                topic.Subscribers.Remove(subscriberId);
            return _subscribers.Remove(subscriberId);
        }
    }

    /// <summary>Triggers a workflow unless this transactionId was seen before; returns whether it fired.</summary>
    /// <param name="to">A subscriberId, <c>topic:</c> and a topic key, or several of these joined by commas.</param>
    public bool Trigger(string workflow, string to, JsonNode? payload, string transactionId) =>
        Trigger(workflow, [.. to.Split(',').Select(r => r.StartsWith("topic:", StringComparison.Ordinal)
            ? Recipient.Topic(r["topic:".Length..])
            : Recipient.Subscriber(r))], payload, transactionId);

    /// <summary>
    /// Triggers a workflow unless this transactionId was seen before; returns whether it fired. As on Novu, each
    /// subscriber recipient is created or updated first: from the fields it carried inline, or bare (no email, no
    /// phone) when Novu did not know it. A repeated transactionId changes nothing, subscribers included.
    /// </summary>
    public bool Trigger(string workflow, IReadOnlyList<Recipient> recipients, JsonNode? payload, string transactionId)
    {
        lock (_gate)
        {
            if (!_transactionIds.Add(transactionId))
                return false;
            var reached = new List<ReachedSubscriber>();
            foreach (var recipient in recipients)
            {
                if (recipient.SubscriberId is { } id)
                    reached.Add(new ReachedSubscriber(id, EmailOf(UpsertLocked(id, recipient.InlineFields ?? []))));
                else if (recipient.TopicKey is { } key && _topics.TryGetValue(key, out var topic))
                {
                    foreach (var member in topic.Subscribers.Order(StringComparer.Ordinal))
                        reached.Add(new ReachedSubscriber(member, _subscribers.TryGetValue(member, out var s) ? EmailOf(s) : null));
                }
            }
            _notifications.Add(new Notification(workflow, string.Join(",", recipients), payload?.DeepClone(), transactionId, DateTimeOffset.UtcNow)
            {
                // Novu sends once per subscriber, even when a topic and the subscriber itself are both addressed.
                Recipients = [.. reached.DistinctBy(r => r.SubscriberId)],
            });
            return true;
        }
    }

    static string? EmailOf(JsonObject subscriber) =>
        subscriber["email"] is JsonValue v && v.TryGetValue<string>(out var email) && email.Length > 0 ? email : null;

    public void UpsertTopic(string key, string? name)
    {
        lock (_gate)
        {
            if (_topics.TryGetValue(key, out var topic))
                _topics[key] = (name ?? topic.Name, topic.Subscribers);
            else
                _topics[key] = (name, new HashSet<string>(StringComparer.Ordinal));
        }
    }

    public void Subscribe(string key, IEnumerable<string> subscriberIds, bool add)
    {
        lock (_gate)
        {
            if (!_topics.TryGetValue(key, out var topic))
                _topics[key] = topic = (null, new HashSet<string>(StringComparer.Ordinal));
            foreach (var id in subscriberIds)
            {
                if (add)
                    topic.Subscribers.Add(id);
                else
                    topic.Subscribers.Remove(id);
            }
        }
    }
}
