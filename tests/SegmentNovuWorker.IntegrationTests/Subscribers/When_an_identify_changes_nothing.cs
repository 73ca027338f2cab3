using System.Text.Json.Nodes;
using SegmentNovuWorker.IntegrationTests.Failures;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Subscribers;

/// <summary>
/// Segment's SDKs send the same identify again and again; the worker upserts a subscriber only when the fields it would send
/// differ from what it last sent (<c>Novu:Subscribers:SkipUnchanged</c>). Each spec ends on a change, so that the user's
/// order (its events one after another) shows the earlier identifies were handled when Novu sees the last one.
/// </summary>
public sealed class When_an_identify_changes_nothing
{
    const string UserId = "97980cfea0067";
    const string Email = "peter@example.com";

    /// <summary>Segment's sample identify, as a new message (its own messageId) with the given email.</summary>
    static string Identify(string messageId, string email = Email)
    {
        var identify = JsonNode.Parse(Samples.Read("identify"))!.AsObject();
        identify["messageId"] = messageId;
        identify["traits"]!["email"] = email;
        return identify.ToJsonString();
    }

    static List<ReceivedRequest> SubscriberCalls(SegmentNovuStack stack) =>
        [.. stack.Novu.Requests.Where(r => r.Path.StartsWith("/v2/subscribers", StringComparison.Ordinal))];

    static string? EmailInNovu(SegmentNovuStack stack) =>
        stack.Novu.Subscribers.TryGetValue(UserId, out var s) ? s["email"]?.GetValue<string>() : null;

    [Fact]
    public async Task Should_make_no_novu_call_for_an_unchanged_identify_and_one_for_a_changed_one()
    {
        await using var stack = await FailureStack.StartAsync();

        await stack.PostAsync(Identify("identify-1"));
        await stack.PostAsync(Identify("identify-2"));
        await stack.PostAsync(Identify("identify-3"));
        await stack.PostAsync(Identify("identify-4", "peter@initech.com"));

        await SegmentNovuStack.WaitUntilAsync(() => EmailInNovu(stack) == "peter@initech.com", "the changed identify reached Novu");
        var calls = SubscriberCalls(stack);
        Assert.Equal([201, 201], calls.Select(c => c.Status));
        Assert.Contains("peter@initech.com", calls[1].Body);
    }

    [Fact]
    public async Task Should_send_the_next_identify_after_a_delete()
    {
        await using var stack = await FailureStack.StartAsync();

        await stack.PostAsync(Identify("identify-1"));
        await stack.PostAsync(Samples.Read("delete"));
        await stack.PostAsync(Identify("identify-2"));

        await SegmentNovuStack.WaitUntilAsync(() => SubscriberCalls(stack).Count == 3, "the identify after the delete reached Novu");
        Assert.Equal(["POST", "DELETE", "POST"], SubscriberCalls(stack).Select(c => c.Method));
        Assert.Equal(Email, EmailInNovu(stack));
    }

    [Fact]
    public async Task Should_send_an_identify_again_after_a_change_novu_applied_but_never_answered()
    {
        await using var stack = await FailureStack.StartAsync();
        // Novu stores the new email, but the answer never arrives (the connection drops), through every retry: the event ends
        // in _error while Novu holds the new email. The identify that follows, identical to the first one, must restore it.
        stack.Novu.AddFault(new Fault("/v2/subscribers", 0, Times: 100, AfterProcessing: true, BodyContains: "peter@initech.com"));

        await stack.PostAsync(Identify("identify-1"));
        await stack.PostAsync(Identify("identify-2", "peter@initech.com"));
        await stack.PostAsync(Identify("identify-3"));

        await stack.SingleDeadLetterAsync(CallQueues.Identify);
        // The stand-in records the status its handler gave (201) even where the answer was then lost: read the bodies.
        await SegmentNovuStack.WaitUntilAsync(() => EmailInNovu(stack) == Email, "the identify after the failed one reached Novu");
        var calls = SubscriberCalls(stack);
        Assert.Contains(Email, calls[0].Body);
        Assert.All(calls[1..^1], c => Assert.Contains("peter@initech.com", c.Body));
        Assert.Contains(Email, calls[^1].Body);
    }

    [Fact]
    public async Task Should_send_an_identify_again_after_a_failed_attempt_at_the_same_fields()
    {
        await using var stack = await FailureStack.StartAsync();
        stack.Novu.AddFault(new Fault("/v2/subscribers", 503, Times: 1));

        await stack.PostAsync(Identify("identify-1"));  // 503, then the in-process retry: 201
        await stack.PostAsync(Identify("identify-2"));  // remembered after the 201: skipped
        await stack.PostAsync(Identify("identify-3", "peter@initech.com"));

        await SegmentNovuStack.WaitUntilAsync(() => EmailInNovu(stack) == "peter@initech.com", "the changed identify reached Novu");
        Assert.Equal([503, 201, 201], SubscriberCalls(stack).Select(c => c.Status));
    }

    [Fact]
    public async Task Should_send_every_identify_when_switched_off()
    {
        await using var stack = await FailureStack.StartAsync(("Novu:Subscribers:SkipUnchanged", "false"));

        await stack.PostAsync(Identify("identify-1"));
        await stack.PostAsync(Identify("identify-2"));

        await SegmentNovuStack.WaitUntilAsync(() => SubscriberCalls(stack).Count == 2, "both identical identifies reached Novu");
        Assert.All(SubscriberCalls(stack), c => Assert.Equal(201, c.Status));
    }
}
