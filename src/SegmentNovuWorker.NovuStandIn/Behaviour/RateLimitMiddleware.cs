using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Novu's rate limits: a token bucket per category (triggers; subscribers and topics), the <c>RateLimit-*</c>
/// headers on every answer, and 429 "API rate limit exceeded" with <c>Retry-After</c> when empty. A bulk trigger
/// costs 100 tokens, as on Novu.
/// </summary>
public sealed class RateLimitMiddleware : IDisposable
{
    readonly RequestDelegate _next;
    readonly (TokenBucketRateLimiter Limiter, int Limit) _triggers;
    readonly (TokenBucketRateLimiter Limiter, int Limit) _subscribers;

    public RateLimitMiddleware(RequestDelegate next, IOptions<StandInOptions> options)
    {
        _next = next;
        _triggers = Bucket(options.Value.TriggerRatePerSecond);
        _subscribers = Bucket(options.Value.SubscriberRatePerSecond);
    }

    static (TokenBucketRateLimiter, int) Bucket(double perSecond)
    {
        var limit = Math.Max(1, (int)Math.Ceiling(perSecond));
        return (new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(limit, 100), // a bulk call (100 tokens) must fit in the bucket at all
            TokensPerPeriod = Math.Max(1, (int)Math.Ceiling(perSecond / 10)),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        }), limit);
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        (TokenBucketRateLimiter Limiter, int Limit)? bucket =
            path.StartsWithSegments("/v1/events") ? _triggers
            : path.StartsWithSegments("/v2/subscribers") || path.StartsWithSegments("/v2/topics") ? _subscribers
            : null;
        if (bucket is not { } b)
        {
            await _next(context);
            return;
        }

        var cost = path.StartsWithSegments("/v1/events/trigger/bulk") ? 100 : 1;
        using var lease = b.Limiter.AttemptAcquire(cost);
        var remaining = b.Limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;
        var headers = context.Response.Headers;
        headers["RateLimit-Limit"] = b.Limit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = "1";
        headers["RateLimit-Policy"] = $"{b.Limit};w=1";

        if (!lease.IsAcquired)
        {
            headers.RetryAfter = "1";
            await NovuErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "API rate limit exceeded");
            return;
        }
        await _next(context);
    }

    public void Dispose()
    {
        _triggers.Limiter.Dispose();
        _subscribers.Limiter.Dispose();
    }
}
