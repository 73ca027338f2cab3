using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>One stack whose worker retries quickly (two in-process retries, then a 1 s redelivery), with the admin process.</summary>
public sealed class DeliveryLogStackFixture : IAsyncLifetime
{
    public SegmentNovuStack Stack { get; private set; } = null!;

    public static Dictionary<string, string?> Settings => new()
    {
        ["Retry:Immediate:0"] = "00:00:00.050",
        ["Retry:Immediate:1"] = "00:00:00.100",
        ["Retry:Redelivery:0"] = "00:00:01",
        ["Retry:KillSwitch:Enabled"] = "false",
    };

    public async Task InitializeAsync() => Stack = await DeadLetterStack.StartAsync(Settings);

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>The delivery log, searched by user in the admin API and with <c>segment-novu events</c>: what became of each event.</summary>
public sealed class When_a_users_delivery_log_is_searched(DeliveryLogStackFixture fixture) : IClassFixture<DeliveryLogStackFixture>
{
    SegmentNovuStack Stack => fixture.Stack;

    static string NewUser() => "user-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Should_show_the_users_identify_and_track_in_order_with_novus_answers()
    {
        var user = NewUser();
        await DeadLetterStack.PostAsync(Stack, [DeadLetterStack.Identify($"{user}-identify", user), DeadLetterStack.Track($"{user}-track", "User Registered", user)]);

        var steps = await DeliveryLog.TimelineAsync(Stack, user, s => s.Count(x => (string?)x["step"] == "delivered") == 2 && s.Count(x => (string?)x["step"] == "accepted") == 2);

        // The ingest's steps are dated when the request arrived, before anything the worker did.
        Assert.Equal(
            [($"{user}-track", "delivered"), ($"{user}-track", "attempt"), ($"{user}-identify", "delivered"), ($"{user}-track", "accepted"), ($"{user}-identify", "accepted")],
            steps.Select(s => ((string)s["messageId"]!, (string)s["step"]!)));
        Assert.Contains("accepted from the webhook", (string?)steps[3]["detail"]);
        var attempt = steps[1];
        Assert.Equal("welcome", (string?)attempt["workflow"]);
        Assert.Equal(201, (int?)attempt["httpStatus"]);
        Assert.Equal("processed", (string?)attempt["novuStatus"]);
        Assert.Equal($"{user}-track", (string?)attempt["transactionId"]);
        Assert.Equal("User Registered", (string?)attempt["event"]);
        Assert.Contains($"Novu subscriber {user} upserted", (string?)steps[2]["detail"]);
        Assert.Null(attempt["body"]); // DeliveryLog:IncludeBodies is off: no properties kept
        Assert.Null(attempt["detail"]); // the identify had an email: nothing to say about the address
    }

    [Fact]
    public async Task Should_say_when_the_identify_last_sent_for_the_user_had_no_email()
    {
        var user = NewUser();
        var withoutEmail = $$"""{"type":"identify","messageId":"{{user}}-identify","userId":"{{user}}","traits":{"name":"Peter"},"timestamp":"2026-11-28T10:00:00.000Z"}""";
        await DeadLetterStack.PostAsync(Stack, [withoutEmail, DeadLetterStack.Track($"{user}-track", "User Registered", user)]);

        var steps = await DeliveryLog.TimelineAsync(Stack, user, s => s.Count(x => (string?)x["step"] == "delivered") == 2 && s.Count(x => (string?)x["step"] == "accepted") == 2);

        var attempt = steps.Single(s => (string?)s["step"] == "attempt");
        Assert.Equal("processed", (string?)attempt["novuStatus"]);
        Assert.Equal($"the identify this worker last sent for {user} had no email: an email step of welcome has no address", (string?)attempt["detail"]);
    }

    [Fact]
    public async Task Should_show_the_same_timeline_in_segment_novu_events()
    {
        var user = NewUser();
        await DeadLetterStack.PostAsync(Stack, [DeadLetterStack.Identify($"{user}-identify", user), DeadLetterStack.Track($"{user}-track", "User Registered", user)]);
        var indexed = await DeliveryLog.TimelineAsync(Stack, user, s => s.Count(x => (string?)x["step"] == "delivered") == 2 && s.Count(x => (string?)x["step"] == "accepted") == 2);

        var run = await Cli.RunAsync(Stack, "events", "--user", user, "--json");
        var table = await Cli.RunAsync(Stack, "events", "--user", user);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal(indexed.Select(s => ((string?)s["messageId"], (string?)s["step"])),
            run.Json["steps"]!.AsArray().Select(s => ((string?)s!["messageId"], (string?)s["step"])));
        Assert.Contains("attempt", table.Output);
        Assert.Contains("processed", table.Output);
        Assert.Contains("5 step(s), newest first.", table.Output);
    }

    [Fact]
    public async Task Should_find_a_dead_lettered_trigger_by_the_users_id_with_novus_answer_and_its_replay()
    {
        var user = NewUser();
        Stack.Novu.AddFault(new Fault("/v1/events/trigger", 422, Times: 1, Message: "to.subscriberId: subscriber is not valid", BodyContains: user));
        await DeadLetterStack.PostAsync(Stack, [DeadLetterStack.Track($"{user}-track", "User Registered", user)]);

        var steps = await DeliveryLog.TimelineAsync(Stack, user, s => s.Any(x => (string?)x["step"] == "dead-lettered") && s.Any(x => (string?)x["step"] == "accepted"));

        var deadLettered = steps.First(s => (string?)s["step"] == "dead-lettered");
        Assert.Equal(422, (int?)deadLettered["httpStatus"]);
        Assert.Equal("to.subscriberId: subscriber is not valid", (string?)deadLettered["novuMessage"]);
        Assert.Equal("novu-rejected", (string?)deadLettered["reason"]);
        Assert.Equal(user, (string?)deadLettered["userKey"]);
        Assert.Contains(steps, s => (string?)s["step"] == "attempt-failed" && (int?)s["httpStatus"] == 422);

        using var admin = DeliveryLog.AdminClient(Stack);
        using var replay = await admin.PostAsync($"/admin/dlq/replay?messageId={user}-track", null);
        replay.EnsureSuccessStatusCode();
        var after = await DeliveryLog.TimelineAsync(Stack, user, s => s.Any(x => (string?)x["step"] == "delivered"));
        Assert.Equal(["delivered", "attempt", "replayed", "dead-lettered", "attempt-failed", "accepted"], after.Select(s => (string)s["step"]!));
        Assert.Equal("admin", (string?)after[2]["by"]);
    }

    [Fact]
    public async Task Should_show_an_event_parked_for_redelivery_and_when_it_comes_back()
    {
        var user = NewUser();
        // The first attempt and both in-process retries fail: the event is parked for the 1 s redelivery.
        Stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 3, Message: "Service Unavailable", BodyContains: user));
        await DeadLetterStack.PostAsync(Stack, [DeadLetterStack.Track($"{user}-track", "User Registered", user)]);

        var steps = await DeliveryLog.TimelineAsync(Stack, user, s => s.Any(x => (string?)x["step"] == "delivered") && s.Any(x => (string?)x["step"] == "accepted"));

        Assert.Equal(["delivered", "attempt", "parked", "attempt-failed", "attempt-failed", "attempt-failed", "accepted"], steps.Select(s => (string)s["step"]!));
        var parked = steps[2];
        var until = (DateTimeOffset)parked["until"]!;
        Assert.InRange(until - (DateTimeOffset)parked["at"]!, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal(503, (int?)steps[3]["httpStatus"]);
        Assert.Equal("retryable", (string?)steps[3]["reason"]);
    }

    [Fact]
    public async Task Should_show_an_event_held_behind_its_users_event_in_redelivery()
    {
        var user = NewUser();
        // The first track fails three times and is parked for 1 s; the user's second, sent meanwhile, waits in the hold.
        Stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: 3, Message: "Service Unavailable", BodyContains: $"{user}-first"));
        await DeadLetterStack.PostAsync(Stack, [DeadLetterStack.Track($"{user}-first", "User Registered", user)]);
        await DeliveryLog.TimelineAsync(Stack, user, s => s.Any(x => (string?)x["step"] == "parked"));
        await DeadLetterStack.PostAsync(Stack, [DeadLetterStack.Track($"{user}-second", "User Registered", user)]);

        var steps = await DeliveryLog.TimelineAsync(Stack, user, s => s.Count(x => (string?)x["step"] == "delivered") == 2);

        // Newest first: the second was held, and delivered only after the first was.
        var second = steps.Where(s => (string?)s["messageId"] == $"{user}-second").Select(s => (string)s["step"]!).ToList();
        Assert.Equal(["delivered", "attempt", "held", "accepted"], second);
        var held = steps.First(s => (string?)s["step"] == "held");
        Assert.Contains("segment-hold-", (string?)held["detail"], StringComparison.Ordinal);
        var order = steps.Where(s => (string?)s["step"] == "delivered").Select(s => (string?)s["messageId"]).ToList();
        Assert.Equal([$"{user}-second", $"{user}-first"], order);
    }

    [Fact]
    public async Task Should_find_a_users_events_by_event_name_and_outcome()
    {
        var user = NewUser();
        await DeadLetterStack.PostAsync(Stack, [DeadLetterStack.Identify($"{user}-identify", user), DeadLetterStack.Track($"{user}-track", "User Registered", user)]);
        await DeliveryLog.TimelineAsync(Stack, user, s => s.Count(x => (string?)x["step"] == "delivered") == 2 && s.Count(x => (string?)x["step"] == "accepted") == 2);

        var byEvent = await DeliveryLog.SearchAsync(Stack, $"user={user}&event=User%20Registered");
        var byWorkflow = await DeliveryLog.SearchAsync(Stack, $"user={user}&workflow=welcome");
        var deadLettered = await DeliveryLog.SearchAsync(Stack, $"user={user}&outcome=dead-lettered");

        Assert.All(byEvent, s => Assert.Equal($"{user}-track", (string?)s["messageId"]));
        Assert.Equal(["delivered", "attempt", "accepted"], byEvent.Select(s => (string)s["step"]!));
        Assert.Equal(byEvent.Select(s => (string?)s["step"]), byWorkflow.Select(s => (string?)s["step"]));
        Assert.Empty(deadLettered);
    }
}

/// <summary>The delivery log across restarts: of the worker (the log is in the broker) and of the admin process with its index lost.</summary>
public sealed class When_the_delivery_log_outlives_its_processes
{
    [Fact]
    public async Task Should_keep_a_users_timeline_across_a_worker_restart_and_rebuild_a_lost_index_from_the_stream()
    {
        await using var stack = await DeadLetterStack.StartAsync(DeliveryLogStackFixture.Settings);
        var user = "user-" + Guid.NewGuid().ToString("N")[..8];
        await DeadLetterStack.PostAsync(stack, [DeadLetterStack.Identify($"{user}-identify", user)]);
        await DeliveryLog.TimelineAsync(stack, user, s => s.Any(x => (string?)x["step"] == "delivered"));

        await stack.StopWorkerAsync();
        await stack.StartWorkerAsync();
        await DeadLetterStack.PostAsync(stack, [DeadLetterStack.Track($"{user}-track", "User Registered", user)]);
        var before = await DeliveryLog.TimelineAsync(stack, user, s => s.Count(x => (string?)x["step"] == "delivered") == 2 && s.Count(x => (string?)x["step"] == "accepted") == 2);

        await stack.StopAdminAsync();
        Directory.Delete(Path.GetDirectoryName(stack.Settings["Admin:DeliveryLogIndexPath"]!)!, recursive: true);
        await stack.StartAdminAsync();
        var rebuilt = await DeliveryLog.TimelineAsync(stack, user, s => s.Count(x => (string?)x["step"] == "delivered") == 2 && s.Count(x => (string?)x["step"] == "accepted") == 2);

        Assert.Equal(
            [($"{user}-track", "delivered"), ($"{user}-track", "attempt"), ($"{user}-track", "accepted"), ($"{user}-identify", "delivered"), ($"{user}-identify", "accepted")],
            before.Select(s => ((string)s["messageId"]!, (string)s["step"]!)));
        Assert.Equal(before.Select(s => s.ToJsonString()), rebuilt.Select(s => s.ToJsonString()));
    }

    [Fact]
    public async Task Should_gather_every_workers_steps_in_one_log()
    {
        var settings = new Dictionary<string, string?>(DeliveryLogStackFixture.Settings) { ["Worker:BalanceInterval"] = "00:00:01" };
        await using var stack = await DeadLetterStack.StartAsync(settings);
        using var second = WorkerProcess.Start(stack.Settings);
        var run = Guid.NewGuid().ToString("N")[..8];

        // Rounds of one track for each of 32 users (every partition) until both workers have delivered some: the second
        // takes partitions as the first hands them over. Each worker writes the steps of what it consumed to the one stream.
        var recorders = new HashSet<string>(StringComparer.Ordinal);
        var sent = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        for (var round = 0; recorders.Count < 2; round++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"steps came from {string.Join(", ", recorders)} only; the second worker said:\n" +
                string.Join("\n", second.Output.TakeLast(20)));
            var tracks = Enumerable.Range(0, 32).Select(i => ($"{run}-{round}-{i}", $"two-{run}-{i}")).ToList();
            await DeadLetterStack.PostAsync(stack, [.. tracks.Select(t => DeadLetterStack.Track(t.Item1, "User Registered", t.Item2))]);
            sent.AddRange(tracks.Select(t => t.Item1));
            foreach (var (messageId, _) in tracks)
            {
                var steps = await DeliveryLog.TimelineAsync(stack, $"two-{run}-{messageId.Split('-')[^1]}",
                    s => s.Any(x => (string?)x["messageId"] == messageId && (string?)x["step"] == "delivered"));
                recorders.UnionWith(steps.Where(x => (string?)x["messageId"] == messageId && (string?)x["step"] == "delivered")
                    .Select(x => (string)x["by"]!));
            }
        }

        Assert.All(recorders, by => Assert.StartsWith("worker@", by, StringComparison.Ordinal));
        Assert.Contains(recorders, by => by.EndsWith($":{second.Id}", StringComparison.Ordinal));
        Assert.Contains(recorders, by => by.EndsWith($":{Environment.ProcessId}", StringComparison.Ordinal));
    }
}

static class DeliveryLog
{
    public static HttpClient AdminClient(SegmentNovuStack stack)
    {
        var client = stack.CreateAdminClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", DeadLetterStack.AdminKey);
        return client;
    }

    public static async Task<JsonNode[]> SearchAsync(SegmentNovuStack stack, string query)
    {
        using var client = AdminClient(stack);
        var page = await client.GetFromJsonAsync<JsonNode>("/admin/events?" + query);
        return [.. page!["steps"]!.AsArray().Select(s => s!)];
    }

    /// <summary>The user's steps from the admin API, newest first, once <paramref name="complete"/> holds (the index follows the stream).</summary>
    public static async Task<JsonNode[]> TimelineAsync(SegmentNovuStack stack, string user, Func<JsonNode[], bool> complete)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var steps = await SearchAsync(stack, "user=" + Uri.EscapeDataString(user));
            if (complete(steps))
                return steps;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The delivery log of {user} did not complete; it holds: {string.Join(", ", steps.Select(s => $"{s["messageId"]} {s["step"]}"))}");
            await Task.Delay(100);
        }
    }
}
