using System.Text.Json.Nodes;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary><c>dlq purge</c>: nothing goes without <c>--yes</c>, and what goes can be written down first.</summary>
public sealed class When_an_operator_purges_dead_letters : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await DeadLetterStack.StartWithMixAsync();

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_remove_nothing_without_yes()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "purge", "--reason", "unmapped-event");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("not purging 2 dead letter(s) without --yes", run.Error);
        Assert.Equal(6u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are POSIX
    public async Task Should_remove_the_matching_dead_letters_with_yes_after_writing_them_down()
    {
        var file = Path.Combine(Path.GetTempPath(), $"purged-{Guid.NewGuid():N}.ndjson");
        try
        {
            var run = await Cli.RunAsync(_stack, "dlq", "purge", "--reason", "unmapped-event", "--yes", "--export", file);

            Assert.Equal(ExitCodes.Ok, run.ExitCode);
            Assert.Contains("2 of 2 matching dead letter(s) purged, 0 failed.", run.Output);
            Assert.Equal(4u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
            Assert.Equal(1u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Identify));
            var written = (await File.ReadAllLinesAsync(file)).Select(l => (string)JsonNode.Parse(l)!["deadLetter"]!["messageId"]!);
            Assert.Equal(DeadLetterStack.Unmapped, written.Order());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            var left = await Cli.RunAsync(_stack, "dlq", "list", "--json", "--event", "Order Completed");
            Assert.Equal(0, (int)left.Json["matching"]!);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Should_remove_every_dead_letter_with_all_and_yes()
    {
        var run = await Cli.RunAsync(_stack, "dlq", "purge", "--all", "--yes", "--json");

        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal(7, (int)run.Json["done"]!);
        Assert.Equal(0u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Track));
        Assert.Equal(0u, await DeadLetterStack.ErrorCountAsync(_stack, CallQueues.Identify));
    }
}
