using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Messaging;

/// <summary>
/// The <c>RabbitMq:DeadLetterQueues</c> section: how many dead letters each partition's <c>_error</c> (and
/// <c>_skipped</c>) queue may hold. Nothing consumes them but an operator, and an event a sender controls can land there
/// (an anonymous identify under <c>Novu:MissingUserId=DeadLetter</c>), so without a bound a sender could fill the broker's
/// disk, whose alarm would then block every publish.
/// </summary>
/// <remarks>
/// At the bound the queue refuses (<c>x-overflow: reject-publish</c>), never drops: the worker's move of a dead letter
/// fails, the message stays in its partition queue and, past the partition's delivery limit, waits there to be
/// dead-lettered by the broker, at least once, as soon as the <c>_error</c> queue has room (docs/operations.md, "Dead
/// letters at their bound"). <c>SegmentNovuDeadLettersNearBound</c> fires at <see cref="AlertFraction"/> of it.
/// </remarks>
public sealed class DeadLetterQueueOptions
{
    public const string Section = "RabbitMq:DeadLetterQueues";

    /// <summary>The share of <see cref="MaxLength"/> at which the alert fires (deploy/observability/alerts.yml says the same).</summary>
    public const double AlertFraction = 0.8;

    /// <summary>
    /// <c>RabbitMq:DeadLetterQueues:MaxLength</c>: messages per queue (RabbitMQ's <c>x-max-length</c>). Events are at most
    /// 32 KB, so 16 partitions at the default hold at most about 6 GB of dead letters, typically a tenth of that.
    /// </summary>
    [Range(1, int.MaxValue)]
    public int MaxLength { get; set; } = 10_000;
}
