using System.Text.Json.Nodes;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.UnitTests.Novu.Triggers;

/// <summary><see cref="NovuFailureClassification.FromBulkTriggerAnswer"/>: each entry of Novu's answer, by position.</summary>
public sealed class When_a_bulk_trigger_answer_is_read
{
    static TriggerRequest Trigger(string transactionId) => new("welcome", new JsonObject { ["subscriberId"] = "u" }, [], transactionId);

    static BulkTriggerEntry Error(params string[] messages) => new(true, "error", new JsonArray([.. messages.Select(m => (JsonNode)m)]), null);

    [Fact]
    public void Should_reject_a_refused_event_retry_novus_own_failure_and_an_event_left_out()
    {
        TriggerRequest[] sent = [Trigger("a"), Trigger("b"), Trigger("c"), Trigger("d"), Trigger("e"), Trigger("f")];
        BulkTriggerEntry?[] answer =
        [
            new(true, "processed", null, "a"),
            Error("payload should not be null or undefined"),
            Error("Operation `notifications.insertOne()` buffering timed out after 10000ms"),
            new(true, "trigger_not_active", null, null),
            new(true, "error", null, null),
        ];

        var outcomes = NovuFailureClassification.FromBulkTriggerAnswer("bulk trigger of 6 events", sent, answer);

        Assert.True(outcomes[0].Triggered);
        Assert.Equal("payload should not be null or undefined", Assert.IsType<NovuRejectedException>(outcomes[1].Failure).NovuMessage);
        Assert.Contains("buffering timed out", Assert.IsType<NovuRetryableException>(outcomes[2].Failure).NovuMessage);
        Assert.Equal("trigger_not_active", Assert.IsType<NovuRejectedException>(outcomes[3].Failure).NovuMessage);
        Assert.Equal("no message", Assert.IsType<NovuRetryableException>(outcomes[4].Failure).NovuMessage);
        Assert.IsType<NovuRetryableException>(outcomes[5].Failure); // not in the answer
        Assert.All(outcomes, o => Assert.False(o.WholeRequest));
    }
}
