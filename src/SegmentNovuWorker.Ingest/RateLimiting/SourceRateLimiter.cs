using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest.Authentication;

namespace SegmentNovuWorker.Ingest.RateLimiting;

/// <summary>
/// ASP.NET Core's rate limiter, one fixed window per source: the write key for the tracking API, the client's IP
/// address otherwise. Over the limit: 429 problem+json with <c>Retry-After</c>, which Segment and its SDKs honour.
/// </summary>
public static class SourceRateLimiter
{
    public const string Policy = "segment-source";

    public static IServiceCollection AddSourceRateLimiter(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>()
            .BindConfiguration(RateLimitOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, http =>
            {
                var options = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(PartitionOf(http), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    Window = options.Window,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? wait
                    : http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Window;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "This source sent more requests than Ingest:RateLimit allows; retry after the Retry-After seconds.")
                    .ExecuteAsync(http);
            };
        });
        return services;
    }

    /// <summary>The write key's hash (the key itself is a secret and stays out of memory dumps and metrics), else the IP.</summary>
    static string PartitionOf(HttpContext http) =>
        WriteKeys.FromAuthorization(http.Request.Headers.Authorization) is { } key
            ? "key:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))
            : "ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown");
}
