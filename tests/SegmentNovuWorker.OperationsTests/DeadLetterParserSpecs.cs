using System.Text;
using RabbitMQ.Client;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// Reading dead letters that lack the worker's <c>SNW-*</c> headers (written before it set them) or a MassTransit
/// envelope: the operator still gets the reason, times and queue from MassTransit's own headers.
/// </summary>
public sealed class DeadLetterParserSpecs
{
    const string Envelope = """
        {"messageId":"5f0b","messageType":["urn:message:SegmentNovuWorker.Contracts:TrackEvent"],
         "message":{"messageId":"ajs-1","userId":"u-1","event":"Order Completed"}}
        """;

    static DeadLetter Parse(Dictionary<string, object?> headers, string body = Envelope, string queue = "segment-track_error") =>
        DeadLetterParser.Parse(queue, new BasicProperties { Headers = headers, MessageId = "5f0b" }, Encoding.UTF8.GetBytes(body)).DeadLetter;

    static byte[] Text(string value) => Encoding.UTF8.GetBytes(value);

    [Theory]
    [InlineData("SegmentNovuWorker.Novu.NovuRejectedException", "novu-rejected")]
    [InlineData("SegmentNovuWorker.Novu.NovuRetryableException", "novu-unavailable-exhausted")]
    [InlineData("SegmentNovuWorker.Worker.Failures.UnmappedEventException", "unmapped-event")]
    [InlineData("SegmentNovuWorker.Worker.Failures.MissingUserIdException", "missing-user-id")]
    [InlineData("System.InvalidOperationException", "unknown")]
    public void Should_derive_the_reason_from_the_exception_type_without_SNW_headers(string exceptionType, string reason)
    {
        var deadLetter = Parse(new() { ["MT-Fault-ExceptionType"] = Text(exceptionType) });

        Assert.Equal(reason, deadLetter.Reason);
    }

    [Fact]
    public void Should_prefer_the_workers_reason_and_counts()
    {
        var deadLetter = Parse(new()
        {
            ["SNW-Reason"] = Text("novu-rejected"),
            ["SNW-Http-Status"] = 422,
            ["SNW-Attempts"] = 9,
            ["MT-Fault-ExceptionType"] = Text("System.InvalidOperationException"),
            ["MT-Fault-RetryCount"] = 2,
        });

        Assert.Equal(("novu-rejected", 422, 9), (deadLetter.Reason, deadLetter.HttpStatus, deadLetter.Attempts));
    }

    [Fact]
    public void Should_fall_back_to_MassTransits_timestamp_and_retry_count()
    {
        var deadLetter = Parse(new()
        {
            ["MT-Fault-Timestamp"] = Text("2026-11-29T00:36:14.3575177Z"),
            ["MT-Fault-RetryCount"] = 2,
        });

        Assert.Equal(DateTimeOffset.Parse("2026-11-29T00:36:14.3575177Z", System.Globalization.CultureInfo.InvariantCulture), deadLetter.LastFailureAt);
        Assert.Equal(3, deadLetter.Attempts);
        Assert.Equal("unknown", deadLetter.Reason);
    }

    [Fact]
    public void Should_read_the_event_from_the_envelope_and_the_queue_from_the_input_address()
    {
        var deadLetter = Parse(new() { ["MT-Fault-InputAddress"] = Text("rabbitmq://broker/prod/segment-track") });

        Assert.Equal(("ajs-1", "track", "Order Completed", "u-1", "segment-track"),
            (deadLetter.MessageId, deadLetter.Type, deadLetter.EventName, deadLetter.UserId, deadLetter.OriginalQueue));
    }

    [Theory]
    [InlineData("segment-identify_error", "identify", "segment-identify")]
    [InlineData("segment-page_error", "page", "segment-page")]
    public void Should_still_list_a_message_whose_body_is_not_json(string queue, string type, string originalQueue)
    {
        var deadLetter = Parse(new() { ["Segment-MessageId"] = Text("ajs-2") }, body: "not json", queue: queue);

        Assert.Equal(("ajs-2", type, originalQueue, "unknown"),
            (deadLetter.MessageId, deadLetter.Type, deadLetter.OriginalQueue, deadLetter.Reason));
    }
}
