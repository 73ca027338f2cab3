using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Ingest.Authentication;
using SegmentNovuWorker.Ingest.RateLimiting;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.Ingest.Endpoints;

/// <summary>
/// Segment's tracking-API shape (<c>/v1/identify</c>, <c>/v1/track</c>, …, <c>/v1/batch</c>), so Segment's own SDKs and any
/// Segment-compatible sender can post straight here. Answers as Segment does: <c>200 {"success":true}</c>.
/// </summary>
public static class TrackingApiEndpoints
{
    public const string Source = "tracking-api";

    public static void MapTrackingApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapIngestGroup("/v1");

        foreach (var call in SegmentCalls.All.Where(c => c.HasTrackingRoute).Select(c => c.Name))
        {
            v1.MapPost("/" + call, (HttpContext http, EventIntake intake, IOptions<SegmentOptions> segment, SourceRateLimiter limiter) =>
                    HandleAsync(http, intake, segment.Value, limiter, RequestShape.TrackingCall, call, SegmentLimits.MaxEventBytes))
                .WithName("Tracking" + char.ToUpperInvariant(call[0]) + call[1..]);
        }
        v1.MapPost("/batch", (HttpContext http, EventIntake intake, IOptions<SegmentOptions> segment, SourceRateLimiter limiter) =>
                HandleAsync(http, intake, segment.Value, limiter, RequestShape.TrackingBatch, null, SegmentLimits.MaxRequestBytes))
            .WithName("TrackingBatch");
    }

    static async Task<IResult> HandleAsync(HttpContext http, EventIntake intake, SegmentOptions segment,
        SourceRateLimiter limiter, RequestShape shape, string? call, int maxBytes)
    {
        if (EventIntake.UnsupportedContentType(http.Request) is { } unsupported)
            return unsupported;

        // Without write keys the front door is open (Ingest:AllowUnauthenticated, checked at start): any key, or none.
        var open = !segment.HasWriteKeys;

        // A key in the Authorization header is checked before the body is read; one in the body after the (bounded) read.
        var headerKey = WriteKeys.FromAuthorization(http.Request.Headers.Authorization);
        var kind = WriteKeys.Classify(headerKey, segment);
        if (headerKey is not null && kind == WriteKeyKind.Unknown && !open)
            return limiter.Refuse(http, Unauthorized());

        var (body, tooLarge) = await EventIntake.ReadAsync(http.Request, maxBytes, http.RequestAborted);
        if (tooLarge is not null)
            return tooLarge;

        // The key in the Authorization header wins; only without one is the body's looked for, and checked before the
        // body is parsed: an unknown sender's body is never read as events.
        var key = headerKey ?? WriteKeys.FromBody(body.Span);
        if (headerKey is null)
            kind = WriteKeys.Classify(key, segment);
        if (kind == WriteKeyKind.Unknown && !open)
            return limiter.Refuse(http, Unauthorized());
        var parsed = SegmentRequestParser.Parse(body, shape, call);

        // Each key spends its own budget, whoever else shares the client's address.
        var source = key is not null ? "key:" + WriteKeys.Fingerprint(key) : "open:" + SourceRateLimiter.ClientAddress(http);
        if (limiter.Admit(source) is { } tooMany)
            return tooMany;

        if (kind == WriteKeyKind.Client && parsed.Events.Any(e => e is Contracts.DeleteEvent))
            parsed = SegmentRequestParser.Parse(body, shape, call, deletesAllowed: false);
        if (parsed.Error is { } error)
            return EventIntake.Refused(error);
        return await intake.PublishAsync(http, parsed, Source, source);
    }

    static IResult Unauthorized() =>
        EventIntake.Problem(StatusCodes.Status401Unauthorized, "Unknown write key",
            "Send a configured write key as 'Authorization: Basic base64(<writeKey>:)' or as \"writeKey\" in the body.");
}
