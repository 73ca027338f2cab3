using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace SegmentNovuWorker.Novu;

/// <summary>
/// Counts and times every Novu call (<c>segment_novu.novu.calls</c>, <c>segment_novu.novu.call.duration</c>) by endpoint,
/// status and the category <see cref="NovuFailureClassification"/> gives it, so the 429 share and Novu's latency are
/// visible without reading logs. Outside the resilience handler: one count per call the client makes.
/// </summary>
public sealed class NovuCallMetricsHandler(NovuMetrics metrics) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = EndpointOf(request);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.NovuCall(endpoint, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture),
                CategoryOf(response.StatusCode, response.Headers.RetryAfter is not null), Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // No answer (timeout, refused connection): the consumer retries it like a 5xx.
            metrics.NovuCall(endpoint, "none", "retryable", Stopwatch.GetElapsedTime(started));
            throw;
        }
    }

    /// <summary>The category of an answer, as the worker treats it.</summary>
    public static string CategoryOf(HttpStatusCode status, bool hasRetryAfter) => (int)status switch
    {
        >= 200 and <= 299 => "success",
        429 => "rate-limited",
        _ when NovuFailureClassification.IsAccountFailure(status) => "account",
        _ when NovuFailureClassification.IsRetryable(status, hasRetryAfter) => "retryable",
        _ => "rejected",
    };

    /// <summary>
    /// The method and path with subscriber ids and topic keys replaced (<c>DELETE v2/subscribers/{id}</c>): one series per
    /// endpoint, not per user.
    /// </summary>
    public static string EndpointOf(HttpRequestMessage request)
    {
        var segments = (request.RequestUri?.IsAbsoluteUri == true ? request.RequestUri.AbsolutePath : request.RequestUri?.OriginalString ?? "")
            .Split('?')[0].Trim('/').Split('/');
        for (var i = 1; i < segments.Length; i++)
        {
            if (segments[i - 1] is "subscribers" or "topics")
                segments[i] = "{id}";
        }
        return $"{request.Method.Method} {string.Join('/', segments)}";
    }
}
