using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.NovuStandIn;

/// <summary>The <c>StandIn</c> configuration section.</summary>
public sealed class StandInOptions
{
    public const string Section = "StandIn";

    /// <summary>The only API key accepted (<c>Authorization: ApiKey …</c>).</summary>
    public string ApiKey { get; set; } = "sandbox-api-key";

    /// <summary>Novu's idempotency, switched per organization: on, a repeated <c>Idempotency-Key</c> replays the first answer.</summary>
    public bool Idempotency { get; set; } = true;

    /// <summary>The organization the API key belongs to; Novu keys its idempotency cache per organization, not per environment.</summary>
    public string OrganizationId { get; set; } = "standin-organization";

    /// <summary>Requests per second of every other category (Novu's free tier: 30).</summary>
    public double OtherRatePerSecond { get; set; } = 300;

    /// <summary>Trigger requests per second before 429 (Novu's free tier: 60).</summary>
    public double TriggerRatePerSecond { get; set; } = 600;

    /// <summary>Subscriber and topic requests per second before 429 (Novu's free tier: 20).</summary>
    public double SubscriberRatePerSecond { get; set; } = 200;

    /// <summary>The plan named in <c>RateLimit-Policy</c> (<c>serviceLevel="business"</c>: the default rates are Novu's business plan's).</summary>
    public string ServiceLevel { get; set; } = "business";

    /// <summary>When set, only these workflow identifiers exist (active); a trigger for another gets 422 like Novu.</summary>
    public string[]? Workflows { get; set; }

    /// <summary>
    /// <c>StandIn:WorkflowStatuses:&lt;workflowId&gt;</c>: workflows that exist with this status (<c>ACTIVE</c>, <c>INACTIVE</c>
    /// or <c>ERROR</c>); a trigger to one that is not active is answered 201 <c>trigger_not_active</c>, as on Novu.
    /// </summary>
    public Dictionary<string, string> WorkflowStatuses { get; set; } = [];

    /// <summary>How slow each route starts (<c>StandIn:Delays:Subscribers</c>, <c>:Triggers</c>, <c>:Topics</c>, as hh:mm:ss.fff).</summary>
    public RouteDelays Delays { get; set; } = new();
}
