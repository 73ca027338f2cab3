using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Internal;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Worker.Subscribers;

/// <summary>
/// What this worker last sent Novu for each subscriber, so that an identify which would send the same fields again costs no
/// call. It keeps a SHA-256 of the upsert body, never the traits (they are personal data), for at most
/// <see cref="SubscriberMemoryOptions.CacheSize"/> subscribers and <see cref="SubscriberMemoryOptions.CacheTimeToLive"/>.
/// </summary>
/// <remarks>
/// It may only cost an extra call, never a missing one, for what this process sends: an upsert is remembered only once Novu
/// answered it 2xx (its earlier memory is dropped before the call, so a failed, cancelled or unanswered attempt leaves none);
/// whatever else changes a subscriber (a delete, a trigger with the subscriber inline) calls <see cref="ForgetAsync"/>, which
/// forgets it before and after its call, so an upsert answered while that call was in flight is not remembered either. What
/// it cannot see (an edit in Novu's dashboard, another worker's upsert while it held the partition) is bounded by the time
/// to live; the whole memory is also dropped each time one of this worker's partition endpoints (re)starts
/// (<see cref="ForgetAll"/>). docs/worker.md says what that costs.
/// </remarks>
public sealed class SubscriberMemory : IDisposable
{
    /// <summary>The <c>reason</c> of <c>segment_novu.events.skipped</c> for an identify that changed nothing.</summary>
    public const string UnchangedReason = "unchanged";

    /// <summary>Null when <see cref="SubscriberMemoryOptions.SkipUnchanged"/> is off: every upsert is sent, nothing is kept.</summary>
    readonly MemoryCache? _sent;
    readonly MemoryCacheEntryOptions _entry;
    // Orders "is my upsert still the latest thing sent?" against a forget from another user's lane (a trigger whose inline
    // `to` is this subscriber): MemoryCache has no compare-and-set, so the check and the set take this lock, as does a forget.
    readonly Lock _gate = new();

    public SubscriberMemory(IOptions<SubscriberMemoryOptions> options, TimeProvider time)
    {
        var o = options.Value;
        // Options are read once: switched off and on again at run time, the memory would miss the upserts sent in between.
        _entry = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = o.CacheTimeToLive };
        if (o.SkipUnchanged)
        {
            // Our own instance, not the host's IMemoryCache: a size limit there would make every other user give sizes.
            // Full, MemoryCache refuses the new entry and compacts in the background (expired first, then least recently
            // used), so an overflowing subscriber is simply sent next time.
            _sent = new MemoryCache(new MemoryCacheOptions { SizeLimit = o.CacheSize, Clock = new TimeProviderClock(time) });
        }
    }

    /// <summary>
    /// Sends <paramref name="subscriber"/> with <paramref name="upsert"/> unless it is exactly what this worker last sent for
    /// that subscriber. Returns false when it skipped the call.
    /// </summary>
    public async Task<bool> UpsertIfChangedAsync(SubscriberUpsert subscriber, Func<SubscriberUpsert, Task> upsert)
    {
        if (_sent is null)
        {
            await upsert(subscriber);
            return true;
        }

        var id = subscriber.SubscriberId;
        var hash = HashOf(subscriber);
        if (_sent.TryGetValue(id, out var last) && last is byte[] lastHash && lastHash.AsSpan().SequenceEqual(hash))
            return false;

        // Forgotten before the call, and marked as ours: an attempt that fails, is cancelled or never answered may or may not
        // have changed the subscriber, so nothing is left to match next time.
        var pending = new Pending();
        lock (_gate)
        {
            _sent.Remove(id);
            _sent.Set(id, pending, _entry);
        }
        await upsert(subscriber);
        lock (_gate)
        {
            // Forgotten meanwhile (a delete, an inline trigger, a partition restart) or evicted: not remembered.
            if (_sent.TryGetValue(id, out var current) && ReferenceEquals(current, pending))
                _sent.Set(id, hash, _entry);
        }
        return true;
    }

    /// <summary>
    /// Runs <paramref name="change"/>, a call that may change the subscriber some other way than an upsert (a delete, a trigger
    /// with the subscriber inline), with the subscriber forgotten before it and again after it, whether it succeeds or not.
    /// </summary>
    public Task<T> ForgetAsync<T>(string subscriberId, Func<Task<T>> change) => ForgettingAsync([subscriberId], change);

    /// <inheritdoc cref="ForgetAsync{T}(string, Func{Task{T}})"/>
    public Task ForgetAsync(string subscriberId, Func<Task> change) =>
        ForgetAsync(subscriberId, async () => { await change(); return true; });

    /// <summary>
    /// Sends <paramref name="trigger"/> with <paramref name="send"/>; a subscriber it carries inline (a <c>to</c> or <c>actor</c>
    /// object with fields beside <c>subscriberId</c>, which Novu upserts first) is forgotten before and after the call.
    /// </summary>
    public Task<T> TriggerAsync<T>(TriggerRequest trigger, Func<Task<T>> send)
    {
        if (_sent is null || InlineSubscribers(trigger) is not { Count: > 0 } inline)
            return send();
        return ForgettingAsync(inline, send);
    }

    async Task<T> ForgettingAsync<T>(IReadOnlyList<string> subscriberIds, Func<Task<T>> change)
    {
        foreach (var id in subscriberIds)
            Forget(id);
        try
        {
            return await change();
        }
        finally
        {
            // Again afterwards: an upsert of the same subscriber from another lane, answered while this call was in flight,
            // may have been overtaken by it in Novu.
            foreach (var id in subscriberIds)
                Forget(id);
        }
    }

    /// <summary>The subscriberIds a trigger upserts inline; a bare <c>{"subscriberId"}</c> or a string changes no field.</summary>
    public static List<string> InlineSubscribers(TriggerRequest trigger)
    {
        List<string> ids = [];
        foreach (var node in new JsonNode?[] { trigger.To, trigger.Actor })
        {
            if (node is JsonObject { Count: > 1 } subscriber && subscriber["subscriberId"] is JsonValue value
                && value.TryGetValue<string>(out var id))
                ids.Add(id);
        }
        return ids;
    }

    /// <summary>Drops everything remembered: the next identify of every subscriber is sent.</summary>
    public void ForgetAll()
    {
        if (_sent is null)
            return;
        lock (_gate)
            _sent.Clear();
    }

    void Forget(string subscriberId)
    {
        if (_sent is null)
            return;
        lock (_gate)
            _sent.Remove(subscriberId);
    }

    /// <summary>SHA-256 of the body exactly as <see cref="NovuClient"/> serializes it: same JSON, same hash.</summary>
    static byte[] HashOf(SubscriberUpsert subscriber) =>
        SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(subscriber, NovuClient.Json));

    public void Dispose() => _sent?.Dispose();

    /// <summary>An upsert in flight: matches no hash, and tells its own completion from a later one.</summary>
    sealed class Pending;

    /// <summary>MemoryCache predates <see cref="TimeProvider"/> and reads the time only through its own clock interface.</summary>
    sealed class TimeProviderClock(TimeProvider time) : ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
