using System.Net;
using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Failures;

/// <summary>
/// A revoked key (401), an unpaid plan (402) or a forbidden environment (403) is about the account, not the events: the
/// worker pauses every partition, reports it on /health/ready, and resumes by itself when Novu accepts the account again.
/// </summary>
public sealed class When_novu_refuses_the_account
{
    const int Events = 10;

    static string Tracks() => new JsonArray([.. Enumerable.Range(1, Events).Select(i =>
    {
        var track = JsonNode.Parse(Samples.Read("track"))!.AsObject();
        track["messageId"] = $"account-{i}";
        track["userId"] = $"account-user-{i}";
        return (JsonNode)track;
    })]).ToJsonString();

    static async Task<HttpStatusCode> ReadinessAsync(SegmentNovuStack stack)
    {
        using var client = new HttpClient { BaseAddress = stack.WorkerUrl };
        using var response = await client.GetAsync("/health/ready");
        return response.StatusCode;
    }

    [Theory]
    [InlineData(401)]
    [InlineData(402)]
    [InlineData(403)]
    public async Task Should_pause_without_dead_lettering_and_resume_once_novu_accepts_the_account(int status)
    {
        await using var stack = await FailureStack.StartAsync(("Worker:AccountProbeInterval", "00:00:01"));
        stack.Novu.AccountError = new AccountError(status);

        await stack.PostAsync(Tracks());

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Any(r => r.Status == status), "Novu refused the account");
        await SegmentNovuStack.WaitUntilAsync(() => ReadinessAsync(stack).GetAwaiter().GetResult() == HttpStatusCode.ServiceUnavailable,
            "/health/ready reported the pause");
        await Task.Delay(TimeSpan.FromSeconds(3));
        var triggersWhilePaused = stack.Novu.Requests.Count(r => r.Path == "/v1/events/trigger");
        Assert.Equal(0u, await stack.CountAsync(CallQueues.ErrorOf(CallQueues.Track)));
        Assert.Empty(stack.Novu.Notifications);

        stack.Novu.AccountError = null;

        // Resuming restarts every partition endpoint: on a loaded 2-core machine that alone can take many seconds.
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == Events, "every track reached Novu after the pause",
            TimeSpan.FromSeconds(90));
        Assert.Equal(0u, await stack.CountAsync(CallQueues.ErrorOf(CallQueues.Track)));
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync(stack));
        Assert.True(triggersWhilePaused <= Events, $"{triggersWhilePaused} triggers reached Novu while paused: the worker kept calling it");
    }
}
