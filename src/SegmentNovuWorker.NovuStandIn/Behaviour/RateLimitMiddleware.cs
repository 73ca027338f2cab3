using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Novu's rate limits: a token bucket per category (triggers; configuration: subscribers and topics; everything
/// else), the <c>RateLimit-*</c> headers on every answer, and 429 "API rate limit exceeded" with <c>Retry-After</c>
/// (seconds until the call's tokens are back) when empty. A bulk call costs 100 tokens, as on Novu.
/// </summary>
public sealed class RateLimitMiddleware : IDisposable
{
    readonly RequestDelegate _next;
    readonly Bucket _triggers;
    readonly Bucket _configuration;
    readonly Bucket _global;

    sealed record Bucket(string Category, TokenBucketRateLimiter Limiter, int Limit);

    public RateLimitMiddleware(RequestDelegate next, IOptions<StandInOptions> options)
    {
        _next = next;
        _triggers = BucketOf("trigger", options.Value.TriggerRatePerSecond);
        _configuration = BucketOf("configuration", options.Value.SubscriberRatePerSecond);
        _global = BucketOf("global", options.Value.OtherRatePerSecond);
    }

    static Bucket BucketOf(string category, double perSecond)
    {
        var limit = Math.Max(1, (int)Math.Ceiling(perSecond));
        return new Bucket(category, new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
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
        if (path.StartsWithSegments("/_standin") || path.StartsWithSegments("/health"))
        {
            await _next(context);
            return;
        }
        var b = path.StartsWithSegments("/v1/events") ? _triggers
            : path.StartsWithSegments("/v2/subscribers") || path.StartsWithSegments("/v1/subscribers") || path.StartsWithSegments("/v2/topics")
                ? _configuration
            : _global;

        var cost = path.StartsWithSegments("/v1/events/trigger/bulk") || path.StartsWithSegments("/v1/subscribers/bulk") ? 100 : 1;
        using var lease = b.Limiter.AttemptAcquire(cost);
        var remaining = b.Limiter.GetStatistics()?.CurrentAvailablePermits ?? 0;
        var headers = context.Response.Headers;
        headers["RateLimit-Limit"] = b.Limit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        // Seconds until the bucket is full again at its refill rate of Limit tokens a second.
        headers["RateLimit-Reset"] = SecondsFor(Math.Max(0, b.Limit - remaining), b.Limit).ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = $"{b.Limit};w=1;comment=\"token bucket\";category=\"{b.Category}\";cost=\"{(cost == 1 ? "single" : "bulk")}\"";

        if (!lease.IsAcquired)
        {
            headers.RetryAfter = SecondsFor(Math.Max(1, cost - remaining), b.Limit).ToString(CultureInfo.InvariantCulture);
            await NovuErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "API rate limit exceeded");
            return;
        }
        await _next(context);
    }

    /// <summary>Whole seconds (at least 1) for <paramref name="tokens"/> to come back at <paramref name="perSecond"/>.</summary>
    static long SecondsFor(long tokens, int perSecond) => Math.Max(1, (long)Math.Ceiling(tokens / (double)perSecond));

    public void Dispose()
    {
        _triggers.Limiter.Dispose();
        _configuration.Limiter.Dispose();
        _global.Limiter.Dispose();
    }
}
