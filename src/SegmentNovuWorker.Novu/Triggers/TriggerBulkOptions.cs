using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Novu.Triggers;

/// <summary>
/// <c>Novu:Triggers:Bulk</c>: when triggers of different users that are ready at once may go as one
/// <c>POST /v1/events/trigger/bulk</c>. Bound and validated at start; the worker does not send bulk triggers yet (issue 33,
/// the worker's part), so nothing reads these values today.
/// </summary>
public sealed class TriggerBulkOptions : IValidatableObject
{
    public const string Section = "Novu:Triggers:Bulk";

    /// <summary>Novu's limit on events in one bulk trigger (<c>@ArrayMaxSize(100)</c> on <c>BulkTriggerEventDto.events</c>).</summary>
    public const int NovuMaxEvents = 100;

    /// <summary>The longest a ready trigger may wait for others to join its bulk call.</summary>
    public static readonly TimeSpan MaxLinger = TimeSpan.FromSeconds(1);

    /// <summary><c>Novu:Triggers:Bulk:Enabled</c>: gather ready triggers into bulk calls (off until the worker sends them).</summary>
    public bool Enabled { get; set; }

    /// <summary><c>Novu:Triggers:Bulk:MaxSize</c>: at most this many events in one bulk call (2 to Novu's 100).</summary>
    public int MaxSize { get; set; } = NovuMaxEvents;

    /// <summary>
    /// <c>Novu:Triggers:Bulk:Linger</c>: how long a ready trigger may wait for others to fill its bulk call when the trigger
    /// bucket does not bind (0 to 1 s). A bulk costs 100 tokens whatever it carries, so a partial one is for round trips, not
    /// budget.
    /// </summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxSize is < 2 or > NovuMaxEvents)
            yield return new ValidationResult($"{Section}:MaxSize must be between 2 and {NovuMaxEvents}, Novu's limit (got {MaxSize}).", [nameof(MaxSize)]);
        if (Linger < TimeSpan.Zero || Linger > MaxLinger)
            yield return new ValidationResult($"{Section}:Linger must be between 00:00:00 and {MaxLinger:c} (got {Linger:c}).", [nameof(Linger)]);
    }
}
