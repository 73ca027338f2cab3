using System.Text.Json.Nodes;
using SegmentNovuWorker.IntegrationTests.Ordering;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Pacing;

/// <summary>
/// A burst of identifies and tracks far beyond the stand-in's buckets (100 calls a second per category, 550 tokens
/// each), through the real broker and the real worker, one worker or two sharing the buckets: the workers pace to
/// Novu instead of fighting it.
/// </summary>
public sealed class When_a_burst_meets_novus_rate_limits
{
    /// <summary>1500 users, an identify and a track each: 950 calls per bucket beyond its 550, about 10 s of refill.</summary>
    const int Users = 1500;

    static async Task<SegmentNovuStack> StackAsync(bool startWorker) =>
        await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["StandIn:TriggerRatePerSecond"] = "100",
            ["StandIn:SubscriberRatePerSecond"] = "100",
            ["Worker:BalanceInterval"] = "00:00:01",
        }, startWorker);

    [Fact]
    public async Task Should_pace_one_worker_with_at_most_1_percent_429_and_no_redelivery()
    {
        await using var stack = await StackAsync(startWorker: true);

        await SendBurstAndAssertPacedAsync(stack, "one");
    }

    [Fact]
    public async Task Should_pace_two_workers_sharing_the_buckets_with_at_most_1_percent_429_and_no_redelivery()
    {
        await using var stack = await StackAsync(startWorker: false);
        using var first = WorkerProcess.Start(stack.Settings);
        using var second = WorkerProcess.Start(stack.Settings);
        await SegmentNovuStack.WaitUntilAsync(() => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, SegmentQueues.Workers).GetAwaiter().GetResult()
            is { Consumers: 2 }, "both workers started", TimeSpan.FromMinutes(2));

        await SendBurstAndAssertPacedAsync(stack, "two", first, second);
    }

    static async Task SendBurstAndAssertPacedAsync(SegmentNovuStack stack, string run, params BuiltProcess[] workers)
    {
        var users = Enumerable.Range(0, Users).Select(i => $"pace-{run}-{i}").ToList();
        using var client = stack.CreateIngestClient();
        await Parallel.ForEachAsync(users.Chunk(50), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, _) =>
            await UserFlow.PostAsync(client, "[" + string.Join(",", chunk.SelectMany(u => new[] { UserFlow.Identify(u), UserFlow.Registered(u) })) + "]"));

        // About 15 s at the buckets' rate; three minutes leave room for a machine shared with other builds.
        try
        {
            await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= Users && stack.Novu.Subscribers.Count >= Users,
                "every identify and track reached Novu", TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException exception)
        {
            throw new TimeoutException(exception.Message + $" ({stack.Novu.Notifications.Count} triggers, {stack.Novu.Subscribers.Count} subscribers)\n"
                + string.Join("\n", workers.SelectMany(w => w.Output.TakeLast(30))), exception);
        }

        var requests = stack.Novu.Requests;
        var limited = requests.Count(r => r.Status == 429);
        Assert.True(limited * 100 <= requests.Count, $"{limited} of {requests.Count} Novu calls were answered 429");
        Assert.Equal(Users, stack.Novu.Notifications.Select(n => n.TransactionId).Distinct().Count());

        // A 429 that reached MassTransit would come back as a retry or a redelivery, under a new Idempotency-Key (the
        // key's lineage moves on after any answered attempt): every event must have reached Novu under one key only.
        var keysPerEvent = requests.GroupBy(EventOf).Where(g => g.Select(r => r.IdempotencyKey).Distinct().Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(keysPerEvent);
        var queues = await stack.Broker.QueueNamesAsync(stack.RabbitMq);
        Assert.DoesNotContain(queues, SegmentQueues.IsWaitQueue);
        foreach (var errorQueue in queues.Where(SegmentQueues.IsErrorQueue))
            Assert.Equal(0u, await RabbitMqBroker.MessageCountAsync(stack.RabbitMq, errorQueue) ?? 0);
        Assert.All(workers, w => Assert.False(w.HasExited, string.Join('\n', w.Output.TakeLast(30))));
    }

    /// <summary>The event a Novu call was made for: the trigger's transactionId, the upsert's subscriberId.</summary>
    static string EventOf(NovuStandIn.Behaviour.ReceivedRequest request)
    {
        var body = JsonNode.Parse(request.Body);
        return request.Path + " " + (body?["transactionId"] ?? body?["subscriberId"])?.GetValue<string>();
    }
}
