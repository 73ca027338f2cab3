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

    /// <summary>
    /// Answers about the account, not the event: a wrong or revoked key (401), a plan limit or unpaid bill (402), an
    /// environment or feature the key may not use (403). Retrying the event cannot help; fixing the account does.
    /// </summary>
    public static bool IsAccountFailure(HttpStatusCode status) => (int)status is 401 or 402 or 403;

    /// <summary>
    /// Is this non-2xx HTTP answer worth another attempt? A 429 is not a failure of the worker's client at all: its
    /// <see cref="Pacing.NovuPacingHandler"/> waits it out and sends the call again before any caller sees it (no retry,
    /// no redelivery, no outage count). It is classified here only for a client built without the pacer, where it stays
    /// retryable and says so in <see cref="NovuRetryableException.RateLimited"/>.
    /// </summary>
    public static bool IsRetryable(HttpStatusCode status, bool hasRetryAfter, string? novuMessage = null) => (int)status switch
    {
        408 or 429 => true,
        409 => hasRetryAfter || IsIdempotencyConflict(novuMessage), // key in flight; a plain 409 is a real conflict
        422 => IsIdempotencyConflict(novuMessage), // our key reused with another body: about the key, not the event
        501 => false,         // not implemented: asking again will not help
        >= 500 and <= 599 => true,
        _ => false,
    };

    /// <summary>
    /// Novu's idempotency layer answering for the key rather than for the request: "currently being processed" (409) or
    /// "being reused for a different body" (422). A fresh key (the next attempt gets one) gets a real answer.
    /// </summary>
    public static bool IsIdempotencyConflict(string? novuMessage) =>
        novuMessage is not null && IdempotencyConflictWords.Any(w => novuMessage.Contains(w, StringComparison.OrdinalIgnoreCase));

    /// <summary>Words of Novu's idempotency interceptor's 409 and 422 messages (and of gateways that paraphrase them).</summary>
    static readonly string[] IdempotencyConflictWords = ["idempotency", "different body", "being processed"];

    /// <summary>Turns a non-2xx answer into the exception the consumers and retry policies act on.</summary>
    public static NovuException FromResponse(string operation, HttpStatusCode status, TimeSpan? retryAfter, string? novuMessage)
    {
        var text = $"Novu answered {(int)status} to {operation}" + (novuMessage is null ? "" : $": {novuMessage}");
        if (IsAccountFailure(status))
            return new NovuAccountException(text, status, novuMessage);
        return IsRetryable(status, retryAfter is not null, novuMessage)
            ? new NovuRetryableException(text, status, novuMessage, Clamp(retryAfter), keyInFlight: (int)status == 409)
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

    /// <summary>
    /// Per-subscriber failures in a 2xx topic-subscription answer. A subscriber Novu does not know yet
    /// (<c>SUBSCRIBER_NOT_FOUND</c>: its identify may still be on its way, or failed) is retried, then dead-lettered with
    /// Novu's reason; any other reported failure is rejected at once with it. A failed count without details is retried.
    /// </summary>
    public static NovuException? FromSubscriptionErrors(string operation, TopicSubscriptionsAnswer? answer)
    {
        var errors = answer?.Errors ?? [];
        if (errors.Count == 0 && answer?.Meta is not { Failed: > 0 })
            return null;
        var reason = errors.Count == 0
            ? $"{answer!.Meta!.Failed} subscription(s) failed without details"
            : string.Join("; ", errors.Select(e => $"{e.SubscriberId}: {e.Code} {e.Message}".Trim()));
        var text = $"Novu answered {operation} with per-subscriber failures: {reason}";
        return errors.Count == 0 || errors.Any(e => e.Code is null or "SUBSCRIBER_NOT_FOUND")
            ? new NovuRetryableException(text, HttpStatusCode.Created, reason, retryAfter: null)
            : new NovuRejectedException(text, HttpStatusCode.Created, reason);
    }

    /// <summary>
    /// Each subscriber's own outcome in a 2xx bulk upsert answer. Listed in <c>created</c> or <c>updated</c>: written. In
    /// <c>failed</c> (matched by its id, or, since Novu takes the id from the failed write's operation where an upsert may
    /// not carry it, by being the one Novu did not list as written): Novu's database refused that write. A duplicate key
    /// (<c>E11000</c>: another upsert of the same id created it at the same moment) is retried, since the next write is an
    /// update; any other write error is rejected with Novu's message. A subscriber the answer does not mention is retried.
    /// </summary>
    public static IReadOnlyList<SubscriberUpsertOutcome> FromBulkAnswer(string operation, IReadOnlyList<SubscriberUpsert> sent,
        BulkSubscribersAnswer? answer)
    {
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in (answer?.Created ?? []).Concat(answer?.Updated ?? []))
        {
            if (entry.SubscriberId is { } id)
                written.Add(id);
        }
        var failed = answer?.Failed ?? [];
        var unnamed = failed.Where(f => f.SubscriberId is null || !sent.Any(s => s.SubscriberId == f.SubscriberId)).ToList();
        var outcomes = new List<SubscriberUpsertOutcome>(sent.Count);
        foreach (var subscriber in sent)
        {
            var id = subscriber.SubscriberId;
            if (written.Contains(id))
            {
                outcomes.Add(new SubscriberUpsertOutcome(id, null));
                continue;
            }
            var reason = failed.FirstOrDefault(f => f.SubscriberId == id)?.Message
                ?? (unnamed.Count > 0 ? string.Join("; ", unnamed.Select(f => f.Message ?? "no message")) : null);
            NovuException failure = reason is null
                ? new NovuRetryableException($"Novu's answer to {operation} did not say what became of subscriber {id}", HttpStatusCode.Created, null, null)
                : reason.Contains("E11000", StringComparison.Ordinal)
                    ? new NovuRetryableException($"Novu could not write subscriber {id} in {operation}: {reason}", HttpStatusCode.Created, reason, null)
                    : new NovuRejectedException($"Novu could not write subscriber {id} in {operation}: {reason}", HttpStatusCode.Created, reason);
            outcomes.Add(new SubscriberUpsertOutcome(id, failure));
        }
        return outcomes;
    }

    /// <summary>
    /// Words of the messages Novu puts in a bulk trigger's <c>error</c> entry for an event the single trigger would refuse
    /// with a 4xx: its command's validation (class-validator: "should not be null or undefined", "must be a string"), a
    /// workflow that does not exist (<c>workflow_not_found</c>, 422 on the single trigger), a reserved variable missing
    /// ("Trigger is missing: …", 400). Any other message is an exception of Novu's own (its database, its queue), which the
    /// single trigger would answer 500.
    /// </summary>
    static readonly string[] BulkEntryRefusalWords = ["workflow_not_found", "should not be", "must be", "Trigger is missing"];

    /// <summary>
    /// Each event's own outcome in a 2xx bulk trigger answer, matched by position (Novu answers in the order sent).
    /// <c>processed</c> is success; another status is read as the single trigger's (<see cref="FromTriggerStatus"/>);
    /// <c>error</c> is rejected with Novu's messages when they are a refusal (<see cref="BulkEntryRefusalWords"/>), else
    /// retried with them; an event the answer does not cover is retried. A retry is safe: the transactionId stops a second
    /// notification.
    /// </summary>
    public static IReadOnlyList<TriggerOutcome> FromBulkTriggerAnswer(string operation, IReadOnlyList<TriggerRequest> sent,
        IReadOnlyList<BulkTriggerEntry?>? answer)
    {
        var outcomes = new List<TriggerOutcome>(sent.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            var trigger = sent[i];
            var entry = answer is not null && i < answer.Count ? answer[i] : null;
            if (entry is null)
            {
                outcomes.Add(new TriggerOutcome(trigger, null, new NovuRetryableException(
                    $"Novu's answer to {operation} did not say what became of transaction {trigger.TransactionId}", HttpStatusCode.Created, null, null)));
                continue;
            }
            if (entry.Status == "error")
            {
                var reason = ErrorMessages(entry.Error) is { Length: > 0 } messages ? messages : "no message";
                var text = $"Novu refused transaction {trigger.TransactionId} ('{trigger.Name}') in {operation}: {reason}";
                NovuException failure = BulkEntryRefusalWords.Any(w => reason.Contains(w, StringComparison.Ordinal))
                    ? new NovuRejectedException(text, HttpStatusCode.Created, reason)
                    : new NovuRetryableException(text, HttpStatusCode.Created, reason, retryAfter: null);
                outcomes.Add(new TriggerOutcome(trigger, null, failure));
                continue;
            }
            var result = new TriggerResult(entry.Acknowledged, entry.Status ?? "", entry.TransactionId ?? trigger.TransactionId);
            outcomes.Add(FromTriggerStatus(result) is { } refused
                ? new TriggerOutcome(trigger, null, refused)
                : new TriggerOutcome(trigger, result, null));
        }
        return outcomes;
    }

    static string ErrorMessages(System.Text.Json.Nodes.JsonNode? error) => error switch
    {
        System.Text.Json.Nodes.JsonArray array => string.Join("; ", array.Select(m => m?.ToString()).Where(m => !string.IsNullOrEmpty(m))),
        null => "",
        var other => other.ToString(),
    };

    /// <summary>
    /// A copy of a whole request's failure for each of the callers it carried: one exception object thrown by many consumers
    /// at once would mix their stack traces. The copy keeps the type, status, Novu's message, <c>Retry-After</c> and the
    /// key-in-flight flag, so each caller classifies it as the request was.
    /// </summary>
    public static NovuException CopyFor(NovuException ex) => ex switch
    {
        NovuRetryableException r => new NovuRetryableException(r.Message, r.StatusCode, r.NovuMessage, r.RetryAfter, r, r.KeyInFlight),
        NovuAccountException a => new NovuAccountException(a.Message, a.StatusCode, a.NovuMessage),
        _ => new NovuRejectedException(ex.Message, ex.StatusCode, ex.NovuMessage),
    };

    static TimeSpan? Clamp(TimeSpan? retryAfter) => retryAfter switch
    {
        null => null,
        { } value when value < TimeSpan.Zero => TimeSpan.Zero,
        { } value when value > MaxRetryAfter => MaxRetryAfter,
        { } value => value,
    };
}
