using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Ingest.Authentication;

namespace SegmentNovuWorker.UnitTests.Ingest;

public sealed class When_an_actions_batch_first_element_is_judged
{
    static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Window = SegmentOptions.FirstElementSignatureWindowDefault;

    sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    static (FirstElement? First, string? Refusal) Judge(string element) =>
        new FirstElementSignatureGuard(Options.Create(new SegmentOptions()), new FixedClock()).Judge(Encoding.UTF8.GetBytes(element));

    [Fact]
    public void Should_date_it_by_segments_receivedAt_before_the_senders_clocks()
    {
        var (first, refusal) = Judge("""{"messageId":"m-1","receivedAt":"2026-12-01T11:00:00Z","sentAt":"2026-11-30T00:00:00Z","timestamp":"2026-11-29T00:00:00Z"}""");

        Assert.Null(refusal);
        Assert.Equal(new FirstElement("m-1", Now.AddHours(-1) + Window), first);
    }

    [Theory]
    [InlineData("""{"messageId":"m-2","sentAt":"2026-12-01T07:00:00Z","timestamp":"2026-11-01T00:00:00Z"}""")]
    [InlineData("""{"messageId":"m-2","timestamp":"2026-12-01T07:00:00Z"}""")]
    public void Should_fall_back_to_sentAt_then_timestamp(string element) =>
        Assert.Equal(new FirstElement("m-2", Now.AddHours(-5) + Window), Judge(element).First);

    [Fact]
    public void Should_accept_a_delivery_as_late_as_segments_retries()
    {
        var received = Now - SegmentOptions.SegmentRetryHorizon - TimeSpan.FromMinutes(30);

        Assert.Null(Judge($$"""{"messageId":"m-3","receivedAt":"{{received:O}}"}""").Refusal);
    }

    [Theory]
    [InlineData("""{"messageId":"m-4","receivedAt":"2026-12-01T05:59:00Z"}""", "older than Segment:FirstElementSignatureWindow")]
    [InlineData("""{"messageId":"m-4"}""", "no receivedAt, sentAt or timestamp")]
    [InlineData("""{"messageId":"m-4","receivedAt":"yesterday"}""", "no receivedAt, sentAt or timestamp")]
    public void Should_refuse_one_older_than_the_window_or_undated(string element, string reason) =>
        Assert.Contains(reason, Judge(element).Refusal, StringComparison.Ordinal);

    [Fact]
    public void Should_know_one_without_a_messageId_by_the_hash_of_its_bytes()
    {
        const string element = """{"type":"track","receivedAt":"2026-12-01T11:59:00Z"}""";

        Assert.Equal("sha256-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(element))), Judge(element).First?.Id);
    }
}
