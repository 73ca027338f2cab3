using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Worker.Subscribers;

/// <summary><c>Novu:Subscribers</c>: what the worker remembers of the subscribers it upserted (<see cref="SubscriberMemory"/>). Read once, at start.</summary>
public sealed class SubscriberMemoryOptions
{
    public const string Section = "Novu:Subscribers";

    /// <summary>
    /// <c>Novu:Subscribers:SkipUnchanged</c>: skip an identify's upsert when it would send Novu exactly the fields this worker
    /// last sent for that subscriber. Default true.
    /// </summary>
    public bool SkipUnchanged { get; set; } = true;

    /// <summary>
    /// <c>Novu:Subscribers:CacheSize</c>: the most subscribers remembered at once (about 300 bytes each); past it, the least
    /// recently used are forgotten and their next identify is sent. Default 100,000.
    /// </summary>
    [Range(1, 10_000_000, ErrorMessage = "Novu:Subscribers:CacheSize must be between {1} and {2} subscribers.")]
    public int CacheSize { get; set; } = 100_000;

    /// <summary>
    /// <c>Novu:Subscribers:CacheTimeToLive</c>: how long an upsert is remembered; after it the next identify is sent whatever
    /// it holds. It bounds how long an edit made elsewhere (Novu's dashboard, another worker) can hide behind the memory. Default 1 h.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Novu:Subscribers:CacheTimeToLive must be between {1} and {2}.")]
    public TimeSpan CacheTimeToLive { get; set; } = TimeSpan.FromHours(1);
}
