using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Subscribers;

namespace SegmentNovuWorker.UnitTests.Subscribers;

/// <summary>
/// <see cref="SubscriberMemory"/>: an upsert identical to the last one sent is skipped; anything that may have changed the
/// subscriber since makes the next one go out. Time is a <see cref="FakeTimeProvider"/>: no spec sleeps or asserts a timing.
/// </summary>
public sealed class When_the_worker_remembers_what_it_sent : IDisposable
{
    readonly FakeTimeProvider _time = new();
    readonly List<SubscriberUpsert> _sent = [];
    readonly List<SubscriberMemory> _made = [];
    SubscriberMemory _memory;

    public When_the_worker_remembers_what_it_sent() => _memory = Memory(new());

    SubscriberMemory Memory(SubscriberMemoryOptions options)
    {
        var memory = new SubscriberMemory(Options.Create(options), _time);
        _made.Add(memory);
        return memory;
    }

    static SubscriberUpsert Peter(string email = "peter@example.com", string plan = "premium") =>
        new("user-1", FirstName: "Peter", Email: email, Data: new JsonObject { ["plan"] = plan });

    Task<bool> Upsert(SubscriberUpsert subscriber) => _memory.UpsertIfChangedAsync(subscriber, s =>
    {
        _sent.Add(s);
        return Task.CompletedTask;
    });

    static Task<bool> Failing(SubscriberMemory memory, SubscriberUpsert subscriber) =>
        memory.UpsertIfChangedAsync(subscriber, _ => Task.FromException(new NovuRetryableException("503", System.Net.HttpStatusCode.ServiceUnavailable, null, null)));

    [Fact]
    public async Task Should_skip_an_upsert_identical_to_the_last_one_sent()
    {
        Assert.True(await Upsert(Peter()));
        Assert.False(await Upsert(Peter()));

        Assert.Single(_sent);
    }

    [Fact]
    public async Task Should_send_an_upsert_whose_fields_or_custom_data_changed()
    {
        await Upsert(Peter());

        Assert.True(await Upsert(Peter(email: "peter@initech.com")));
        Assert.True(await Upsert(Peter(email: "peter@initech.com", plan: "free")));
        Assert.Equal(3, _sent.Count);
    }

    [Fact]
    public async Task Should_compare_with_the_last_upsert_not_with_any_earlier_one()
    {
        await Upsert(Peter());
        await Upsert(Peter(email: "peter@initech.com"));

        // Back to the first fields: Novu holds the second, so this is a change.
        Assert.True(await Upsert(Peter()));
        Assert.Equal(3, _sent.Count);
    }

    [Fact]
    public async Task Should_tell_subscribers_apart()
    {
        await Upsert(Peter());

        Assert.True(await Upsert(Peter() with { SubscriberId = "user-2" }));
    }

    [Fact]
    public async Task Should_send_again_once_the_time_to_live_has_passed()
    {
        _memory = Memory(new() { CacheTimeToLive = TimeSpan.FromMinutes(10) });
        await Upsert(Peter());

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.False(await Upsert(Peter()));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await Upsert(Peter()));
        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public async Task Should_not_remember_an_upsert_that_failed()
    {
        await Assert.ThrowsAsync<NovuRetryableException>(() => Failing(_memory, Peter()));

        // The redelivery of the same identify goes out.
        Assert.True(await Upsert(Peter()));
    }

    [Fact]
    public async Task Should_forget_the_last_upsert_before_sending_a_changed_one_that_then_fails()
    {
        await Upsert(Peter());
        // Unanswered: Novu may or may not hold the new email now.
        await Assert.ThrowsAsync<NovuRetryableException>(() => Failing(_memory, Peter(email: "peter@initech.com")));

        Assert.True(await Upsert(Peter()));
        Assert.Equal(2, _sent.Count);
    }

    [Fact]
    public async Task Should_not_remember_an_upsert_that_was_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            _memory.UpsertIfChangedAsync(Peter(), _ => Task.FromCanceled(cancelled.Token)));

        Assert.True(await Upsert(Peter()));
    }

    [Fact]
    public async Task Should_send_the_next_identify_after_a_delete_even_one_that_failed()
    {
        await Upsert(Peter());
        await _memory.ForgetAsync("user-1", () => Task.CompletedTask);
        Assert.True(await Upsert(Peter()));

        await Assert.ThrowsAsync<InvalidOperationException>(() => _memory.ForgetAsync("user-1", () => Task.FromException(new InvalidOperationException())));
        Assert.True(await Upsert(Peter()));
        Assert.Equal(3, _sent.Count);
    }

    [Fact]
    public async Task Should_forget_a_subscriber_a_trigger_carries_inline_but_not_one_named_by_id()
    {
        await Upsert(Peter());
        await _memory.TriggerAsync(Trigger(new JsonObject { ["subscriberId"] = "user-1" }), () => Task.FromResult(true));
        Assert.False(await Upsert(Peter()));

        await _memory.TriggerAsync(Trigger(new JsonObject { ["subscriberId"] = "user-1", ["email"] = "other@example.com" }), () => Task.FromResult(true));
        Assert.True(await Upsert(Peter()));
    }

    [Fact]
    public async Task Should_forget_an_inline_actor_too()
    {
        await Upsert(Peter());

        await _memory.TriggerAsync(Trigger(new JsonObject { ["subscriberId"] = "user-2" }, actor: new JsonObject { ["subscriberId"] = "user-1", ["firstName"] = "Pete" }),
            () => Task.FromResult(true));

        Assert.True(await Upsert(Peter()));
    }

    [Fact]
    public async Task Should_not_remember_an_upsert_answered_after_an_inline_trigger_for_it_was_sent()
    {
        // Another user's lane sends a trigger with this subscriber inline while this lane's upsert waits for Novu: which of
        // the two Novu applied last is unknown, so the upsert must not be remembered.
        var answer = new TaskCompletionSource();
        var upsert = _memory.UpsertIfChangedAsync(Peter(), _ => answer.Task);
        await _memory.TriggerAsync(Trigger(new JsonObject { ["subscriberId"] = "user-1", ["email"] = "other@example.com" }), () => Task.FromResult(true));

        answer.SetResult();
        await upsert;

        Assert.True(await Upsert(Peter()));
    }

    [Fact]
    public async Task Should_not_remember_an_upsert_that_overtook_an_inline_trigger_still_in_flight()
    {
        var trigger = new TaskCompletionSource<bool>();
        var triggered = _memory.TriggerAsync(Trigger(new JsonObject { ["subscriberId"] = "user-1", ["email"] = "other@example.com" }), () => trigger.Task);
        await Upsert(Peter());

        trigger.SetResult(true);
        await triggered;

        Assert.True(await Upsert(Peter()));
    }

    [Fact]
    public async Task Should_start_cold_after_forgetting_everything()
    {
        await Upsert(Peter());
        await Upsert(Peter() with { SubscriberId = "user-2" });

        _memory.ForgetAll();

        Assert.True(await Upsert(Peter()));
        Assert.True(await Upsert(Peter() with { SubscriberId = "user-2" }));
    }

    [Fact]
    public async Task Should_remember_no_more_subscribers_than_its_size()
    {
        _memory = Memory(new() { CacheSize = 3 });
        var subscribers = Enumerable.Range(1, 10).Select(i => Peter() with { SubscriberId = $"user-{i}" }).ToList();
        foreach (var subscriber in subscribers)
            await Upsert(subscriber);

        var skipped = 0;
        foreach (var subscriber in subscribers)
            skipped += await Upsert(subscriber) ? 0 : 1;

        // Which ones it kept is MemoryCache's choice (it compacts in the background); how many is the bound. One it did not
        // keep is sent again: an extra call, never a missing one.
        Assert.InRange(skipped, 0, 3);
        Assert.Equal(20 - skipped, _sent.Count);
    }

    [Fact]
    public async Task Should_send_every_upsert_when_switched_off()
    {
        _memory = Memory(new() { SkipUnchanged = false });

        Assert.True(await Upsert(Peter()));
        Assert.True(await Upsert(Peter()));
        Assert.Equal(2, _sent.Count);
    }

    static TriggerRequest Trigger(JsonObject to, JsonNode? actor = null) => new("welcome", to, new JsonObject(), "tx-1", Actor: actor);

    public void Dispose() => _made.ForEach(m => m.Dispose());
}
