using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.Worker.DeliveryLog;

/// <summary>
/// The worker's side of the delivery log: turns what the worker already knows at each step (a Novu answer, a skip, a
/// failed attempt, a park for redelivery, a dead letter) into <see cref="DeliveryStep"/>s for <see cref="IDeliveryLog"/>.
/// Each call costs a record and a buffer write; the publishing happens elsewhere (<see cref="DeliveryLogWriter"/>).
/// Who the event is about comes from the headers the ingest puts on every message, so every step can be found by user.
/// </summary>
public sealed class DeliveryRecorder(IDeliveryLog log, IOptions<DeliveryLogOptions> options, TimeProvider clock)
{
    /// <summary>A bound on <see cref="_withoutEmail"/>: past it the memory starts again (it only adds a note to the log).</summary>
    const int MaxRemembered = 100_000;

    /// <summary>Subscribers whose last upsert this worker recorded carried no email: their triggers' email steps have no address.</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _withoutEmail = new(StringComparer.Ordinal);

    /// <summary>The stopwatch reading to pass back as <c>started</c> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static long Start() => Stopwatch.GetTimestamp();

    /// <summary>A trigger Novu answered (2xx): its status and transactionId.</summary>
    public void Triggered(ConsumeContext context, MappingEvent e, TriggerRequest trigger, TriggerResult answer, long started) =>
        Record(() => Step(context.ReceiveContext.TransportHeaders, e.MessageId, DeliverySteps.Attempt) with
        {
            Type = e.Type,
            UserId = e.UserId,
            AnonymousId = e.AnonymousId,
            Event = e.Name,
            Workflow = trigger.Name,
            Endpoint = "POST /v1/events/trigger",
            HttpStatus = 201,
            NovuStatus = answer.Status,
            TransactionId = answer.TransactionId ?? trigger.TransactionId,
            DurationMs = Elapsed(started),
            Body = Body(e.Document),
            Detail = AddressNote(trigger),
        });

    /// <summary>Every Novu call of the event went through.</summary>
    public void Delivered(ConsumeContext context, string messageId, string type, string? eventName, string? detail = null) =>
        Record(() => Step(context.ReceiveContext.TransportHeaders, messageId, DeliverySteps.Delivered) with { Type = type, Event = eventName, Detail = detail });

    /// <summary>An identify upserted in Novu (<c>POST /v2/subscribers</c>, or within a bulk upsert).</summary>
    public void Upserted(ConsumeContext context, IdentifyEvent identify, string subscriberId, long started)
    {
        RememberEmail(identify, subscriberId);
        Record(() => Step(context.ReceiveContext.TransportHeaders, identify.MessageId, DeliverySteps.Delivered) with
        {
            Type = "identify",
            UserId = identify.UserId,
            AnonymousId = identify.AnonymousId,
            Endpoint = "subscriber upsert",
            DurationMs = Elapsed(started),
            Detail = $"Novu subscriber {subscriberId} upserted",
            Body = options.Value.IncludeBodies && identify.Traits is { } traits ? traits : null,
        });
    }

    /// <summary>Nothing sent, on purpose, and why.</summary>
    public void Skipped(ConsumeContext context, string messageId, string type, string? eventName, string reason, string why) =>
        Record(() => Step(context.ReceiveContext.TransportHeaders, messageId, DeliverySteps.Skipped) with { Type = type, Event = eventName, Reason = reason, Detail = why });

    /// <summary>An attempt that threw: Novu's answer (or none), and its reason class as the failure layer names it (<paramref name="reason"/>).</summary>
    public void AttemptFailed(ConsumeContext context, Exception exception, string reason, long started) =>
        Record(() => Step(context.ReceiveContext.TransportHeaders, null, DeliverySteps.AttemptFailed) with
        {
            HttpStatus = exception is NovuException { StatusCode: { } status } ? (int)status : null,
            NovuMessage = (exception as NovuException)?.NovuMessage,
            Reason = reason,
            DurationMs = Elapsed(started),
            Detail = exception.Message,
        });

    /// <summary>Parked in a wait queue: back at <paramref name="until"/>.</summary>
    public void Parked(ConsumeContext context, TimeSpan delay, string waitQueue) =>
        Record(() => Step(context.ReceiveContext.TransportHeaders, null, DeliverySteps.Parked) with
        {
            Until = clock.GetUtcNow() + delay,
            Detail = $"waits in {waitQueue}, then returns to its partition queue",
        });

    /// <summary>Held behind its user's earlier event in delayed redelivery, at the back of the user's hold queue.</summary>
    public void Held(ReceiveContext context) =>
        Record(() => Step(context.TransportHeaders, null, DeliverySteps.Held) with
        {
            Detail = $"behind its user's earlier event in redelivery, in {SegmentQueues.HoldQueueOf(SegmentPartitions.UserHash(context.TransportHeaders.Get<string>(DeadLetterHeaders.UserKey) ?? ""))}",
        });

    /// <summary>Moved to <c>_error</c>, with the reason and Novu's last answer the dead letter's headers carry.</summary>
    public void DeadLettered(ExceptionReceiveContext context) =>
        Record(() => Step(context.TransportHeaders, null, DeliverySteps.DeadLettered) with
        {
            Reason = context.ExceptionHeaders.Get<string>(DeadLetterHeaders.Reason),
            HttpStatus = context.ExceptionHeaders.Get<int>(DeadLetterHeaders.HttpStatus),
            NovuMessage = context.ExceptionHeaders.Get<string>(DeadLetterHeaders.NovuMessage),
            Detail = $"{context.ExceptionHeaders.Get<int>(DeadLetterHeaders.Attempts)} attempt(s); in {SegmentQueues.ErrorQueueOf(context.InputAddress.AbsolutePath.Split('/').Last())}",
        });

    void RememberEmail(IdentifyEvent identify, string subscriberId)
    {
        try
        {
            if (!string.IsNullOrEmpty(SubscriberMapper.ToSubscriber(identify, subscriberId).Email))
                _withoutEmail.TryRemove(subscriberId, out _);
            else
            {
                if (_withoutEmail.Count >= MaxRemembered)
                    _withoutEmail.Clear();
                _withoutEmail[subscriberId] = 0;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
        }
    }

    /// <summary>
    /// "No email" when, as far as this worker can know, the subscriber has none: the trigger carries none inline and the
    /// identify this worker last sent for it had none. Novu answers such a trigger <c>processed</c> and sends no email.
    /// </summary>
    string? AddressNote(TriggerRequest trigger)
    {
        if (trigger.To["subscriberId"]?.ToString() is not { } subscriberId || trigger.To["email"] is not null)
            return null;
        return _withoutEmail.ContainsKey(subscriberId)
            ? $"the identify this worker last sent for {subscriberId} had no email: an email step of {trigger.Name} has no address"
            : null;
    }

    /// <summary>Builds and records a step; a step that cannot be built (an odd header) is lost, never the event.</summary>
    void Record(Func<DeliveryStep> step)
    {
        try
        {
            log.Record(step());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
        }
    }

    DeliveryStep Step(Headers headers, string? messageId, string step) =>
        new(clock.GetUtcNow(), messageId ?? headers.Get<string>(DeadLetterHeaders.SegmentMessageId) ?? "", step,
            Type: headers.Get<string>(DeadLetterHeaders.SegmentCall), UserKey: headers.Get<string>(DeadLetterHeaders.UserKey));

    JsonElement? Body(System.Text.Json.Nodes.JsonObject document) =>
        options.Value.IncludeBodies ? JsonSerializer.SerializeToElement(document) : null;

    static double Elapsed(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}
