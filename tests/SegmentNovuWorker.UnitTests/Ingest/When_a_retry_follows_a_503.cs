using System.Text;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.UnitTests.Ingest;

/// <summary>
/// <see cref="ConfirmedEvents"/>: what the broker confirmed for a request answered 503 is not published again by the same
/// sender's retry, and nothing else is ever skipped.
/// </summary>
public sealed class When_a_retry_follows_a_503 : IDisposable
{
    readonly ConfirmedEvents _memory = new(Options.Create(new RetryMemoryOptions()));

    static IReadOnlyList<ISegmentEvent> Tracks(params string[] messageIds) =>
        SegmentEventParser.Parse(Encoding.UTF8.GetBytes("[" + string.Join(",", messageIds.Select(id =>
            $$"""{"type":"track","messageId":"{{id}}","userId":"u","event":"E"}""")) + "]")).Events;

    static string[] Ids(IEnumerable<ISegmentEvent> events) => [.. events.Select(e => e.MessageId)];

    [Fact]
    public void Should_publish_only_what_the_earlier_attempt_did_not_get_confirmed()
    {
        _memory.Remember("webhook", ["m-1", "m-2"]);

        var (toPublish, resumed) = _memory.Split("webhook", Tracks("m-1", "m-2", "m-3", "m-4"));

        Assert.Equal(["m-3", "m-4"], Ids(toPublish));
        Assert.Equal(["m-1", "m-2"], Ids(resumed));
    }

    [Fact]
    public void Should_not_skip_another_senders_events_with_the_same_message_ids()
    {
        _memory.Remember("key:a", ["m-1"]);

        var (toPublish, resumed) = _memory.Split("key:b", Tracks("m-1", "m-2"));

        Assert.Equal(["m-1", "m-2"], Ids(toPublish));
        Assert.Empty(resumed);
    }

    [Fact]
    public void Should_forget_what_a_200_skipped()
    {
        _memory.Remember("webhook", ["m-1"]);
        var (_, resumed) = _memory.Split("webhook", Tracks("m-1"));

        _memory.Forget("webhook", resumed);

        Assert.Equal(["m-1"], Ids(_memory.Split("webhook", Tracks("m-1")).ToPublish));
    }

    [Fact]
    public void Should_remember_nothing_with_a_size_of_0()
    {
        using var off = new ConfirmedEvents(Options.Create(new RetryMemoryOptions { Size = 0 }));
        off.Remember("webhook", ["m-1"]);

        Assert.Equal(["m-1"], Ids(off.Split("webhook", Tracks("m-1")).ToPublish));
    }

    public void Dispose() => _memory.Dispose();
}
