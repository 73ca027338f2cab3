using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.NovuStandIn.Behaviour;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// An event that went through every redelivery while Novu was down is replayed: it gets its full retry budget again
/// (RabbitMQ's "move messages" would keep <c>MT-Redelivery-Count</c> and send it straight back to <c>_error</c>).
/// </summary>
public sealed class When_an_event_that_used_up_its_redeliveries_is_replayed : IAsyncLifetime
{
    // Short retries, as in the failure-semantics tests: 3 attempts per delivery, 3 deliveries.
    static readonly Dictionary<string, string?> ShortRetries = new()
    {
        ["Retry:Immediate:0"] = "00:00:00.050",
        ["Retry:Immediate:1"] = "00:00:00.100",
        ["Retry:Redelivery:0"] = "00:00:01",
        ["Retry:Redelivery:1"] = "00:00:01",
        ["Retry:KillSwitch:Enabled"] = "false",
    };

    const int AttemptsPerDelivery = 3;
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await DeadLetterStack.StartAsync(ShortRetries);
        _stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: AttemptsPerDelivery * 3, Message: "service unavailable"));
        await DeadLetterStack.PostAsync(_stack, [DeadLetterStack.Track("exhausted-1", "User Registered", "user-1")]);
        await DeadLetterStack.WaitForDeadLettersAsync(_stack, CallQueues.Track, 1);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_be_redelivered_again_and_reach_novu()
    {
        var before = (await Cli.RunAsync(_stack, "dlq", "list", "--json")).Json["items"]![0]!;
        Assert.Equal("novu-unavailable-exhausted", (string)before["reason"]!);
        Assert.Equal(2, (int)before["redeliveries"]!);
        // Novu stays down for the replayed event's whole first delivery: only a redelivery can get it through.
        _stack.Novu.AddFault(new Fault("/v1/events/trigger", 503, Times: AttemptsPerDelivery));

        var run = await Cli.RunAsync(_stack, "dlq", "replay", "exhausted-1");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        await SegmentNovuStack.WaitUntilAsync(() => _stack.Novu.Notifications.Count == 1, "the replayed event was redelivered and reached Novu");
        Assert.Equal("exhausted-1", Assert.Single(_stack.Novu.Notifications).TransactionId);
        Assert.Equal(0u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
    }
}
