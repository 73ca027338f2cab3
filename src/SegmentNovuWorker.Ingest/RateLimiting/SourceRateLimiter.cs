using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Ingest.RateLimiting;

/// <summary>
/// Rate limits applied after authentication, so that who a request is decides whose budget it spends. A verified
/// source (the signed webhook, a configured write key) has a bucket of its own; requests that failed or skipped
/// authentication share a smaller bucket per client address, so a flood of them never costs Segment a 429.
/// Over a limit: 429 problem+json with <c>Retry-After</c>, which Segment and its SDKs honour.
/// </summary>
public sealed class SourceRateLimiter : IDisposable
{
    readonly PartitionedRateLimiter<string> _verified;
    readonly PartitionedRateLimiter<string> _unauthenticated;
    readonly RateLimitOptions _options;

    public SourceRateLimiter(IOptions<RateLimitOptions> options)
    {
        _options = options.Value;
        _verified = Create(_options.PermitLimit);
        _unauthenticated = Create(_options.UnauthenticatedPermitLimit);
    }

    /// <summary>Spends one request of a verified source's own budget: null when admitted, the 429 otherwise.</summary>
    /// <param name="source">Who is verified: <c>webhook</c>, a write key's fingerprint, or (open front door) the client address.</param>
    public IResult? Admit(string source)
    {
        using var lease = _verified.AttemptAcquire(source);
        return lease.IsAcquired ? null : TooMany(lease);
    }

    /// <summary>
    /// The answer to a request that failed authentication: <paramref name="unauthorized"/>, or a 429 once its client
    /// address has used up the unauthenticated budget.
    /// </summary>
    public IResult Refuse(HttpContext http, IResult unauthorized)
    {
        using var lease = _unauthenticated.AttemptAcquire(ClientAddress(http));
        return lease.IsAcquired ? unauthorized : TooMany(lease);
    }

    /// <summary>The connection's address; a forwarded one only through <c>Ingest:KnownProxies</c> (forwarded-headers middleware).</summary>
    public static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    IResult TooMany(RateLimitLease lease)
    {
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : _options.Window;
        return new TooManyRequests(Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)));
    }

    PartitionedRateLimiter<string> Create(int permits) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = _options.Window,
            QueueLimit = 0,
        }));

    public void Dispose()
    {
        _verified.Dispose();
        _unauthenticated.Dispose();
    }

    sealed class TooManyRequests(int retryAfterSeconds) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: "This source sent more requests than Ingest:RateLimit allows; retry after the Retry-After seconds.").ExecuteAsync(http);
        }
    }
}

public static class SourceRateLimiterExtensions
{
    public static IServiceCollection AddSourceRateLimiter(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<SourceRateLimiter>();
        return services;
    }
}
