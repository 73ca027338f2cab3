using System.Net;

namespace SegmentNovuWorker.Novu;

/// <summary>Novu did not do what was asked. <see cref="StatusCode"/> is null when no HTTP answer came (timeout, connection).</summary>
public abstract class NovuException(string message, HttpStatusCode? statusCode, string? novuMessage, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>Novu's own <c>message</c> from its error body, or the trigger status it reported.</summary>
    public string? NovuMessage { get; } = novuMessage;

    /// <summary>
    /// Novu answered this very request. With idempotency on, Novu keeps that answer under the request's
    /// <c>Idempotency-Key</c> for 24 h, so the next attempt needs a fresh key; only a lost answer (no status) or a key
    /// still in flight (409) is worth asking again under the same key.
    /// </summary>
    public bool Answered => StatusCode is not null && this is not NovuRetryableException { KeyInFlight: true };
}

/// <summary>
/// A failure worth another attempt later: 408, 5xx but 501, idempotency conflicts, timeouts, network errors (and a 429,
/// only from a client without the pacer: the worker's waits 429s out itself).
/// </summary>
public sealed class NovuRetryableException(
    string message, HttpStatusCode? statusCode, string? novuMessage, TimeSpan? retryAfter, Exception? inner = null, bool keyInFlight = false)
    : NovuException(message, statusCode, novuMessage, inner)
{
    /// <summary>Novu's <c>Retry-After</c>, when it sent one: the next attempt must not come sooner.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Novu is still processing an earlier request with the same key (409): its answer is the one to wait for.</summary>
    public bool KeyInFlight { get; } = keyInFlight;

    /// <summary>Novu's rate limit (429): a matter of pace, not an outage; nothing should count it toward the outage switch.</summary>
    public bool RateLimited => StatusCode == HttpStatusCode.TooManyRequests;
}

/// <summary>Novu refused the request and will refuse it again: other 4xx, 501, or a trigger status that no retry changes.</summary>
public sealed class NovuRejectedException(string message, HttpStatusCode? statusCode, string? novuMessage)
    : NovuException(message, statusCode, novuMessage);

/// <summary>
/// Novu refused the account, not the event (401, 402, 403): every event would fail the same way until someone fixes the
/// key, the environment or the plan. Consumption pauses; no event is dead-lettered for it.
/// </summary>
public sealed class NovuAccountException(string message, HttpStatusCode? statusCode, string? novuMessage)
    : NovuException(message, statusCode, novuMessage);
