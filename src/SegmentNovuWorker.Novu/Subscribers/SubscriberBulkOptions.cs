using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Novu.Subscribers;

/// <summary><c>Novu:Subscribers:Bulk</c>: when subscriber upserts that wait for the configuration budget go as one bulk call.</summary>
public sealed class SubscriberBulkOptions : IValidatableObject
{
    public const string Section = "Novu:Subscribers:Bulk";

    /// <summary>Novu's limit on subscribers in one <c>POST /v1/subscribers/bulk</c>.</summary>
    public const int NovuMaxBatch = 500;

    /// <summary>
    /// A bulk call costs 100 configuration tokens, a single upsert 1: a bulk of 100 spends what 100 singles spend, and only
    /// from 101 subscribers on does it save budget (at 500, five subscribers a token).
    /// </summary>
    public const int BreakEven = 101;

    /// <summary><c>Novu:Subscribers:Bulk:Enabled</c>: gather waiting upserts into bulk calls (on); off, every upsert is a call of its own.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary><c>Novu:Subscribers:Bulk:MinBatch</c>: at least this many upserts of different subscribers must be waiting (101, the break-even).</summary>
    public int MinBatch { get; set; } = BreakEven;

    /// <summary><c>Novu:Subscribers:Bulk:MaxBatch</c>: at most this many subscribers in one bulk call (Novu's 500).</summary>
    public int MaxBatch { get; set; } = NovuMaxBatch;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxBatch is < 2 or > NovuMaxBatch)
            yield return new ValidationResult($"{Section}:MaxBatch must be between 2 and {NovuMaxBatch}, Novu's limit (got {MaxBatch}).", [nameof(MaxBatch)]);
        if (MinBatch < 2 || MinBatch > MaxBatch)
            yield return new ValidationResult(
                $"{Section}:MinBatch must be between 2 and {Section}:MaxBatch (got {MinBatch}); below {BreakEven} a bulk call spends more of the budget than the single upserts it replaces.",
                [nameof(MinBatch)]);
    }
}
