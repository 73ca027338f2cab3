using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>
/// This worker's pace for each Novu category (one per process: every Novu call of the worker goes through it).
/// See <see cref="CategoryPacer"/> for how a call waits, and <c>docs/pacing.md</c> for why workers share Novu's buckets
/// through its headers rather than through the broker.
/// </summary>
public sealed class NovuPacer : IDisposable
{
    readonly Dictionary<NovuRateCategory, CategoryPacer> _pacers;

    public NovuPacer(IOptions<NovuRateLimitOptions> options, TimeProvider clock)
    {
        var limits = options.Value;
        _pacers = NovuRateCategories.All.ToDictionary(c => c, c => new CategoryPacer(c, limits.CeilingOf(c), limits.MaxInFlight, clock));
    }

    public CategoryPacer For(NovuRateCategory category) => _pacers[category];

    /// <summary>Every category's pace now, in <see cref="NovuRateCategories.All"/> order.</summary>
    public IReadOnlyList<NovuPaceSnapshot> Snapshot() => [.. NovuRateCategories.All.Select(c => _pacers[c].Snapshot())];

    public void Dispose()
    {
        foreach (var pacer in _pacers.Values)
            pacer.Dispose();
    }
}
