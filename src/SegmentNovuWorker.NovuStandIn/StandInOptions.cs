using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.NovuStandIn;

/// <summary>The <c>StandIn</c> configuration section.</summary>
public sealed class StandInOptions
{
    public const string Section = "StandIn";

    /// <summary>The only API key accepted (<c>Authorization: ApiKey …</c>).</summary>
    public string ApiKey { get; set; } = "sandbox-api-key";

    /// <summary>Trigger requests per second before 429 (Novu's free tier: 60).</summary>
    public double TriggerRatePerSecond { get; set; } = 600;

    /// <summary>Subscriber and topic requests per second before 429 (Novu's free tier: 20).</summary>
    public double SubscriberRatePerSecond { get; set; } = 200;

    /// <summary>When set, only these workflow identifiers exist; a trigger for another gets 422 like Novu.</summary>
    public string[]? Workflows { get; set; }

    /// <summary>How slow each route starts (<c>StandIn:Delays:Subscribers</c>, <c>:Triggers</c>, <c>:Topics</c>, as hh:mm:ss.fff).</summary>
    public RouteDelays Delays { get; set; } = new();
}
