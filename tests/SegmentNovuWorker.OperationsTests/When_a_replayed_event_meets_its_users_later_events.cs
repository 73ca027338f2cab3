using System.Net;
using System.Text;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>A replay is a new event for its user: it goes to the back of the user's lane, never ahead of later events.</summary>
public sealed class When_a_replayed_event_meets_its_users_later_events
{
    [Fact]
    public async Task Should_apply_the_replayed_event_after_the_user_event_waiting_for_redelivery()
    {
        await using var stack = await DeadLetterStack.StartAsync(new Dictionary<string, string?>
        {
            ["Retry:Immediate:0"] = "00:00:00.050",
            ["Retry:Redelivery:0"] = "00:00:04",
            ["Retry:KillSwitch:Enabled"] = "false",
        });
        // The user's first identify is rejected for good and dead-lettered.
        stack.Novu.AddFault(new Fault("/v2/subscribers", 422, Times: 1, Message: "email is not valid"));
        await PostAsync(stack, """{"type":"identify","messageId":"old-identify","userId":"replayed-user","traits":{"email":"old@example.com"}}""");
        await DeadLetterStack.WaitForDeadLettersAsync(stack, CallQueues.Identify, 1);

        // A later track of the user waits for a delayed redelivery (4 s): the user is held.
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 2));
        await PostAsync(stack, """{"type":"track","messageId":"later-track","userId":"replayed-user","event":"User Registered"}""");
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Count(r => r.Status == 503) == 2, "the track went to redelivery");

        var replay = await Cli.RunAsync(stack, "dlq", "replay", "old-identify");
        Assert.Equal(ExitCodes.Ok, replay.ExitCode);

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Subscribers.TryGetValue("replayed-user", out var s) && s["email"]?.GetValue<string>() == "old@example.com",
            "the replayed identify was applied", TimeSpan.FromSeconds(30));
        var applied = stack.Novu.Requests.Where(r => r.Status < 300).Select(r => r.Path).ToList();
        Assert.Equal(["/v1/events/trigger", "/v2/subscribers"], applied);
    }

    static async Task PostAsync(SegmentNovuStack stack, string body)
    {
        using var client = stack.CreateIngestClient();
        using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
