using System.Globalization;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu.Pacing;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Novu's rate limits, as its API plays them (apps/api rate-limiting: the guard and the token-bucket use case): a
/// bucket per category (<see cref="NovuRateCategories"/>) holding a 5 s window of tokens plus 10 % burst, refilled at
/// the configured rate; <c>RateLimit-Limit</c> (rate × window), <c>-Remaining</c>, <c>-Reset</c> (seconds, rounded
/// up, until a call of this cost fits) and <c>-Policy</c> on every answer, and 429 "API rate limit exceeded" with
/// <c>Retry-After</c> = the same seconds when the bucket is short. A bulk call costs 100 tokens.
/// It runs after the API key (Novu's rate limit is an interceptor, after its auth guard) and before idempotency
/// (registered before <c>IdempotencyInterceptor</c> in Novu's app.module.ts), so a 429 is never kept under a key.
/// </summary>
public sealed class RateLimitMiddleware
{
    readonly RequestDelegate _next;
    readonly TimeProvider _clock;
    readonly string _serviceLevel;
    readonly Dictionary<NovuRateCategory, NovuBucket> _buckets;

    public RateLimitMiddleware(RequestDelegate next, IOptions<StandInOptions> options, TimeProvider clock)
    {
        _next = next;
        _clock = clock;
        _serviceLevel = options.Value.ServiceLevel;
        _buckets = new()
        {
            [NovuRateCategory.Trigger] = new NovuBucket(options.Value.TriggerRatePerSecond),
            [NovuRateCategory.Configuration] = new NovuBucket(options.Value.SubscriberRatePerSecond),
            [NovuRateCategory.Global] = new NovuBucket(options.Value.OtherRatePerSecond),
        };
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/_standin") || path.StartsWithSegments("/health"))
        {
            await _next(context);
            return;
        }

        var call = NovuRateCategories.Of(path.Value ?? "/");
        var bucket = _buckets[call.Category];
        var now = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        var (success, remaining, reset) = bucket.Take(call.Tokens, now);
        var secondsToReset = Math.Max((long)Math.Ceiling((reset - now) / 1e3), 0);

        var headers = context.Response.Headers;
        headers["RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Limit"] = Number(bucket.Limit);
        headers["RateLimit-Reset"] = secondsToReset.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Policy"] = $"{Number(bucket.Limit)};w={NovuRateCategories.WindowSeconds};burst={bucket.MaxTokens};" +
            $"comment=\"token bucket\";category=\"{call.CategoryName}\";cost=\"{call.CostName}\";serviceLevel=\"{_serviceLevel}\"";

        if (!success)
        {
            headers.RetryAfter = secondsToReset.ToString(CultureInfo.InvariantCulture);
            await NovuErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "API rate limit exceeded");
            return;
        }
        await _next(context);
    }

    static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

/// <summary>
/// One of Novu's buckets, its Lua script (evaluate-token-bucket-rate-limit) in C#. Its quirks are Novu's and kept: the
/// refill is added only when a call finds fewer tokens than its cost ("delay refill until bucket is empty"), so
/// <c>Remaining</c> counts down to 0 and then jumps back; the bucket is forgotten 10 s after it was created or last
/// refilled (and starts full again); a refused call changes nothing.
/// </summary>
sealed class NovuBucket(double perSecond)
{
    const double WindowMs = NovuRateCategories.WindowSeconds * 1000;

    readonly Lock _gate = new();
    readonly double _fillIntervalMs = 1000 / Math.Max(perSecond, 0.001);
    bool _exists;
    double _tokens;
    double _lastRefill;
    double _expiresAt;

    /// <summary><c>RateLimit-Limit</c>: the tokens of one window.</summary>
    public double Limit { get; } = perSecond * NovuRateCategories.WindowSeconds;

    /// <summary>The window plus the burst: what a full bucket holds.</summary>
    public int MaxTokens { get; } = NovuRateCategories.BucketSize(perSecond);

    /// <returns>Whether the call may go, the tokens left (never negative), and when (unix ms) a call of this cost fits.</returns>
    public (bool Success, long Remaining, double Reset) Take(int cost, double now)
    {
        lock (_gate)
        {
            double remaining, resetCost;
            if (!_exists || now >= _expiresAt)
            {
                _exists = true;
                _lastRefill = now;
                remaining = MaxTokens - cost;
                resetCost = remaining < cost ? cost - remaining : cost;
                _tokens = remaining;
                _expiresAt = now + WindowMs * 2;
            }
            else if (_tokens >= cost)
            {
                remaining = _tokens - cost;
                resetCost = remaining < cost ? cost - remaining : cost;
                _tokens = remaining;
            }
            else
            {
                var tokensToAdd = Math.Floor((now - _lastRefill) / _fillIntervalMs);
                var newTokens = Math.Min(MaxTokens, _tokens + tokensToAdd);
                remaining = newTokens - cost;
                if (remaining >= 0)
                {
                    _lastRefill += tokensToAdd * _fillIntervalMs;
                    resetCost = remaining < cost ? cost - remaining : cost;
                    _tokens = remaining;
                    _expiresAt = now + WindowMs * 2;
                }
                else
                    resetCost = cost - _tokens;
            }
            return (remaining >= 0, (long)Math.Max(0, remaining), _lastRefill + resetCost * _fillIntervalMs);
        }
    }
}
