using System.Text;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.UnitTests.Ingest;

/// <summary>A client write key's delete: 403 alone; in a batch, set aside with its reason while the rest goes on.</summary>
public sealed class When_a_sender_may_not_delete
{
    static ReadOnlyMemory<byte> Bytes(string json) => Encoding.UTF8.GetBytes(json);

    [Fact]
    public void Should_refuse_a_single_delete_with_403()
    {
        var parsed = SegmentRequestParser.Parse(Bytes("""{"type":"delete","userId":"u-1"}"""), RequestShape.Webhook, deletesAllowed: false);

        Assert.Equal(403, parsed.Error?.Status);
        Assert.Empty(parsed.Events);
    }

    [Fact]
    public void Should_set_a_batched_delete_aside_with_its_reason_and_keep_the_rest()
    {
        var parsed = SegmentRequestParser.Parse(
            Bytes("""{"batch":[{"type":"track","userId":"u-1","event":"E"},{"type":"delete","messageId":"d-1","userId":"u-2"}]}"""),
            RequestShape.TrackingBatch, deletesAllowed: false);

        Assert.Null(parsed.Error);
        Assert.IsType<TrackEvent>(Assert.Single(parsed.Events));
        var invalid = Assert.Single(parsed.Invalid);
        Assert.Equal((1, "d-1", SegmentRequestParser.DeleteNotAllowed), (invalid.Index, invalid.MessageId, invalid.Reason));
    }

    [Fact]
    public void Should_leave_deletes_alone_for_a_sender_that_may_delete()
    {
        var parsed = SegmentRequestParser.Parse(Bytes("""{"type":"delete","userId":"u-1"}"""), RequestShape.Webhook);

        Assert.IsType<DeleteEvent>(Assert.Single(parsed.Events));
    }
}
