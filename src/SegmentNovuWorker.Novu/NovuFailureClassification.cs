using System.Net;

namespace SegmentNovuWorker.Novu;

/// <summary>
/// The one table that says which Novu answers are worth retrying. The README's "Failure semantics" section
/// mirrors it; change both together.
/// </summary>
public static class NovuFailureClassification
{
    /// <summary>Upper bound on a <c>Retry-After</c> we honour; a larger value is clamped to it.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    /// <summary>Trigger statuses after which no retry of the same trigger can succeed.</summary>
    static readonly HashSet<string> FatalTriggerStatuses = new(StringComparer.Ordinal)
    {
        "trigger_not_active",
        "no_workflow_active_steps_defined",
        "no_workflow_steps_defined",
        "invalid_recipients",
        "no_tenant_found",
    };

    /// <summary>Is this non-2xx HTTP answer worth another attempt?</summary>
    public static bool IsRetryable(HttpStatusCode status, bool hasRetryAfter) => (int)status switch
    {
        408 or 429 => true,
        409 => hasRetryAfter, // Novu's idempotency key still in flight; a plain 409 is a real conflict
        501 => false,         // not implemented: asking again will not help
        >= 500 and <= 599 => true,
        _ => false,
    };

    /// <summary>Turns a non-2xx answer into the exception the consumers and retry policies act on.</summary>
    public static NovuException FromResponse(string operation, HttpStatusCode status, TimeSpan? retryAfter, string? novuMessage)
    {
        var text = $"Novu answered {(int)status} to {operation}" + (novuMessage is null ? "" : $": {novuMessage}");
        return IsRetryable(status, retryAfter is not null)
            ? new NovuRetryableException(text, status, novuMessage, Clamp(retryAfter))
            : new NovuRejectedException(text, status, novuMessage);
    }

    /// <summary>
    /// A 2xx trigger answer still carries a status. <c>processed</c> is success; the statuses in
    /// <see cref="FatalTriggerStatuses"/> are fatal; anything else (<c>error</c>, a status we do not know) is retried,
    /// which is safe because the transactionId stops a second notification.
    /// </summary>
    public static NovuException? FromTriggerStatus(TriggerResult result)
    {
        if (result.Status == "processed")
            return null;
        var text = $"Novu accepted the trigger but reported status '{result.Status}'";
        return FatalTriggerStatuses.Contains(result.Status)
            ? new NovuRejectedException(text, HttpStatusCode.Created, result.Status)
            : new NovuRetryableException(text, HttpStatusCode.Created, result.Status, retryAfter: null);
    }

    static TimeSpan? Clamp(TimeSpan? retryAfter) => retryAfter switch
    {
        null => null,
        { } value when value < TimeSpan.Zero => TimeSpan.Zero,
        { } value when value > MaxRetryAfter => MaxRetryAfter,
        { } value => value,
    };
}
