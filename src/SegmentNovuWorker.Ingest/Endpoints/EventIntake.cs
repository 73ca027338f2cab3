using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Ingest.Publishing;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.Ingest.Endpoints;

/// <summary>The steps every Segment source shares: content type, bounded read, publish with confirms, the answer.</summary>
public sealed class EventIntake(
    SegmentEventPublisher publisher,
    ConfirmedEvents confirmedEvents,
    IOptions<IngestOptions> options,
    TimeProvider clock,
    SegmentNovuMetrics metrics,
    ILogger<EventIntake> logger,
    IDeliveryLog deliveryLog)
{
    /// <summary>
    /// Segment and its SDKs send <c>application/json</c> (any charset); analytics.js's beacon sends <c>text/plain</c>, so that
    /// is read as JSON too. Anything else (a form post, no content type) is refused before the body is read.
    /// </summary>
    public static IResult? UnsupportedContentType(HttpRequest request)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || type.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase)
                || (type.MediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))))
            return null;
        return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
            $"Send Segment events as application/json, not '{request.ContentType ?? "(none)"}'.");
    }

    /// <summary>Reads the body, stopping as soon as it passes <paramref name="maxBytes"/> (413).</summary>
    public static async Task<(ReadOnlyMemory<byte> Body, IResult? Refusal)> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        var body = await RequestBody.ReadAsync(request, maxBytes, cancellationToken);
        return body is { } b
            ? (b, null)
            : (default, Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"This request may carry at most {maxBytes} bytes."));
    }

    public static IResult Refused(RequestError error) =>
        Problem(error.Status, error.Title, error.Detail, error.Errors.Count == 0
            ? null
            : new Dictionary<string, object?> { ["errors"] = error.Errors });

    public static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        Results.Problem(statusCode: status, title: title, detail: detail, extensions: extensions);

    /// <summary>
    /// Publishes the valid events and, to <c>segment-rejected</c>, the invalid ones of a batch; answers 200 only once the
    /// broker confirmed every valid one, 503 with <c>Retry-After</c> otherwise. The rejected ones are published beside
    /// them, but never cost them: when <c>segment-rejected</c> is full (it is bounded, see <c>RejectedQueue</c>) they
    /// are counted as <c>notKept</c> in the 200 and logged, since a retry would not make them valid.
    /// </summary>
    /// <param name="source"><c>webhook</c> or <c>tracking-api</c>, recorded on rejected events.</param>
    /// <param name="sender">Who sent it, as far as the credentials tell (Segment's webhook, one write key): its retries are
    /// recognised by that and the events' <c>messageId</c>s (<see cref="ConfirmedEvents"/>).</param>
    /// <param name="publishTimeout">The source's wait for the broker; <c>Ingest:PublishTimeout</c> when not given.</param>
    public async Task<IResult> PublishAsync(HttpContext http, ParseResult parsed, string source, string sender, TimeSpan? publishTimeout = null)
    {
        var receivedAt = clock.GetUtcNow();
        metrics.Received(source, parsed.Events.Count + parsed.Invalid.Count + parsed.OptedOut);
        List<ISegmentEvent> rejected = [.. parsed.Invalid.Select(e =>
            new RejectedEvent(e.MessageId, e.UserId, e.AnonymousId, null, null, e.Reason, e.Index, e.RawEvent, receivedAt, source))];
        foreach (var invalid in parsed.Invalid)
        {
            using var scope = logger.BeginSegmentMessageScope(invalid.MessageId);
            logger.LogWarning("Set aside event {Index} of a {Source} batch in {Queue}: {Reason}", invalid.Index, source, SegmentQueues.Rejected, invalid.Reason);
        }

        // A retry of a request answered 503 publishes only what the broker had not confirmed yet.
        var (events, resumed) = confirmedEvents.Split(sender, parsed.Events);
        var (rejectedToKeep, rejectedResumed) = confirmedEvents.Split(sender, rejected);
        // One publish each, so a full segment-rejected refuses only what it has no room for.
        var keepRejected = Task.WhenAll(rejectedToKeep.Select(r => KeepAsync(r, http.RequestAborted)));
        var confirmed = new ConcurrentQueue<string>();
        IReadOnlyList<UnpublishableEvent> unpublishable;
        try
        {
            unpublishable = await publisher.PublishAsync(events, http.RequestAborted, publishTimeout, confirmed);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The sender stopped waiting: it retries as after a 503.
            confirmedEvents.Remember(sender, confirmed);
            throw;
        }
        catch (BrokerUnavailableException ex)
        {
            var keptRejected = await keepRejected;
            confirmedEvents.Remember(sender, confirmed.Concat(rejectedToKeep.Where((_, i) => keptRejected[i]).Select(r => r.MessageId)));
            logger.LogWarning("Answered 503 to a {Source} request of {Count} events, {Confirmed} of them confirmed and not to be published again by its retry: {Reason}",
                source, parsed.Events.Count + parsed.Invalid.Count, confirmed.Count + resumed.Count, ex.Message);
            return Unavailable(http, ex.Message);
        }

        if (unpublishable.Count > 0 && !parsed.IsBatch)
        {
            // A single event is refused with its reason, as an invalid one is: nothing was published.
            await keepRejected;
            var refused = unpublishable[0];
            using var scope = logger.BeginSegmentMessageScope(refused.Event.MessageId);
            logger.LogWarning("Refused a single {Source} event: {Reason}", source, refused.Reason);
            metrics.Rejected(source, 1);
            return Problem(StatusCodes.Status400BadRequest, "Event not accepted", refused.Reason);
        }
        // Set aside like an invalid event of the batch; its raw text is not at hand (the parser kept only what it read).
        List<ISegmentEvent> unserializable = [.. unpublishable.Select(u =>
            new RejectedEvent(u.Event.MessageId, u.Event.UserId, u.Event.AnonymousId, u.Event.Timestamp, null, u.Reason, -1, "", receivedAt, source))];
        foreach (var u in unpublishable)
        {
            using var scope = logger.BeginSegmentMessageScope(u.Event.MessageId);
            logger.LogWarning("Set aside an event of a {Source} batch in {Queue}: {Reason}", source, SegmentQueues.Rejected, u.Reason);
        }
        var keptUnserializable = await Task.WhenAll(unserializable.Select(r => KeepAsync(r, http.RequestAborted)));
        var notKept = (await keepRejected).Concat(keptUnserializable).Count(kept => !kept);
        confirmedEvents.Forget(sender, resumed.Concat(rejectedResumed));
        var resumedCount = resumed.Count + rejectedResumed.Count;
        if (resumedCount > 0)
        {
            metrics.Resumed(source, resumedCount);
            logger.LogInformation("A {Source} request resumed where its earlier attempt stopped: {Resumed} of its events were confirmed then and not published again",
                source, resumedCount);
        }
        var refusedIds = unpublishable.Select(u => u.Event.MessageId).ToHashSet(StringComparer.Ordinal);
        var acceptedEvents = refusedIds.Count == 0 ? parsed.Events : [.. parsed.Events.Where(e => !refusedIds.Contains(e.MessageId))];
        var rejectedCount = parsed.Invalid.Count + unpublishable.Count;
        foreach (var accepted in acceptedEvents)
        {
            metrics.Accepted(SegmentCalls.Of(accepted).Name, source);
            deliveryLog.Record(DeliveryStep.Accepted(accepted, source, http.TraceIdentifier, receivedAt));
        }
        metrics.Rejected(source, rejectedCount);
        metrics.OptedOut(source, parsed.OptedOut);
        if (notKept > 0)
            logger.LogError("{Queue} did not keep {NotKept} of {Rejected} rejected events of a {Source} request: it is full (RabbitMq:RejectedQueue) " +
                "or the broker is slow. The request's valid events are accepted. See the queue with 'segment-novu queues'",
                SegmentQueues.Rejected, notKept, rejectedCount, source);

        logger.LogInformation("Accepted {Accepted} events from {Source} ({Rejected} rejected, {OptedOut} opted out of Novu)",
            acceptedEvents.Count, source, rejectedCount, parsed.OptedOut);
        return Results.Ok(new IntakeAnswer(true, acceptedEvents.Count, rejectedCount, parsed.OptedOut, notKept, resumedCount));
    }

    /// <summary>
    /// Remembers a request's valid events as confirmed although it is answered 503 after all (<see cref="ConfirmedEvents"/>),
    /// so its retry publishes none of them again. Its rejected ones are left out: some may not have been kept.
    /// </summary>
    public void RememberConfirmed(string sender, ParseResult parsed) =>
        confirmedEvents.Remember(sender, parsed.Events.Select(e => e.MessageId));

    /// <summary>503 with <c>Retry-After</c>: nothing the client sent is wrong, and Segment retries.</summary>
    public IResult Unavailable(HttpContext http, string detail)
    {
        http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problem(StatusCodes.Status503ServiceUnavailable, "Events not accepted", detail);
    }

    async Task<bool> KeepAsync(ISegmentEvent rejected, CancellationToken cancellationToken)
    {
        try
        {
            // A rejected event the serializer refuses too is not kept either.
            return (await publisher.PublishAsync([rejected], cancellationToken)).Count == 0;
        }
        catch (BrokerUnavailableException)
        {
            return false;
        }
    }
}

/// <summary>
/// The 200 answer: Segment's own <c>{"success":true}</c>, plus what became of the request's events. <c>rejected</c> events
/// are in <c>segment-rejected</c>, except <c>notKept</c> of them, refused by that queue when full; <c>optedOut</c> ones
/// asked (<c>integrations</c>) not to go to Novu; <c>resumed</c> ones (counted in <c>accepted</c> or <c>rejected</c>) were
/// confirmed for an earlier attempt of the request, answered 503, and not published again.
/// </summary>
public sealed record IntakeAnswer(bool Success, int Accepted, int Rejected, int OptedOut,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int NotKept,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int Resumed = 0);
