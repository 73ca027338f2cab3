using System.Net;

namespace SegmentNovuWorker.Novu;

/// <summary>Novu did not do what was asked. <see cref="StatusCode"/> is null when no HTTP answer came (timeout, connection).</summary>
public abstract class NovuException(string message, HttpStatusCode? statusCode, string? novuMessage, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>Novu's own <c>message</c> from its error body, or the trigger status it reported.</summary>
    public string? NovuMessage { get; } = novuMessage;
}

/// <summary>A failure worth another attempt later: 408, 429, 5xx but 501, in-flight idempotency 409, timeouts, network errors.</summary>
public sealed class NovuRetryableException(string message, HttpStatusCode? statusCode, string? novuMessage, TimeSpan? retryAfter, Exception? inner = null)
    : NovuException(message, statusCode, novuMessage, inner)
{
    /// <summary>Novu's <c>Retry-After</c>, when it sent one: the next attempt must not come sooner.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>Novu refused the request and will refuse it again: other 4xx, 501, or a trigger status that no retry changes.</summary>
public sealed class NovuRejectedException(string message, HttpStatusCode? statusCode, string? novuMessage)
    : NovuException(message, statusCode, novuMessage);
