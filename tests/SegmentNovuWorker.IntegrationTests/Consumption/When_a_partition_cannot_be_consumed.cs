using System.Net;
using RabbitMQ.Client;
using SegmentNovuWorker.IntegrationTests.Failures;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Consumption;

/// <summary>
/// A partition the worker should consume has no consumer and the worker cannot get one (here: the queue was replaced by
/// one with other arguments, which the worker's declaration is refused against). <c>/health/ready</c> must say so, naming
/// the partition and the reason, so an orchestrator or an operator can act; and once the cause is gone the worker
/// consumes it again by itself.
/// </summary>
public sealed class When_a_partition_cannot_be_consumed
{
    static async Task<(HttpStatusCode Status, string Body)> ReadinessAsync(SegmentNovuStack stack)
    {
        using var client = new HttpClient { BaseAddress = stack.WorkerUrl };
        using var response = await client.GetAsync("/health/ready");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Should_report_it_unhealthy_by_name_and_consume_it_again_once_it_can()
    {
        await using var stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
        {
            ["Worker:ConsumerRecovery"] = "00:00:02",
            ["Worker:UnconsumedAlarm"] = "00:00:04",
        });
        const string queue = "segment-events-03";
        await SegmentNovuStack.WaitUntilAsync(() => ReadinessAsync(stack).GetAwaiter().GetResult().Status == HttpStatusCode.OK, "the worker is ready");

        var factory = new ConnectionFactory { Uri = stack.RabbitMq };
        await using var connection = await factory.CreateConnectionAsync();
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(queue);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false); // classic: refuses the worker's quorum declaration
        }

        // Generous: the alarm is 4 s, the bound leaves room for a loaded machine.
        await SegmentNovuStack.WaitUntilAsync(() => ReadinessAsync(stack).GetAwaiter().GetResult() is { Status: HttpStatusCode.ServiceUnavailable } r
            && r.Body.Contains(queue, StringComparison.Ordinal) && r.Body.Contains("broker-connection-lost", StringComparison.Ordinal),
            "/health/ready named the partition without a consumer", TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReadinessAsync(stack)).Status);

        await using (var channel = await connection.CreateChannelAsync())
            await channel.QueueDeleteAsync(queue);

        await SegmentNovuStack.WaitUntilAsync(() => ReadinessAsync(stack).GetAwaiter().GetResult().Status == HttpStatusCode.OK
            && RabbitMqBroker.QueueStateAsync(stack.RabbitMq, queue).GetAwaiter().GetResult() is { Consumers: > 0 },
            "the worker consumed the partition again", TimeSpan.FromSeconds(60));
        var user = Enumerable.Range(0, 10_000).Select(i => $"again-{i}").First(u => CallQueues.PartitionQueueOf(u) == queue);
        await stack.PostAsync($$"""{"type":"track","messageId":"again-1","userId":"{{user}}","event":"User Registered"}""");
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Any(n => n.To == user), "its events reached Novu again");
    }
}
