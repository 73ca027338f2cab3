namespace SegmentNovuWorker.Worker.Consumption;

/// <summary>
/// Why a partition endpoint of this worker is not consuming. Each has one name, the one health and logs show. Novu being
/// down or refusing the account is none of them: deliveries then wait at the Novu gate (<c>Failures/NovuAvailability</c>)
/// and the endpoints keep their consumers.
/// </summary>
public enum ConsumptionReason
{
    /// <summary>Seen, not asked for: the endpoint should consume but has no consumer on the broker (connection lost, channel closed, stuck restart).</summary>
    BrokerConnectionLost,

    /// <summary>Stepping back from a partition so that another worker takes it (<c>Ordering/PartitionBalancer</c>); momentary.</summary>
    Rebalancing,

    /// <summary>The host is stopping.</summary>
    ShuttingDown,
}

public static class ConsumptionReasonNames
{
    /// <summary>The reason's name in <c>/health/ready</c>, logs and the console: <c>broker-connection-lost</c>, <c>novu-outage</c>, ….</summary>
    public static string Name(this ConsumptionReason reason) => reason switch
    {
        ConsumptionReason.BrokerConnectionLost => "broker-connection-lost",
        ConsumptionReason.Rebalancing => "rebalancing",
        ConsumptionReason.ShuttingDown => "shutting-down",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
