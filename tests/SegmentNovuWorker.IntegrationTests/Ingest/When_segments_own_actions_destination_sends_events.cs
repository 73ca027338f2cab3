using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Ingest.Authentication;
using SegmentNovuWorker.Testing;
using Xunit.Abstractions;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentActionsDestination;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Segment's own Webhooks (Actions) destination code (<see cref="SegmentActionsDestination"/>) against the real ingest,
/// worker and Novu stand-in, configured as docs/security.md tells a Segment user to: a shared secret, a token in the
/// Send action's Headers mapping, and the first-element mode for batches signed by the secret alone.
/// </summary>
public sealed class When_segments_own_actions_destination_sends_events(ITestOutputHelper output) : IAsyncLifetime
{
    const string Secret = "actions-shared-secret";
    const string Token = "0f4c2a9e8b7d6c5f4e3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["Segment:SharedSecret"] = Secret,
            ["Segment:WebhookTokens:0"] = Token,
            ["Segment:AcceptFirstElementSignature"] = "true",
        });
        var tickets = _stack.IngestApp!.Services.GetRequiredService<FirstElementTickets>();
        await SegmentNovuStack.WaitUntilAsync(() => tickets.Ready, "the ingest read segment-first-element-tickets");
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    IReadOnlyList<NovuStandIn.Behaviour.Notification> NotificationsOf(string run) =>
        [.. _stack.Novu.Notifications.Where(n => n.To.StartsWith(run + "-", StringComparison.Ordinal))];

    static string? TokenOf(string credential) => credential == "token" ? Token : null;

    static string? SecretOf(string credential) => credential == "first-element" ? Secret : null;

    [Fact]
    public async Task Should_deliver_single_identify_and_track_signed_over_the_whole_body()
    {
        var result = await SendAsync(_stack.IngestUrl, new Scenario("single", Identify: true, SharedSecret: Secret));

        Assert.Empty(result.Errors);
        Assert.All(result.Requests, r => Assert.Equal((200, 1, true, "Segment (Actions)"), (r.Status, r.Events, r.Signed, r.UserAgent)));
        Assert.Equal(2, result.Requests.Count);
        await SegmentNovuStack.WaitUntilAsync(() => NotificationsOf("single").Count == 1, "Novu received the welcome");
        Assert.Equal("single@example.com", (string?)_stack.Novu.Subscribers["single-user-0"]["email"]);
        Assert.Equal(("welcome", "single-user-0"), (NotificationsOf("single")[0].Workflow, NotificationsOf("single")[0].To));
    }

    [Theory]
    [InlineData("token")]
    [InlineData("first-element")]
    public async Task Should_deliver_a_batch_of_1000_once(string credential)
    {
        var run = "thousand-" + credential;
        var sent = System.Diagnostics.Stopwatch.StartNew();
        var result = await SendAsync(_stack.IngestUrl, new Scenario(run, Batch: true, Events: 1000, SharedSecret: SecretOf(credential), Token: TokenOf(credential)));

        Assert.Empty(result.Errors);
        var request = Assert.Single(result.Requests);
        Assert.Equal((200, 1000), (request.Status, request.Events));
        Assert.Equal(1000, (int)request.AnswerJson["accepted"]!);
        // Generous: 1000 triggers through a real broker and worker on a shared 2-core machine.
        await SegmentNovuStack.WaitUntilAsync(() => NotificationsOf(run).Count >= 1000, "Novu received 1000 triggers", TimeSpan.FromSeconds(120));
        // Reported, not asserted (a shared machine): the answer time as Segment's code saw it, and node's start included in the rest.
        output.WriteLine($"{credential}: answered in {request.Ms} ms; script start to 1000 triggered in Novu: {sent.ElapsedMilliseconds} ms");
        Assert.Equal(1000, NotificationsOf(run).Select(n => n.TransactionId).Distinct().Count());
    }

    [Theory]
    [InlineData("token")]
    [InlineData("first-element")]
    public async Task Should_accept_a_batch_segment_delivers_30_minutes_late_and_deliver_it_once(string credential)
    {
        var run = "late-" + credential;
        var result = await SendAsync(_stack.IngestUrl,
            new Scenario(run, Batch: true, Events: 20, AgeMinutes: 30, SharedSecret: SecretOf(credential), Token: TokenOf(credential)));

        var request = Assert.Single(result.Requests);
        Assert.Equal(200, request.Status);
        Assert.Equal(20, (int)request.AnswerJson["accepted"]!);
        await SegmentNovuStack.WaitUntilAsync(() => NotificationsOf(run).Count >= 20, "Novu received the late batch");
        Assert.Equal(20, NotificationsOf(run).Select(n => n.TransactionId).Distinct().Count());
    }

    [Fact]
    public async Task Should_not_publish_an_event_appended_to_a_replayed_capture()
    {
        var result = await SendAsync(_stack.IngestUrl, new Scenario("replay", Batch: true, Events: 5, SharedSecret: Secret, ReplayAppend: true));

        Assert.Equal(2, result.Requests.Count);
        var (original, replay) = (result.Requests[0], result.Requests[1]);
        Assert.Equal((200, 5), (original.Status, (int)original.AnswerJson["accepted"]!));
        Assert.True(replay.Replay && replay.Signed && replay.Events == 6);
        Assert.Equal((200, 0), (replay.Status, (int)replay.AnswerJson["accepted"]!));

        // A later event of the appended event's user: once Novu has it, anything published before it for that user
        // (the appended one, had it been published) would have reached Novu first, since a user's events stay in order.
        await PostWithTokenAsync("replay-marker", "replay-user-0");
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Any(n => n.TransactionId.Contains("replay-marker", StringComparison.Ordinal)),
            "Novu received the marker");
        Assert.Equal(5 + 1, NotificationsOf("replay").Count);
        Assert.DoesNotContain(_stack.Novu.Notifications, n => n.TransactionId.Contains("replay-appended", StringComparison.Ordinal));
    }

    async Task PostWithTokenAsync(string messageId, string userId)
    {
        using var client = _stack.CreateIngestClient();
        using var request = Webhook($$"""{"type":"track","messageId":"{{messageId}}","userId":"{{userId}}","event":"User Registered"}""");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
