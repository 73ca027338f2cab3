using SegmentNovuWorker.IntegrationTests.Failures;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ordering;

/// <summary>A retry holds back only its own user: the user's later events wait behind it, other users flow.</summary>
public sealed class When_an_earlier_event_of_the_user_is_retried
{
    [Fact]
    public async Task Should_hold_the_track_until_its_identify_is_delivered_by_a_delayed_redelivery()
    {
        await using var stack = await FailureStack.StartAsync();
        // Every in-process attempt of the first upsert fails: the identify goes to delayed redelivery (1 s).
        stack.Novu.AddFault(new Fault("/v2/subscribers", 503, Times: 3));
        using var client = stack.CreateIngestClient();
        await UserFlow.PostAsync(client, UserFlow.Identify("held"));
        await UserFlow.PostAsync(client, UserFlow.Registered("held"));
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count(r => r.Status == 503) == 3, "the identify went to redelivery");

        // Another user is not held up by it.
        await UserFlow.PostAsync(client, UserFlow.Identify("other"));
        await UserFlow.PostAsync(client, UserFlow.Registered("other"));

        await UserFlow.WaitForWelcomesAsync(stack, 2);
        var welcomes = stack.Novu.Notifications.ToList();
        Assert.All(welcomes, w => Assert.True(w.SubscriberHadEmail, $"{w.To} was triggered before its identify"));
        Assert.Equal(["other", "held"], welcomes.Select(w => w.To));
        Assert.Equal(0u, await stack.CountAsync(CallQueues.ErrorOf(CallQueues.Identify)));
    }

    [Fact]
    public async Task Should_release_the_held_events_in_order_when_the_first_is_dead_lettered()
    {
        await using var stack = await FailureStack.StartAsync();
        // The first upsert fails for good (422): it is dead-lettered; what waited behind it still goes, in order.
        stack.Novu.AddFault(new Fault("/v2/subscribers", 503, Times: 3));
        using var client = stack.CreateIngestClient();
        await UserFlow.PostAsync(client, UserFlow.Identify("unlucky"));
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count(r => r.Status == 503) == 3, "the identify went to redelivery");
        stack.Novu.AddFault(new Fault("/v2/subscribers", 422, Times: 1, Message: "invalid email"));
        await UserFlow.PostAsync(client, UserFlow.Registered("unlucky"));
        await UserFlow.PostAsync(client, UserFlow.Identify("unlucky", "second@example.com"));
        await UserFlow.PostAsync(client, UserFlow.Registered("unlucky"));

        await UserFlow.WaitForWelcomesAsync(stack, 2);
        var calls = stack.Novu.Requests.Where(r => r.Status < 500).Select(r => $"{r.Path} {r.Status}").ToList();
        Assert.Equal(["/v2/subscribers 422", "/v1/events/trigger 201", "/v2/subscribers 201", "/v1/events/trigger 201"], calls);
        Assert.Equal(1u, await stack.CountAsync(CallQueues.ErrorOf(CallQueues.Identify)));
    }

    [Fact]
    public async Task Should_keep_the_hold_across_a_worker_restart()
    {
        await using var stack = await FailureStack.StartAsync(("Retry:Redelivery:0", "00:00:05"), ("Retry:Redelivery:1", "00:00:05"));
        stack.Novu.AddFault(new Fault("/v2/subscribers", 503, Times: 3));
        using var client = stack.CreateIngestClient();
        await UserFlow.PostAsync(client, UserFlow.Identify("restarted"));
        await UserFlow.PostAsync(client, UserFlow.Registered("restarted"));
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count(r => r.Status == 503) == 3, "the identify went to redelivery");

        await stack.StopWorkerAsync();
        await stack.StartWorkerAsync();

        await UserFlow.WaitForWelcomesAsync(stack, 1);
        Assert.True(stack.Novu.Notifications.Single().SubscriberHadEmail, "the track overtook its identify across the restart");
    }
}
