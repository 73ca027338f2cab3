using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ordering;

/// <summary>
/// identify, then track "User Registered": with Novu slow on subscriber upserts, the trigger must still find the email,
/// because a user's events reach Novu in the order Segment sent them.
/// </summary>
public sealed class When_a_users_events_arrive_together
{
    static Task<SegmentNovuStack> SlowUpsertsAsync() =>
        SegmentNovuStack.StartAsync(new Dictionary<string, string?> { ["StandIn:Delays:Subscribers"] = "00:00:00.150" });

    static void AssertEveryWelcomeFoundItsEmail(SegmentNovuStack stack, int users)
    {
        var welcomes = stack.Novu.Notifications.Where(n => n.Workflow == "welcome").ToList();
        Assert.Equal(users, welcomes.Count);
        var withoutEmail = welcomes.Where(n => !n.SubscriberHadEmail).Select(n => n.To).ToList();
        Assert.True(withoutEmail.Count == 0, $"{withoutEmail.Count} of {users} welcomes were triggered before the identify: {string.Join(", ", withoutEmail.Take(5))}");
    }

    [Fact]
    public async Task Should_upsert_before_triggering_when_sent_as_back_to_back_requests()
    {
        await using var stack = await SlowUpsertsAsync();
        using var client = stack.CreateIngestClient();
        for (var i = 0; i < 20; i++)
        {
            await UserFlow.PostAsync(client, UserFlow.Identify($"b2b-{i}"));
            await UserFlow.PostAsync(client, UserFlow.Registered($"b2b-{i}"));
        }

        await UserFlow.WaitForWelcomesAsync(stack, 20);
        AssertEveryWelcomeFoundItsEmail(stack, 20);
    }

    [Fact]
    public async Task Should_upsert_before_triggering_when_sent_in_one_array()
    {
        await using var stack = await SlowUpsertsAsync();
        using var client = stack.CreateIngestClient();
        var events = Enumerable.Range(0, 20).SelectMany(i => new[] { UserFlow.Identify($"arr-{i}"), UserFlow.Registered($"arr-{i}") });
        await UserFlow.PostAsync(client, "[" + string.Join(",", events) + "]");

        await UserFlow.WaitForWelcomesAsync(stack, 20);
        AssertEveryWelcomeFoundItsEmail(stack, 20);
    }

    [Fact]
    public async Task Should_upsert_before_triggering_for_a_single_user_as_single_events()
    {
        await using var stack = await SlowUpsertsAsync();
        using var client = stack.CreateIngestClient();
        await UserFlow.PostAsync(client, Samples.Read("identify"));
        await UserFlow.PostAsync(client, Samples.Read("track"));

        await UserFlow.WaitForWelcomesAsync(stack, 1);
        AssertEveryWelcomeFoundItsEmail(stack, 1);
        var paths = stack.Novu.Requests.Select(r => r.Path).ToList();
        Assert.True(paths.IndexOf("/v2/subscribers") < paths.IndexOf("/v1/events/trigger"), string.Join(" then ", paths));
    }

    [Fact]
    public async Task Should_upsert_before_triggering_for_200_users_at_once()
    {
        await using var stack = await SlowUpsertsAsync();
        using var client = stack.CreateIngestClient();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            await UserFlow.PostAsync(client, UserFlow.Identify($"many-{i}"));
            await UserFlow.PostAsync(client, UserFlow.Registered($"many-{i}"));
        }));

        await UserFlow.WaitForWelcomesAsync(stack, 200, TimeSpan.FromSeconds(90));
        AssertEveryWelcomeFoundItsEmail(stack, 200);
    }

    [Fact]
    public async Task Should_not_leave_a_deleted_user_in_the_topic_of_a_group_sent_before_the_deletion()
    {
        await using var stack = await SlowUpsertsAsync();
        using var client = stack.CreateIngestClient();
        // Segment's order: identify, group, then the user deletion (GDPR). Applied out of order, the group would re-add
        // the deleted user to the topic.
        await UserFlow.PostAsync(client, "[" + string.Join(",", UserFlow.Identify("leaver"), UserFlow.Group("leaver", "acme")) + "]");
        await UserFlow.PostAsync(client, UserFlow.Delete("leaver"));

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Requests.Any(r => r.Method == "DELETE" && r.Status < 300), "the deletion was applied");
        var calls = stack.Novu.Requests.Where(r => r.Path.StartsWith("/v2/", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.Path}").ToList();
        Assert.True(calls.FindIndex(c => c.EndsWith("/subscriptions", StringComparison.Ordinal)) < calls.FindIndex(c => c.StartsWith("DELETE", StringComparison.Ordinal)),
            string.Join(" then ", calls));
        Assert.DoesNotContain("leaver", stack.Novu.TopicSubscriptions.GetValueOrDefault("group-acme") ?? []);
    }
}
