using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ordering;

/// <summary>Two worker processes share the partitions; one is SIGKILLed mid-stream, or one joins late.</summary>
public sealed class When_workers_share_the_partitions
{
    const int Rounds = 5;

    static async Task<SegmentNovuStack> StackWithoutWorkerAsync() =>
        await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["Worker:BalanceInterval"] = "00:00:01",
            ["Logging:LogLevel:SegmentNovuWorker.Worker.Ordering"] = "Debug",
        }, startWorker: false);

    static string Track(string user, int seq) => System.Text.Json.JsonSerializer.Serialize(new
    {
        type = "track",
        messageId = $"seq-{user}-{seq}",
        userId = user,
        @event = "User Registered",
        properties = new { seq },
    });

    static Task SendRoundAsync(HttpClient client, IEnumerable<string> users, int seq) =>
        Task.WhenAll(users.Chunk(10).Select(chunk => UserFlow.PostAsync(client, "[" + string.Join(",", chunk.Select(u => Track(u, seq))) + "]")));

    static async Task WaitForWorkersAsync(SegmentNovuStack stack, params BuiltProcess[] workers)
    {
        try
        {
            await SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, SegmentQueues.Workers).GetAwaiter().GetResult()
                is { Consumers: var c } && c == workers.Length, $"{workers.Length} workers subscribed", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(exception.Message + "\n" + string.Join("\n", workers.SelectMany(w => w.Output.TakeLast(30))), exception);
        }
    }

    /// <summary>Each user's seq numbers in the order Novu received the triggers, repeats of the same one collapsed.</summary>
    static Dictionary<string, List<int>> SequencesByUser(SegmentNovuStack stack)
    {
        var byUser = new Dictionary<string, List<int>>();
        foreach (var request in stack.Novu.Requests.Where(r => r.Path == "/v1/events/trigger" && r.Status == 201))
        {
            var body = JsonNode.Parse(request.Body)!;
            var user = body["to"]!["subscriberId"]?.GetValue<string>() ?? body["to"]!.GetValue<string>();
            var seq = body["payload"]!["seq"]!.GetValue<int>();
            var list = byUser.TryGetValue(user, out var l) ? l : byUser[user] = [];
            if (list.Count == 0 || list[^1] != seq)
                list.Add(seq);
        }
        return byUser;
    }

    [Fact]
    public async Task Should_lose_nothing_double_nothing_and_keep_each_users_order_when_a_worker_is_killed()
    {
        await using var stack = await StackWithoutWorkerAsync();
        using var first = WorkerProcess.Start(stack.Settings);
        using var second = WorkerProcess.Start(stack.Settings);
        await WaitForWorkersAsync(stack, first, second);

        var users = Enumerable.Range(0, 60).Select(i => $"kill-{i}").ToList();
        using var client = stack.CreateIngestClient();
        for (var seq = 1; seq <= Rounds; seq++)
        {
            await SendRoundAsync(client, users, seq);
            if (seq == 2)
                await first.KillAsync();
        }

        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= users.Count * Rounds,
            "every event was notified", TimeSpan.FromSeconds(90));
        await Task.Delay(1000); // a doubled notification would show up now
        Assert.Equal(users.Count * Rounds, stack.Novu.Notifications.Count);
        Assert.Equal(users.Count * Rounds, stack.Novu.Notifications.Select(n => n.TransactionId).Distinct().Count());
        var sequences = SequencesByUser(stack);
        Assert.All(users, user => Assert.Equal(Enumerable.Range(1, Rounds), sequences[user]));
        Assert.False(second.HasExited, string.Join('\n', second.Output));
    }

    [Fact]
    public async Task Should_give_a_worker_that_joins_a_share_of_the_partitions()
    {
        await using var stack = await StackWithoutWorkerAsync();
        using var first = WorkerProcess.Start(stack.Settings);
        await WaitForWorkersAsync(stack, first);
        var users = Enumerable.Range(0, 200).Select(i => $"join-{i}").ToList();
        using var client = stack.CreateIngestClient();
        await SendRoundAsync(client, users, 1);

        using var second = WorkerProcess.Start(stack.Settings);
        await WaitForWorkersAsync(stack, first, second);
        var share = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        for (var seq = 2; DateTime.UtcNow < deadline && share < new TopologyOptions().Partitions / 2; seq++)
        {
            await SendRoundAsync(client, users, seq);
            await Task.Delay(500);
            share = (await stack.Broker.ConsumersAsync(stack.RabbitMq))
                .Count(c => c.Active && SegmentQueues.IsPartitionQueue(c.Queue) && c.Connection.EndsWith($":{second.Id}", StringComparison.Ordinal));
        }

        Assert.True(share >= new TopologyOptions().Partitions / 2,
            $"the joining worker consumes {share} of {new TopologyOptions().Partitions} partitions\n"
            + string.Join("\n", first.Output.Concat(second.Output).Where(l => l.Contains("workers", StringComparison.Ordinal) || l.Contains("Stepping", StringComparison.Ordinal) || l.Contains("balance", StringComparison.Ordinal)).TakeLast(40)));
        var sequences = SequencesByUser(stack);
        Assert.All(users, user => Assert.Equal(Enumerable.Range(1, sequences[user].Count), sequences[user]));
    }
}
