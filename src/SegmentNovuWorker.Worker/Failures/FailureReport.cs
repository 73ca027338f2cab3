using System.Globalization;
using MassTransit;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>
/// What went wrong with one message so far, over every attempt of this delivery and the deliveries before it
/// (carried in <c>SNW-*</c> headers across redeliveries). Kept as a payload of the receive context; written to
/// the headers of the redelivered message and of the dead letter.
/// </summary>
public sealed class FailureReport
{
    public int Attempts { get; private set; }
    public int Redeliveries { get; private init; }
    public DateTimeOffset? FirstFailureAt { get; private set; }
    public DateTimeOffset? LastFailureAt { get; private set; }
    public Exception? LastException { get; private set; }

    /// <summary>The idempotency-key generation of the next Novu call (<see cref="DeadLetterHeaders.IdempotencyLineage"/>).</summary>
    public string KeyLineage { get; private set; } = FirstLineage;

    /// <summary>The lineage of a message that no attempt has touched: a crashed worker's successor reuses its keys.</summary>
    public const string FirstLineage = "0";

    /// <summary>Starts from what earlier deliveries of this message recorded in its headers.</summary>
    public static FailureReport FromHeaders(Headers headers) => new()
    {
        Attempts = headers.Get<int>(DeadLetterHeaders.Attempts) ?? 0,
        Redeliveries = headers.Get<int>(MessageHeaders.RedeliveryCount) ?? 0,
        FirstFailureAt = Parse(headers.Get<string>(DeadLetterHeaders.FirstFailureAt)),
        LastFailureAt = Parse(headers.Get<string>(DeadLetterHeaders.LastFailureAt)),
        KeyLineage = headers.Get<string>(DeadLetterHeaders.IdempotencyLineage) is { Length: > 0 } lineage ? lineage : FirstLineage,
    };

    public void RecordAttempt() => Attempts++;

    public void RecordFailure(Exception exception, DateTimeOffset at)
    {
        FirstFailureAt ??= at;
        LastFailureAt = at;
        LastException = exception;
        // Novu keeps an answered attempt's answer (errors included) under its key for 24 h: the next attempt would get
        // it again. Only an attempt whose answer was lost may ask again under the same key.
        if (AnsweredByNovu(exception))
            KeyLineage = Guid.NewGuid().ToString("N");
    }

    static bool AnsweredByNovu(Exception exception) => exception switch
    {
        NovuException novu => novu.Answered,
        { InnerException: { } inner } => AnsweredByNovu(inner),
        _ => false,
    };

    /// <summary>Headers a redelivered message carries so the next delivery continues the count.</summary>
    public void WriteProgress(SendHeaders headers)
    {
        headers.Set(DeadLetterHeaders.Attempts, Attempts);
        headers.Set(DeadLetterHeaders.IdempotencyLineage, KeyLineage);
        if (FirstFailureAt is { } first)
            headers.Set(DeadLetterHeaders.FirstFailureAt, first.ToString("O", CultureInfo.InvariantCulture));
        if (LastFailureAt is { } last)
            headers.Set(DeadLetterHeaders.LastFailureAt, last.ToString("O", CultureInfo.InvariantCulture));
    }

    /// <summary>Everything an operator reads on a dead letter instead of a stack trace.</summary>
    public void WriteDeadLetter(SendHeaders headers, Exception exception, DateTimeOffset at)
    {
        if (!ReferenceEquals(LastException, exception))
            RecordFailure(exception, at);
        WriteProgress(headers);
        headers.Set(DeadLetterHeaders.Redeliveries, Redeliveries);
        headers.Set(DeadLetterHeaders.Reason, ReasonOf(exception));
        if (exception is NovuException { StatusCode: { } status })
            headers.Set(DeadLetterHeaders.HttpStatus, (int)status);
        if (exception is NovuException { NovuMessage: { } message })
            headers.Set(DeadLetterHeaders.NovuMessage, message);
    }

    /// <summary>The reason class of a failure that ends in <c>_error</c>.</summary>
    public static string ReasonOf(Exception exception) => exception switch
    {
        NovuRejectedException or NovuAccountException => FailureReasons.NovuRejected,
        NovuRetryableException => FailureReasons.NovuUnavailableExhausted,
        EventRejectedException rejected => rejected.Reason,
        System.Runtime.Serialization.SerializationException or System.Text.Json.JsonException => FailureReasons.InvalidMessage,
        _ when exception.InnerException is { } inner && ReasonOf(inner) != FailureReasons.Unexpected => ReasonOf(inner),
        _ => FailureReasons.Unexpected,
    };

    static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value) ? value : null;
}
