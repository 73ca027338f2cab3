using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;

namespace SegmentNovuWorker.Ingest.Publishing;

/// <summary>
/// The events the broker confirmed for a request that was answered 503 anyway (the rest did not make it in time), so that
/// the sender's retry publishes only what is missing. It keeps their Segment <c>messageId</c>s, scoped by sender (Segment's
/// webhook, or one write key), for at most <see cref="RetryMemoryOptions.Size"/> events and
/// <see cref="RetryMemoryOptions.TimeToLive"/>.
/// </summary>
/// <remarks>
/// Why: a user's events are published one after another (per-user order), a confirm each, so one user's run of a few
/// thousand events in one request does not fit in the wait Segment allows; without this, every retry started again from
/// the first event, timed out at the same place and was answered 503 until Segment gave up. With it, each attempt goes on
/// where the previous one stopped.
/// <para>
/// It keeps per-user order: an event is remembered only once the broker confirmed it, so it is in its partition queue
/// ahead of anything published later, and a user's confirmed events of one request are always a prefix of that user's
/// run. Skipping them on the retry therefore publishes the rest behind them, in order. The one event in flight when the
/// wait ran out is not remembered (its confirm never arrived), so the retry may publish it a second time, right behind
/// itself: the worker absorbs a repeated event (docs/worker.md).
/// </para>
/// <para>
/// It only ever publishes less than a plain retry would, and only what is already in a queue: a 200 forgets what it
/// skipped, a forgotten or evicted event is simply published again, and the memory is this process's own, so a retry that
/// reaches another ingest replica publishes its whole request again, as without it.
/// </para>
/// </remarks>
public sealed class ConfirmedEvents : IDisposable
{
    /// <summary>Null when <see cref="RetryMemoryOptions.Size"/> is 0: nothing is remembered, nothing skipped.</summary>
    readonly MemoryCache? _confirmed;
    readonly MemoryCacheEntryOptions _entry;

    public ConfirmedEvents(IOptions<RetryMemoryOptions> options)
    {
        var o = options.Value;
        _entry = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = o.TimeToLive };
        // Our own instance, not the host's IMemoryCache: a size limit there would make every other user give sizes. Full,
        // MemoryCache refuses the new entry and compacts in the background (expired first, then least recently used).
        if (o.Size > 0)
            _confirmed = new MemoryCache(new MemoryCacheOptions { SizeLimit = o.Size });
    }

    /// <summary>
    /// <paramref name="events"/> without those the broker already confirmed for an earlier request of <paramref name="sender"/>
    /// (returned as <c>Resumed</c>).
    /// </summary>
    public (IReadOnlyList<ISegmentEvent> ToPublish, IReadOnlyList<ISegmentEvent> Resumed) Split(string sender, IReadOnlyList<ISegmentEvent> events)
    {
        // The usual case, on the hot path: nothing was ever answered 503.
        if (_confirmed is null || _confirmed.Count == 0)
            return (events, []);
        List<ISegmentEvent> toPublish = new(events.Count), resumed = [];
        foreach (var segmentEvent in events)
            (_confirmed.TryGetValue(Key(sender, segmentEvent.MessageId), out _) ? resumed : toPublish).Add(segmentEvent);
        return resumed.Count == 0 ? (events, []) : (toPublish, resumed);
    }

    /// <summary>Remembers events the broker confirmed for a request that is being answered 503.</summary>
    public void Remember(string sender, IEnumerable<string> messageIds)
    {
        if (_confirmed is null)
            return;
        foreach (var messageId in messageIds)
            _confirmed.Set(Key(sender, messageId), true, _entry);
    }

    /// <summary>Forgets events once a request holding them was answered 200: the sender has no reason to send them again.</summary>
    public void Forget(string sender, IEnumerable<ISegmentEvent> events)
    {
        if (_confirmed is null)
            return;
        foreach (var segmentEvent in events)
            _confirmed.Remove(Key(sender, segmentEvent.MessageId));
    }

    // A messageId is the sender's: another sender (write key) may use the same one for another event.
    static string Key(string sender, string messageId) => string.Concat(sender, "\n", messageId);

    public void Dispose() => _confirmed?.Dispose();
}
