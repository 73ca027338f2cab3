using System.Text.Json.Nodes;
using SegmentNovuWorker.IntegrationTests.Failures;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ordering;

/// <summary>
/// One user's burst, or one user whose every Novu call fails, holds up only that user: the other users of its partition
/// keep flowing. Before, a partition took 16 deliveries at a time, so one user's waiting events filled every slot and
/// the users behind it in the queue waited for the whole burst, or for the whole in-process retry window.
/// </summary>
public sealed class When_one_user_floods_or_fails
{
    /// <summary>The busy user and <paramref name="others"/> users that share its partition.</summary>
    static (string Busy, List<string> Others) UsersOfOnePartition(string prefix, int others)
    {
        var partition = CallQueues.PartitionQueueOf(prefix + "-busy");
        return (prefix + "-busy", [.. Enumerable.Range(0, 100_000).Select(i => $"{prefix}-{i}")
            .Where(u => CallQueues.PartitionQueueOf(u) == partition).Take(others)]);
    }

    static string Tracks(IEnumerable<(string User, int Seq)> events) => new JsonArray([.. events.Select(e => (JsonNode)new JsonObject
    {
        ["type"] = "track",
        ["messageId"] = $"{e.User}-{e.Seq}",
        ["userId"] = e.User,
        ["event"] = "User Registered",
        ["properties"] = new JsonObject { ["seq"] = e.Seq },
    })]).ToJsonString();

    [Fact]
    public async Task Should_not_keep_other_users_behind_one_users_burst()
    {
        // Novu takes 20 ms a trigger: the burst's 400 events, one after another, take at least 8 s.
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?> { ["StandIn:Delays:Triggers"] = "00:00:00.020" });
        var (busy, others) = UsersOfOnePartition("flood", 40);
        using var client = stack.CreateIngestClient();
        foreach (var chunk in Enumerable.Range(1, 400).Chunk(100))
            await UserFlow.PostAsync(client, Tracks(chunk.Select(seq => (busy, seq))));
        await UserFlow.PostAsync(client, Tracks(others.Select(u => (u, 1))));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == 440, "every event was notified", TimeSpan.FromSeconds(120));
        var order = stack.Novu.Notifications.Select(n => n.To).ToList();
        // Not a timing: where in the burst the others were served. Queued behind it, they would all come after the
        // burst's 384th event (400 less the 16 slots it left); flowing beside it, all of them well inside it.
        var busyBeforeLastOther = order.Take(order.FindLastIndex(others.Contains)).Count(u => u == busy);
        Assert.True(busyBeforeLastOther < 200, $"the other users waited for {busyBeforeLastOther} of the busy user's 400 events");
        Assert.Equal(Enumerable.Range(1, 400), stack.Novu.Notifications.Where(n => n.To == busy).Select(n => n.Payload!["seq"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Should_not_keep_other_users_behind_a_user_whose_calls_all_fail()
    {
        // The failing user's first event spends 10 s in process retry (5 s, 5 s), then waits a minute in redelivery.
        await using var stack = await FailureStack.StartAsync(
            ("Retry:Immediate:0", "00:00:05"), ("Retry:Immediate:1", "00:00:05"), ("Retry:Redelivery:0", "00:01:00"));
        var (failing, others) = UsersOfOnePartition("failing", 40);
        stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 1_000, BodyContains: $"\"subscriberId\":\"{failing}\""));
        using var client = stack.CreateIngestClient();
        await UserFlow.PostAsync(client, Tracks(Enumerable.Range(1, 20).Select(seq => (failing, seq))));
        await UserFlow.PostAsync(client, Tracks(others.Select(u => (u, 1))));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count == others.Count, "the other users were notified", TimeSpan.FromSeconds(60));
        // Not a timing: the others were served while the failing user's first event was still in its first retry wait.
        var failingAttempts = stack.Novu.Requests.Where(r => r.Path == "/v1/events/trigger" && r.Body.Contains($"\"subscriberId\":\"{failing}\"", StringComparison.Ordinal)).ToList();
        var lastOther = stack.Novu.Notifications.Max(n => n.At);
        Assert.True(failingAttempts.Count(a => a.At < lastOther) <= 1,
            $"the other users waited for {failingAttempts.Count(a => a.At < lastOther)} attempts of the failing user's first event");
        Assert.DoesNotContain(stack.Novu.Notifications, n => n.To == failing);
    }
}
