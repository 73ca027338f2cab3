using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest.Authentication;
using SegmentNovuWorker.Ingest.RateLimiting;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.Ingest.Endpoints;

/// <summary><c>/webhooks/segment</c>: Segment's Webhooks destination (classic, and Actions single or batch mode).</summary>
public static class SegmentWebhookEndpoints
{
    public const string Source = "webhook";

    public static void MapSegmentWebhook(this IEndpointRouteBuilder app)
    {
        // Actions webhooks may be configured with PUT or PATCH as well as POST.
        app.MapIngestGroup("/webhooks")
            .MapMethods("/segment", [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch], HandleAsync)
            .WithName("SegmentWebhook");
    }

    static async Task<IResult> HandleAsync(HttpContext http, EventIntake intake, IOptions<SegmentOptions> segment,
        IOptions<WebhookLimitOptions> webhookLimits, SourceRateLimiter limiter, FirstElementSignatureGuard firstElementGuard)
    {
        var limits = webhookLimits.Value.ToLimits();
        if (EventIntake.UnsupportedContentType(http.Request) is { } unsupported)
            return unsupported;

        var secrets = segment.Value.AllSharedSecrets;
        var signature = http.Request.Headers[SegmentSignature.Header].ToString();
        // No signature at all: refused before the body is read, from the unauthenticated budget.
        if (secrets.Count > 0 && signature.Length == 0)
            return limiter.Refuse(http, InvalidSignature());

        var (body, tooLarge) = await EventIntake.ReadAsync(http.Request, limits.MaxRequestBytes, http.RequestAborted);
        if (tooLarge is not null)
            return tooLarge;

        // Verified on the raw bytes before parsing: nothing unsigned is even read as an event.
        var match = secrets.Count == 0
            ? SignatureMatch.None
            : SegmentSignature.Verify(body.Span, signature, secrets, segment.Value.AcceptFirstElementSignature);
        if (secrets.Count > 0 && match == SignatureMatch.None)
            return limiter.Refuse(http, InvalidSignature());
        if (match == SignatureMatch.FirstElement && firstElementGuard.Stale(body) is { } stale)
            return limiter.Refuse(http, EventIntake.Problem(StatusCodes.Status401Unauthorized, "Stale first-element signature", stale));

        // Only Segment holds the secret: every signed request shares Segment's budget. An open webhook (a local trial) is
        // limited per client address instead.
        if (limiter.Admit(secrets.Count > 0 ? Source : "open:" + SourceRateLimiter.ClientAddress(http)) is { } tooMany)
            return tooMany;

        var parsed = SegmentRequestParser.Parse(body, RequestShape.Webhook, limits: limits);
        if (parsed.Error is { } error)
            return EventIntake.Refused(error);
        // A batch comes from the Actions destination, which waits about 10 s; a single event may come from the classic
        // destination, which waits about 5 s and keeps Ingest:PublishTimeout.
        var publishTimeout = parsed.IsBatch ? webhookLimits.Value.PublishTimeout : (TimeSpan?)null;
        if (match != SignatureMatch.FirstElement)
            return await intake.PublishAsync(http, parsed, Source, publishTimeout);

        var unseen = firstElementGuard.Unseen(parsed.Events);
        var answer = await intake.PublishAsync(http, parsed with { Events = unseen }, Source, publishTimeout);
        if (answer is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
            firstElementGuard.Remember(unseen);
        return answer;
    }

    static IResult InvalidSignature() =>
        EventIntake.Problem(StatusCodes.Status401Unauthorized, "Invalid signature",
            $"{SegmentSignature.Header} must be the HMAC-SHA1 of the whole body with the shared secret configured in Segment.");
}
