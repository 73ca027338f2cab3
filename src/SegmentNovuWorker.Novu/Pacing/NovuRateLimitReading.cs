using System.Globalization;
using System.Net;

namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>
/// What one Novu answer says about its bucket: <c>RateLimit-Limit</c> (rate × window), <c>-Remaining</c> (tokens left
/// after this call), <c>-Reset</c> (seconds until a call of this cost fits), <c>-Policy</c>
/// (<c>300;w=5;burst=330;comment="token bucket";category="trigger";cost="single";serviceLevel="free"</c>) and, on a 429,
/// <c>Retry-After</c>. Any of them may be missing (a gateway's 429, a self-hosted Novu with rate limiting off).
/// </summary>
public sealed record NovuRateLimitReading(
    HttpStatusCode Status,
    int? Limit,
    int? Remaining,
    TimeSpan? Reset,
    int? WindowSeconds,
    int? Burst,
    string? Category,
    TimeSpan? RetryAfter)
{
    /// <summary>The bucket's refill in tokens per second: <c>Limit</c> over the policy's window (Novu's 5 s when the policy is absent).</summary>
    public double? RatePerSecond => Limit is > 0 and var limit ? limit / (double)(WindowSeconds is > 0 and var w ? w : NovuRateCategories.WindowSeconds) : null;

    /// <summary>Tokens the bucket holds when full: the policy's <c>burst</c>, else Novu's window plus 10 %.</summary>
    public double? Capacity => Burst is > 0 and var burst ? burst : RatePerSecond is { } rate ? NovuRateCategories.BucketSize(rate) : null;

    public bool IsTooManyRequests => Status == HttpStatusCode.TooManyRequests;

    public static NovuRateLimitReading From(HttpResponseMessage response)
    {
        var headers = response.Headers;
        var policy = Header(headers, "RateLimit-Policy");
        var parameters = ParsePolicy(policy);
        return new NovuRateLimitReading(
            response.StatusCode,
            ParseInt(Header(headers, "RateLimit-Limit")),
            ParseInt(Header(headers, "RateLimit-Remaining")),
            ParseInt(Header(headers, "RateLimit-Reset")) is { } reset ? TimeSpan.FromSeconds(Math.Max(0, reset)) : null,
            ParseInt(parameters.GetValueOrDefault("w")),
            ParseInt(parameters.GetValueOrDefault("burst")),
            parameters.GetValueOrDefault("category"),
            headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - DateTimeOffset.UtcNow,
                _ => null,
            });
    }

    static string? Header(System.Net.Http.Headers.HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    static int? ParseInt(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (int)Math.Floor(value) : null;

    /// <summary><c>limit;key=value;key="quoted"</c> into its keyed parameters (the leading limit is the same as <c>RateLimit-Limit</c>).</summary>
    static Dictionary<string, string> ParsePolicy(string? policy)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in (policy ?? "").Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var equals = part.IndexOf('=');
            if (equals > 0)
                parameters[part[..equals].Trim()] = part[(equals + 1)..].Trim().Trim('"');
        }
        return parameters;
    }
}
