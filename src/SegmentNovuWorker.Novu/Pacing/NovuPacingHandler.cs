using System.Diagnostics;

namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>
/// Paces every Novu call to its category's bucket before it is sent, and waits out and sends again a 429 Novu still
/// answers, so that a rate limit never reaches the caller as a failure (no retry, no redelivery, no outage count).
/// It sits outside the per-attempt timeout: a paced wait is never cut by it, and each sending gets the whole timeout.
/// The resent request keeps its <c>Idempotency-Key</c>: Novu's rate limit answers before its idempotency layer
/// (apps/api app.module.ts registers <c>ApiRateLimitInterceptor</c> first) and keeps nothing under the key for a 429.
/// Only the caller's cancellation ends a wait. Every wait is recorded (<see cref="NovuMetrics.RecordPacedWait"/>).
/// </summary>
public sealed class NovuPacingHandler(NovuPacer pacer, NovuMetrics metrics) : DelegatingHandler
{
    /// <summary>
    /// Set by a caller that wants to know when its request has left the pacer's queue (its turn came, it is being sent):
    /// completed then, or when the request ends without a turn (cancelled). The bulk coalescer decides what to send next
    /// at that moment.
    /// </summary>
    public static readonly HttpRequestOptionsKey<TaskCompletionSource> SentSignal = new("SegmentNovuWorker.Novu.Sent");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = NovuRateCategories.Of(NovuPath(request.RequestUri));
        var category = pacer.For(call.Category);
        if (request.Content is not null)
            await request.Content.LoadIntoBufferAsync(cancellationToken); // to send the same bytes again after a 429
        while (true)
        {
            HttpResponseMessage response;
            var asked = Stopwatch.GetTimestamp();
            CategoryPacer.Lease lease;
            try
            {
                lease = await category.AcquireAsync(call.Tokens, cancellationToken);
            }
            finally
            {
                if (request.Options.TryGetValue(SentSignal, out var sent))
                    sent.TrySetResult();
            }
            using (lease)
            {
                if (Stopwatch.GetElapsedTime(asked) is { TotalMilliseconds: >= 1 } waited)
                    metrics.RecordPacedWait(NovuRateCategories.NameOf(call.Category), waited);
                response = await base.SendAsync(request, cancellationToken);
                var reading = NovuRateLimitReading.From(response);
                lease.Complete(reading);
                if (!reading.IsTooManyRequests)
                    return response;
                response.Dispose();
                var retryAfter = reading.RetryAfter ?? reading.Reset ?? CategoryPacer.DefaultRetryAfter;
                metrics.RecordPacedWait(NovuRateCategories.NameOf(call.Category), retryAfter);
                await category.WaitOutTooManyRequestsAsync(retryAfter, cancellationToken);
            }
        }
    }

    /// <summary>The path from Novu's API version on (<c>/v1/…</c>, <c>/v2/…</c>), whatever prefix a self-hosted Novu's base URL has.</summary>
    static string NovuPath(Uri? uri)
    {
        var path = uri is null ? "/" : uri.IsAbsoluteUri ? uri.AbsolutePath : "/" + uri.OriginalString.TrimStart('/').Split('?')[0];
        foreach (var version in new[] { "/v1/", "/v2/" })
        {
            var at = path.IndexOf(version, StringComparison.OrdinalIgnoreCase);
            if (at > 0)
                return path[at..];
        }
        return path;
    }
}
