using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Consumption;

/// <summary>
/// The broker restarts (its app stopped and started again) while Segment keeps sending, five times in a row, on a node of
/// this test's own. After each restart the worker must consume every partition again and every event the ingest accepted
/// must reach Novu: before the owner of consumption, most partitions could stay unconsumed after such a restart while
/// <c>/health/ready</c> said Healthy.
/// </summary>
public sealed class When_the_broker_restarts_under_load : IAsyncLifetime
{
    const int Restarts = 5;
    const int EventsPerRound = 2000; // five rounds: 10,000 events
    RabbitMqBroker _broker = null!;

    public async Task InitializeAsync() => _broker = await RabbitMqBroker.StartDedicatedAsync();

    public Task DisposeAsync() => _broker.StopAsync();

    static string Batch(int round, int first, int count) => new JsonObject
    {
        ["batch"] = new JsonArray([.. Enumerable.Range(first, count).Select(i => (JsonNode)new JsonObject
        {
            ["type"] = "track",
            ["messageId"] = $"restart-{round}-{i}",
            ["userId"] = $"restart-user-{i % 300}",
            ["event"] = "User Registered",
        })]),
    }.ToJsonString();

    /// <summary>Posts a round in batches of 50, four requests at a time; returns the messageIds the ingest accepted (2xx).</summary>
    static async Task<List<string>> SendRoundAsync(HttpClient client, int round, Func<Task> midway)
    {
        var accepted = new List<string>();
        var batches = Enumerable.Range(0, EventsPerRound / 50).ToList();
        using var gate = new SemaphoreSlim(4);
        var sent = 0;
        Task? restart = null;
        await Task.WhenAll(batches.Select(async b =>
        {
            await gate.WaitAsync();
            try
            {
                if (Interlocked.Increment(ref sent) == batches.Count / 4)
                    restart = midway();
                try
                {
                    using var response = await client.PostAsync("/v1/batch", new StringContent(Batch(round, b * 50, 50), Encoding.UTF8, "application/json"));
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        lock (accepted)
                            accepted.AddRange(Enumerable.Range(b * 50, 50).Select(i => $"restart-{round}-{i}"));
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    // Not accepted: Segment would send it again. Only what the ingest answered 2xx is owed.
                }
            }
            finally
            {
                gate.Release();
            }
        }));
        await restart!;
        return accepted;
    }

    [Fact]
    public async Task Should_consume_every_partition_again_and_deliver_every_accepted_event_after_each_restart()
    {
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["Logging:Console:TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging:LogLevel:MassTransit"] = Environment.GetEnvironmentVariable("SNW_TEST_MASSTRANSIT_LOG_LEVEL") ?? "Warning",
        }, broker: _broker);
        using var client = stack.CreateIngestClient();
        var owed = new HashSet<string>();

        for (var round = 1; round <= Restarts; round++)
        {
            var accepted = await SendRoundAsync(client, round, () => _broker.RestartAppAsync(TimeSpan.FromSeconds(4)));
            owed.UnionWith(accepted);
            Assert.NotEmpty(accepted);

            // Generous bounds, for a 2-core machine shared with the broker and the rest of the suite: the worker's own
            // promise is a consumer on every partition within 30 s of the broker's return (Worker:UnconsumedAlarm).
            await SegmentNovuStack.WaitUntilAsync(() => PartitionsWithoutConsumer(stack).Count == 0,
                $"every partition had a consumer again after restart {round} (without: {string.Join(", ", PartitionsWithoutConsumer(stack))})",
                TimeSpan.FromSeconds(90));
            await SegmentNovuStack.WaitUntilAsync(() => owed.IsSubsetOf(stack.Novu.Notifications.Select(n => n.TransactionId)),
                $"every accepted event reached Novu after restart {round} ({owed.Except(stack.Novu.Notifications.Select(n => n.TransactionId)).Count()} missing)",
                TimeSpan.FromSeconds(120));
        }

        Assert.Equal(owed.Count, stack.Novu.Notifications.Select(n => n.TransactionId).Distinct().Count(owed.Contains));
        using var worker = new HttpClient { BaseAddress = stack.WorkerUrl };
        using var ready = await worker.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    static List<string> PartitionsWithoutConsumer(SegmentNovuStack stack) =>
        [.. Enumerable.Range(0, CallQueues.Partitions).Select(SegmentQueues.PartitionQueue).Where(q => RabbitMqBroker.QueueStateAsync(stack.RabbitMq, q).GetAwaiter().GetResult() is not { Consumers: > 0 })];
}
