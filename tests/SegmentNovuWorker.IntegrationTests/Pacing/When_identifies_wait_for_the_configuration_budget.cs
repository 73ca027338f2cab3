using System.Text.Json.Nodes;
using SegmentNovuWorker.IntegrationTests.Ordering;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Pacing;

/// <summary>
/// Many users' identifies, then their tracks, through the real broker and worker, with the stand-in's configuration bucket
/// at Novu's free plan (20 calls a second, 110 tokens): the identifies that wait for the budget go as bulk upserts, each
/// user's outcome is its own, and a user's track still runs after its identify's answer.
/// </summary>
public sealed class When_identifies_wait_for_the_configuration_budget
{
    /// <summary>About 100 go alone from the full bucket; the rest wait, more than the 101 a bulk needs.</summary>
    const int Users = 400;

    /// <summary>A user in the middle: behind the first hundred that go alone, ahead of any tail too short for a bulk.</summary>
    const int Failing = Users / 2;

    [Fact]
    public async Task Should_deliver_the_others_and_dead_letter_the_one_novu_failed_and_keep_each_track_after_its_identify()
    {
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["StandIn:SubscriberRatePerSecond"] = "20",
            ["StandIn:ServiceLevel"] = "free",
            ["Retry:KillSwitch:Enabled"] = "false",
        });
        using var client = stack.CreateIngestClient();
        // One identify first: its answer tells the worker's pacer the size of Novu's bucket (a bulk is tried only if it fits).
        await UserFlow.PostAsync(client, "[" + UserFlow.Identify("bulk-warm-up") + "]");
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.SubscriberExists("bulk-warm-up"), "the first identify reached Novu");
        var users = Enumerable.Range(0, Users).Select(i => $"bulk-{i}").ToList();
        var failing = users[Failing];
        stack.Novu.FailSubscriberWrites(failing, "Document failed validation");

        // Every identify first, then every track: each user's track is in its lane behind its identify.
        foreach (var chunk in users.Chunk(100))
            await UserFlow.PostAsync(client, "[" + string.Join(",", chunk.Select(u => UserFlow.Identify(u))) + "]");
        foreach (var chunk in users.Chunk(100))
            await UserFlow.PostAsync(client, "[" + string.Join(",", chunk.Select(UserFlow.Registered)) + "]");

        await UserFlow.WaitForWelcomesAsync(stack, Users, TimeSpan.FromMinutes(3));
        var deadLetter = await SingleDeadLetterAsync(stack);

        var bulks = stack.Novu.Requests.Where(r => r.Path == "/v1/subscribers/bulk").ToList();
        Assert.NotEmpty(bulks);
        Assert.All(bulks, b => Assert.Equal(201, b.Status));
        var inBulk = bulks.SelectMany(b => JsonNode.Parse(b.Body)!["subscribers"]!.AsArray().Select(s => s!["subscriberId"]!.GetValue<string>())).ToHashSet();
        Assert.Contains(failing, inBulk);

        // The failed subscriber's identify is dead-lettered with Novu's reason; nobody else's is.
        Assert.Equal("novu-rejected", deadLetter.Header(DeadLetterHeaders.Reason));
        Assert.Equal("Document failed validation", deadLetter.Header(DeadLetterHeaders.NovuMessage));
        Assert.Contains(failing, deadLetter.Body, StringComparison.Ordinal);

        // Every other user is in Novu with its email, and its welcome, triggered after its identify's answer, found it.
        var subscribers = stack.Novu.Subscribers;
        Assert.All(users.Where(u => u != failing), u => Assert.Equal(u + "@example.com", subscribers[u]["email"]!.GetValue<string>()));
        var welcomes = stack.Novu.Notifications.Where(n => n.Workflow == "welcome").ToDictionary(n => n.Recipients.Single().SubscriberId);
        var withoutEmail = users.Where(u => u != failing && !welcomes[u].SubscriberHadEmail).ToList();
        Assert.Empty(withoutEmail);
        Assert.True(inBulk.Count(u => u != failing && welcomes[u].SubscriberHadEmail) > 100, "users upserted in a bulk found their email");
    }

    static async Task<QueuedMessage> SingleDeadLetterAsync(SegmentNovuStack stack)
    {
        async Task<List<QueuedMessage>> DeadLettersAsync()
        {
            var all = new List<QueuedMessage>();
            foreach (var queue in (await stack.Broker.QueueNamesAsync(stack.RabbitMq)).Where(SegmentQueues.IsErrorQueue))
                all.AddRange(await QueuedMessage.PeekAllAsync(stack.RabbitMq, queue));
            return all;
        }
        await SegmentNovuStack.WaitUntilAsync(() => DeadLettersAsync().GetAwaiter().GetResult().Count > 0, "a dead letter");
        return Assert.Single(await DeadLettersAsync());
    }
}
