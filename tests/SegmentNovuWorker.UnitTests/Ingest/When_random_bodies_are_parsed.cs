using System.Text;
using System.Text.Json;
using CsCheck;
using SegmentNovuWorker.Parsing;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.UnitTests.Ingest;

/// <summary>Property-based: whatever arrives, the parser answers, and only valid events come out as messages.</summary>
public sealed class When_random_bodies_are_parsed
{
    static readonly RequestShape[] Shapes = [RequestShape.Webhook, RequestShape.TrackingCall, RequestShape.TrackingBatch];

    [Fact]
    public void Should_never_throw_on_arbitrary_bytes() =>
        SegmentBodies.Bytes.Sample(bytes =>
        {
            foreach (var shape in Shapes)
                SegmentRequestParser.Parse(bytes, shape, shape == RequestShape.TrackingCall ? "track" : null);
        }, iter: 2_000);

    [Fact]
    public void Should_only_produce_valid_events_and_account_for_every_element_of_a_batch() =>
        SegmentBodies.Body.Sample(body =>
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            foreach (var shape in Shapes)
            {
                var parsed = SegmentRequestParser.Parse(bytes, shape, shape == RequestShape.TrackingCall ? "track" : null);
                if (parsed.Error is not null)
                {
                    Assert.Empty(parsed.Events);
                    Assert.Empty(parsed.Invalid);
                    Assert.InRange(parsed.Error.Status, 400, 499);
                    continue;
                }
                foreach (var e in parsed.Events)
                    SegmentEventInvariants.AssertValid(e);
                if (parsed.IsBatch)
                    Assert.Equal(ElementCount(bytes, shape), parsed.Events.Count + parsed.Invalid.Count + parsed.OptedOut);
                else
                    Assert.Empty(parsed.Invalid); // a single invalid event refuses the request instead
                Assert.All(parsed.Invalid, i => Assert.False(string.IsNullOrEmpty(i.Reason)));
            }
        }, iter: 3_000);

    static int ElementCount(byte[] body, RequestShape shape)
    {
        using var document = JsonDocument.Parse(body);
        var array = shape == RequestShape.TrackingBatch ? document.RootElement.GetProperty("batch") : document.RootElement;
        return array.GetArrayLength();
    }
}
