using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest.Authentication;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Ingest.RateLimiting;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.Ingest.Endpoints;

/// <summary><c>/webhooks/segment</c>: Segment's Webhooks destination (classic, and Actions single or batch mode).</summary>
public static class SegmentWebhookEndpoints
{
    public const string Source = "webhook";

    /// <summary>How long an accepted batch's ticket may take to be confirmed by the stream; a stream append takes milliseconds.</summary>
    static readonly TimeSpan TicketTimeout = TimeSpan.FromSeconds(5);

    const string TokenAdvice = "Segment:WebhookTokens, a token the Send action sends in its Headers mapping as 'Authorization: Bearer <token>', " +
        "needs no signature and no window (docs/security.md)";

    public static void MapSegmentWebhook(this IEndpointRouteBuilder app)
    {
        // Actions webhooks may be configured with PUT or PATCH as well as POST.
        app.MapIngestGroup("/webhooks")
            .MapMethods("/segment", [HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch], HandleAsync)
            .WithName("SegmentWebhook");
    }

    static async Task<IResult> HandleAsync(HttpContext http, EventIntake intake, IOptions<SegmentOptions> segment,
        IOptions<WebhookLimitOptions> webhookLimits, SourceRateLimiter limiter, FirstElementSignatureGuard firstElementGuard,
        FirstElementTickets tickets, ILogger<EventIntake> logger)
    {
        var limits = webhookLimits.Value.ToLimits();
        if (EventIntake.UnsupportedContentType(http.Request) is { } unsupported)
            return unsupported;

        var options = segment.Value;
        var secrets = options.AllSharedSecrets;
        var tokens = options.AllWebhookTokens;
        var token = tokens.Count == 0 ? TokenMatch.Absent : WebhookTokens.Check(http.Request.Headers.Authorization, tokens);
        if (token == TokenMatch.Wrong)
            return Refuse(http, limiter, logger, "Invalid token", "The Authorization header's bearer token is not one of Segment:WebhookTokens.");
        var signature = http.Request.Headers[SegmentSignature.Header].ToString();
        // No credential at all: refused before the body is read, from the unauthenticated budget, and not logged (a flood
        // of these must not flood the log too).
        if (options.HasWebhookCredentials && token == TokenMatch.Absent && signature.Length == 0)
            return limiter.Refuse(http, EventIntake.Problem(StatusCodes.Status401Unauthorized, "Not signed",
                $"Send {SegmentSignature.Header}, the HMAC-SHA1 of the body under Segment:SharedSecret, or a token of Segment:WebhookTokens as 'Authorization: Bearer <token>'."));

        // A signature that cannot be one is refused before the body is read, as a missing one is, and for the same reason
        // not logged: it costs the sender nothing, so a flood of them must cost the log nothing either.
        if (options.HasWebhookCredentials && token == TokenMatch.Absent && !SegmentSignature.IsWellFormed(signature))
            return limiter.Refuse(http, EventIntake.Problem(StatusCodes.Status401Unauthorized, "Malformed signature",
                $"{SegmentSignature.Header} must be 40 hex digits, the HMAC-SHA1 of the body under Segment:SharedSecret."));

        // The declared length is checked before reading (413), and a body without one is read only up to the limit.
        var (body, tooLarge) = await EventIntake.ReadAsync(http.Request, limits.MaxRequestBytes, http.RequestAborted);
        if (tooLarge is not null)
            return tooLarge;

        // Verified on the raw bytes before parsing: nothing unsigned is even read as an event. The first-element form is
        // always computed, so that a batch refused only because that mode is off can say so.
        var match = token == TokenMatch.Valid || secrets.Count == 0
            ? SignatureMatch.None
            : SegmentSignature.Verify(body.Span, signature, secrets, acceptFirstElement: true);
        FirstElement? first = null;
        if (token != TokenMatch.Valid && options.HasWebhookCredentials)
        {
            if (match == SignatureMatch.None)
                return Refuse(http, limiter, logger, "Invalid signature",
                    $"{SegmentSignature.Header} is not the HMAC-SHA1 of the body (nor, for an array, of its first element) under Segment:SharedSecret or Segment:SharedSecrets.",
                    LogLevel.Information);
            if (match == SignatureMatch.FirstElement && !options.AcceptFirstElementSignature)
                return Refuse(http, limiter, logger, "First-element signature not accepted",
                    $"{SegmentSignature.Header} covers only the array's first element, as Segment's Actions batch mode signs. " +
                    $"Segment:AcceptFirstElementSignature=true accepts it; {TokenAdvice}.");
            if (match == SignatureMatch.FirstElement)
            {
                (first, var refusal) = firstElementGuard.Judge(SegmentSignature.FirstArrayElement(body.Span));
                if (refusal is not null)
                    return Refuse(http, limiter, logger, "First-element signature not accepted", $"{refusal} {TokenAdvice}.");
            }
        }

        // Only Segment holds the secret and the tokens: every authenticated request shares Segment's budget. An open
        // webhook (a local trial) is limited per client address instead.
        var sender = options.HasWebhookCredentials ? Source : "open:" + SourceRateLimiter.ClientAddress(http);
        if (limiter.Admit(sender) is { } tooMany)
            return tooMany;

        var parsed = SegmentRequestParser.Parse(body, RequestShape.Webhook, limits: limits);
        if (parsed.Error is { } error)
            return EventIntake.Refused(error);
        // A batch comes from the Actions destination, which waits about 10 s; a single event may come from the classic
        // destination, which waits about 5 s and keeps Ingest:PublishTimeout.
        var publishTimeout = parsed.IsBatch ? webhookLimits.Value.PublishTimeout : (TimeSpan?)null;
        // With the first-element mode on, a signature of either form verifies more than one body (an object's whole-body
        // signature is also the first-element signature of every array starting with it): each is accepted for one body.
        if (match == SignatureMatch.None || !options.AcceptFirstElementSignature)
            return await intake.PublishAsync(http, parsed, Source, sender, publishTimeout);
        var signed = new SignedBody(signature.ToLowerInvariant(), Convert.ToHexStringLower(SHA256.HashData(body.Span)),
            first?.Until ?? firstElementGuard.WholeBodyUntil(body.Span), match, first?.Id);
        return await PublishOnceAsync(http, intake, tickets, logger, signed, parsed, publishTimeout);
    }

    /// <summary>A request whose signature is a ticket: the signature, the hash of the body it came with, until when it is remembered.</summary>
    sealed record SignedBody(string Signature, string BodyHash, DateTimeOffset Until, SignatureMatch Match, string? FirstElementId)
    {
        public override string ToString() => Match == SignatureMatch.FirstElement
            ? $"a first-element signature (first element {FirstElementId})"
            : "a whole-body signature";
    }

    /// <summary>
    /// A signed body is published once per signature: the same bytes again (Segment's retry of a delivery whose answer
    /// it missed, or a replay of it) are published again when signed whole, as without tickets, and answered 200 with
    /// nothing published when signed over their first element; other bytes under a signature already accepted (a
    /// captured body with events appended or removed, or moved between the two modes) publish nothing. The ticket is
    /// recorded only once the events are confirmed, so a 503 leaves Segment's retry acceptable.
    /// </summary>
    static async Task<IResult> PublishOnceAsync(HttpContext http, EventIntake intake, FirstElementTickets tickets, ILogger logger,
        SignedBody signed, ParseResult parsed, TimeSpan? publishTimeout)
    {
        switch (tickets.Claim(signed.Signature, signed.BodyHash))
        {
            case TicketClaim.SameBody when signed.Match == SignatureMatch.WholeBody:
                return await intake.PublishAsync(http, parsed, Source, Source, publishTimeout);
            case TicketClaim.SameBody:
                logger.LogWarning("A webhook of {Count} events with {Signed} was accepted before with the same bytes: answered 200 and published " +
                    "nothing (Segment retrying a delivery whose answer it missed, or a captured body replayed)", parsed.Events.Count + parsed.Invalid.Count, signed);
                return Results.Ok(new IntakeAnswer(true, 0, 0, 0, 0));
            case TicketClaim.OtherBody:
                logger.LogWarning("A webhook of {Count} events with {Signed} reuses a signature accepted before for other bytes: answered 200 and published " +
                    "nothing (a captured signature with events added or removed, or Segment re-forming a batch it retries)", parsed.Events.Count + parsed.Invalid.Count, signed);
                return Results.Ok(new IntakeAnswer(true, 0, 0, 0, 0));
            case TicketClaim.InFlight:
                return intake.Unavailable(http, "A request with the same signature is being accepted right now; retry (Segment does).");
            case TicketClaim.NotReady:
                return intake.Unavailable(http, "The ingest has not yet read which signed requests it accepted before; retry (Segment does).");
        }

        IResult answer;
        try
        {
            answer = await intake.PublishAsync(http, parsed, Source, Source, publishTimeout);
        }
        catch
        {
            tickets.Release(signed.Signature);
            throw;
        }
        if (answer is not IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
        {
            tickets.Release(signed.Signature);
            return answer;
        }
        try
        {
            // The events are durable now: remembering that matters more than whether Segment is still waiting for the
            // answer, so the ticket gets its own bound rather than the request's.
            using var recording = new CancellationTokenSource(TicketTimeout);
            await tickets.RecordAsync(signed.Signature, signed.BodyHash, signed.Until, recording.Token);
            return answer;
        }
        catch (BrokerUnavailableException ex)
        {
            // Published but the ticket not recorded: Segment's retry is accepted again, rather than a replay of it publishing
            // appended events, and publishes none of these events a second time.
            intake.RememberConfirmed(Source, parsed);
            return intake.Unavailable(http, ex.Message);
        }
    }

    static IResult Refuse(HttpContext http, SourceRateLimiter limiter, ILogger logger, string title, string detail, LogLevel level = LogLevel.Warning)
    {
        // The detail names settings, never a value: it is safe in the log and in the answer.
        logger.Log(level, "Refused a webhook from {Client} with 401 ({Title}): {Detail}", SourceRateLimiter.ClientAddress(http), title, detail);
        return limiter.Refuse(http, EventIntake.Problem(StatusCodes.Status401Unauthorized, title, detail));
    }
}
