namespace SegmentNovuWorker.Novu.Pacing;

/// <summary>Novu's rate-limit categories: each has its own token bucket per environment, shared by every client.</summary>
public enum NovuRateCategory
{
    /// <summary>Everything under <c>/v1/events</c> (triggers, bulk triggers, broadcasts, cancellations).</summary>
    Trigger,

    /// <summary>Subscribers, topics and tenants.</summary>
    Configuration,

    /// <summary>Every other call.</summary>
    Global,
}

/// <summary>What one Novu call costs, and from which bucket.</summary>
public sealed record NovuCallCost(NovuRateCategory Category, int Tokens)
{
    /// <summary>The name Novu gives the category in <c>RateLimit-Policy</c> (<c>category="trigger"</c>).</summary>
    public string CategoryName => NovuRateCategories.NameOf(Category);

    /// <summary><c>single</c> or <c>bulk</c>, as in <c>RateLimit-Policy</c>.</summary>
    public string CostName => Tokens == NovuRateCategories.BulkCost ? "bulk" : "single";
}

/// <summary>
/// The one table of which Novu call draws on which bucket and at what cost, read by the client's pacer and by the
/// stand-in's limiter. It follows Novu's controllers (apps/api: <c>@ThrottlerCategory</c> on the events controller is
/// <c>trigger</c>, on subscribers, topics and tenants <c>configuration</c>, otherwise <c>global</c>;
/// <c>@ThrottlerCost(BULK)</c> on the bulk trigger, the broadcast and the bulk subscriber upsert).
/// </summary>
public static class NovuRateCategories
{
    /// <summary>Tokens a bulk call costs, whatever it carries (Novu's <c>DEFAULT_API_RATE_LIMIT_COST_CONFIG</c>).</summary>
    public const int BulkCost = 100;

    /// <summary>The seconds of refill a bucket holds, and the burst on top of them (Novu's algorithm config: 5 s, 10 %).</summary>
    public const int WindowSeconds = 5;

    public const double BurstAllowance = 0.1;

    public static readonly IReadOnlyList<NovuRateCategory> All = Enum.GetValues<NovuRateCategory>();

    static readonly string[] BulkPaths = ["/v1/events/trigger/bulk", "/v1/events/trigger/broadcast", "/v1/subscribers/bulk"];
    static readonly string[] ConfigurationPaths = ["/v1/subscribers", "/v2/subscribers", "/v1/topics", "/v2/topics", "/v1/tenants", "/v2/tenants"];

    /// <summary>The bucket and cost of a call to <paramref name="path"/> (absolute, without the query).</summary>
    public static NovuCallCost Of(string path)
    {
        var tokens = BulkPaths.Any(p => IsUnder(path, p)) ? BulkCost : 1;
        var category = IsUnder(path, "/v1/events") ? NovuRateCategory.Trigger
            : ConfigurationPaths.Any(p => IsUnder(path, p)) ? NovuRateCategory.Configuration
            : NovuRateCategory.Global;
        return new NovuCallCost(category, tokens);
    }

    public static string NameOf(NovuRateCategory category) => category switch
    {
        NovuRateCategory.Trigger => "trigger",
        NovuRateCategory.Configuration => "configuration",
        _ => "global",
    };

    /// <summary>The category Novu names in <c>RateLimit-Policy</c>, or null for a name it does not use.</summary>
    public static NovuRateCategory? FromName(string? name) => All.Cast<NovuRateCategory?>().FirstOrDefault(c => NameOf(c!.Value) == name);

    /// <summary>Tokens a bucket holds for <paramref name="perSecond"/>: the window plus the burst, floored like Novu.</summary>
    public static int BucketSize(double perSecond) => (int)Math.Floor(perSecond * WindowSeconds * (1 + BurstAllowance));

    static bool IsUnder(string path, string prefix) =>
        path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
        && (path.Length == prefix.Length || path[prefix.Length] == '/');
}
