using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// What an attacker writes in an event (an escape sequence that hides text, a newline that forges a line) reaches the
/// operator's terminal escaped: <c>segment-novu</c> shows it, it never acts on the terminal or passes for the tool's own.
/// </summary>
public sealed class When_an_event_carries_terminal_escapes : IAsyncLifetime
{
    /// <summary>Hides what follows on a terminal (SGR 8, concealed), then forges the line <c>dlq show</c> prints for a reason.</summary>
    const string Hostile = "Order\u001b[8mHIDDEN\nReason             all-good";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await DeadLetterStack.StartAsync();
        var json = System.Text.Json.JsonSerializer.Serialize(Hostile);
        await DeadLetterStack.PostAsync(_stack, [DeadLetterStack.Track("hostile-1", json[1..^1], "user-hostile")]);
        await DeadLetterStack.WaitForDeadLettersAsync(_stack, CallQueues.Track, 1);
    }

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    static IEnumerable<string> Lines(CliRun run) => run.Output.Split('\n');

    [Fact]
    public async Task Should_list_the_event_name_escaped_on_one_row()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "list");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.DoesNotContain('\u001b', run.Output);
        Assert.Contains(@"Order\u001b[8mHIDDEN\u000aReason", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Lines(run), line => line.StartsWith("Reason", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_show_one_reason_line_the_tools_own()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "show", "hostile-1");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.DoesNotContain('\u001b', run.Output);
        var reason = Assert.Single(Lines(run), line => line.StartsWith("Reason", StringComparison.Ordinal));
        Assert.Contains("unmapped-event", reason, StringComparison.Ordinal);
    }
}
