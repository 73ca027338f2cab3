namespace SegmentNovuWorker.IntegrationTests;

/// <summary>
/// Specs that run with no other spec beside them: those whose premise is the broker's own pace (a wait cut to a tenth of
/// what 1,000 confirms take), which the suite's heaviest specs (a backlog cycling through wait queues and holds) would
/// otherwise slow by an order of magnitude on this 2-core machine, so that the spec measured the load, not the service.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "alone";
}
