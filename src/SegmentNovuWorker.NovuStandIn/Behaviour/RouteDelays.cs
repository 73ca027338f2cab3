namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// How long the stand-in waits before handling each kind of Novu call, to play a slow Novu; zero is no wait.
/// Set in configuration (<c>StandIn:Delays:Subscribers=00:00:00.150</c>), over <c>POST /_standin/delays</c>, or with
/// <see cref="StandInState.SetDelays"/>. This is the one table of which route waits for which delay.
/// </summary>
public sealed record RouteDelays
{
    public static readonly RouteDelays None = new();

    /// <summary>Subscriber upserts: <c>POST /v2/subscribers</c> and <c>PATCH /v2/subscribers/{subscriberId}</c>.</summary>
    public TimeSpan Subscribers { get; init; }

    /// <summary><c>POST /v1/events/trigger</c> and <c>POST /v1/events/trigger/bulk</c>.</summary>
    public TimeSpan Triggers { get; init; }

    /// <summary>Every call under <c>/v2/topics</c>: topic upserts, subscriptions added or removed.</summary>
    public TimeSpan Topics { get; init; }

    /// <summary>The delay for this request, zero when its route is not slowed.</summary>
    public TimeSpan For(string method, PathString path)
    {
        if (path.StartsWithSegments("/v1/events/trigger") && HttpMethods.IsPost(method))
            return Triggers;
        if (path.StartsWithSegments("/v2/topics"))
            return Topics;
        if (path.StartsWithSegments("/v2/subscribers", out var rest)
            && (HttpMethods.IsPost(method) && !rest.HasValue || HttpMethods.IsPatch(method) && rest.HasValue))
            return Subscribers;
        return TimeSpan.Zero;
    }

    /// <summary>The name of the first negative delay (Task.Delay cannot wait less than nothing), or null.</summary>
    public string? FirstNegative() =>
        Subscribers < TimeSpan.Zero ? nameof(Subscribers)
        : Triggers < TimeSpan.Zero ? nameof(Triggers)
        : Topics < TimeSpan.Zero ? nameof(Topics)
        : null;
}
