using System.Globalization;

/// <summary>The configuration every benchmark mode starts from, so that each measures the service and not its guards.</summary>
static class BenchSettings
{
    /// <summary>
    /// Logs at warning, the ingest's rate limits and the stand-in's Novu buckets out of the way (100,000 a second), then
    /// <paramref name="overrides"/> on top, in order.
    /// </summary>
    public static Dictionary<string, string?> Unbounded(params (string Key, string? Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Ingest:RateLimit:PermitLimit"] = "100000",
            ["Ingest:RateLimit:UnauthenticatedPermitLimit"] = "100000",
            ["StandIn:TriggerRatePerSecond"] = "100000",
            ["StandIn:SubscriberRatePerSecond"] = "100000",
        };
        foreach (var (key, value) in overrides)
            settings[key] = value;
        return settings;
    }

    /// <summary>A rate as the stand-in's configuration reads it.</summary>
    public static string Rate(double perSecond) => perSecond.ToString(CultureInfo.InvariantCulture);
}
