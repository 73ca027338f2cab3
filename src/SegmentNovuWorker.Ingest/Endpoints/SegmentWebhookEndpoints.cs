using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest.Authentication;
using SegmentNovuWorker.Ingest.Parsing;

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

    static async Task<IResult> HandleAsync(HttpContext http, EventIntake intake, IOptions<SegmentOptions> segment)
    {
        if (EventIntake.UnsupportedContentType(http.Request) is { } unsupported)
            return unsupported;

        var (body, tooLarge) = await EventIntake.ReadAsync(http.Request, SegmentLimits.MaxRequestBytes, http.RequestAborted);
        if (tooLarge is not null)
            return tooLarge;

        // Verified on the raw bytes before parsing: nothing unsigned is even read as an event.
        var secrets = segment.Value.AllSharedSecrets;
        if (secrets.Count > 0 && !SegmentSignature.IsValid(body.Span, http.Request.Headers[SegmentSignature.Header], secrets))
            return EventIntake.Problem(StatusCodes.Status401Unauthorized, "Invalid signature",
                $"{SegmentSignature.Header} must be the HMAC-SHA1 of the body with the shared secret configured in Segment.");

        var parsed = SegmentRequestParser.Parse(body, RequestShape.Webhook);
        if (parsed.Error is { } error)
            return EventIntake.Refused(error);
        return await intake.PublishAsync(http, parsed, Source);
    }
}
