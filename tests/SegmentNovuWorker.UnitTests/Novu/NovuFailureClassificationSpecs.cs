using System.Net;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.UnitTests.Novu;

/// <summary>The README's failure table, row by row.</summary>
public sealed class NovuFailureClassificationSpecs
{
    [Theory]
    [InlineData(408)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(599)]
    public void Should_retry(int status) =>
        Assert.IsType<NovuRetryableException>(NovuFailureClassification.FromResponse("call", (HttpStatusCode)status, null, "m"));

    [Theory]
    [InlineData(401)]
    [InlineData(402)]
    [InlineData(403)]
    public void Should_pause_for_the_account(int status) =>
        Assert.IsType<NovuAccountException>(NovuFailureClassification.FromResponse("call", (HttpStatusCode)status, null, "m"));

    [Theory]
    [InlineData(409, "Request with key \"k\" is currently being processed. Please retry after 1 second")]
    [InlineData(422, "Request with key \"k\" is being reused for a different body")]
    public void Should_retry_an_idempotency_conflict_rather_than_reject_the_event(int status, string message) =>
        Assert.IsType<NovuRetryableException>(NovuFailureClassification.FromResponse("call", (HttpStatusCode)status, null, message));

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(409)]
    [InlineData(422)]
    [InlineData(501)]
    public void Should_reject(int status) =>
        Assert.IsType<NovuRejectedException>(NovuFailureClassification.FromResponse("call", (HttpStatusCode)status, null, "m"));

    [Fact]
    public void Should_retry_a_409_that_says_retry_after_since_the_idempotency_key_is_in_flight() =>
        Assert.IsType<NovuRetryableException>(NovuFailureClassification.FromResponse("call", HttpStatusCode.Conflict, TimeSpan.FromSeconds(1), "m"));

    [Fact]
    public void Should_keep_retry_after_but_clamp_it()
    {
        var honoured = (NovuRetryableException)NovuFailureClassification.FromResponse("call", HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(2), null);
        var clamped = (NovuRetryableException)NovuFailureClassification.FromResponse("call", HttpStatusCode.ServiceUnavailable, TimeSpan.FromDays(1), null);

        Assert.Equal(TimeSpan.FromSeconds(2), honoured.RetryAfter);
        Assert.Equal(NovuFailureClassification.MaxRetryAfter, clamped.RetryAfter);
    }

    [Theory]
    [InlineData("trigger_not_active")]
    [InlineData("no_workflow_active_steps_defined")]
    [InlineData("no_workflow_steps_defined")]
    [InlineData("invalid_recipients")]
    [InlineData("no_tenant_found")]
    public void Should_reject_trigger_statuses_no_retry_changes(string status)
    {
        var failure = NovuFailureClassification.FromTriggerStatus(new TriggerResult(true, status, "t"));

        Assert.Equal(status, Assert.IsType<NovuRejectedException>(failure).NovuMessage);
    }

    [Fact]
    public void Should_accept_processed_and_retry_error()
    {
        Assert.Null(NovuFailureClassification.FromTriggerStatus(new TriggerResult(true, "processed", "t")));
        Assert.IsType<NovuRetryableException>(NovuFailureClassification.FromTriggerStatus(new TriggerResult(true, "error", "t")));
    }
}
