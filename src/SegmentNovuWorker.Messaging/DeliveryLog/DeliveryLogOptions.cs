using System.ComponentModel.DataAnnotations;

namespace SegmentNovuWorker.Messaging.DeliveryLog;

/// <summary>The <c>DeliveryLog</c> section: the stream every worker records each step of each event in.</summary>
public sealed class DeliveryLogOptions
{
    public const string Section = "DeliveryLog";

    /// <summary><c>DeliveryLog:Enabled</c>: record steps at all.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// <c>DeliveryLog:Retention</c>: how long steps are kept (the stream's <c>x-max-age</c>, whole segments at a time). Read
    /// when the stream is created; an existing stream keeps its own (change it with a policy, docs/operations.md).
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary><c>DeliveryLog:MaxBytes</c>: the stream's size bound (<c>x-max-length-bytes</c>); the oldest segments go first.</summary>
    [Range(1_000_000, long.MaxValue)]
    public long MaxBytes { get; set; } = 2_000_000_000;

    /// <summary><c>DeliveryLog:IncludeBodies</c>: keep the event's traits or properties with its steps (personal data); off by default.</summary>
    public bool IncludeBodies { get; set; }

    /// <summary>
    /// <c>DeliveryLog:BufferSize</c>: steps waiting to be published. When the broker is slower than the events, or away,
    /// further steps are dropped (and counted), never waited for: the log must not slow or fail an event.
    /// </summary>
    [Range(100, 1_000_000)]
    public int BufferSize { get; set; } = 50_000;

    /// <summary>The stream's arguments when this process creates it.</summary>
    public Dictionary<string, object?> StreamArguments() => new()
    {
        ["x-queue-type"] = "stream",
        ["x-max-age"] = $"{Math.Max(1, (long)Retention.TotalSeconds)}s",
        ["x-max-length-bytes"] = MaxBytes,
        // Retention drops whole segments: small ones follow the bounds closely (RabbitMQ's default is 500 MB).
        ["x-stream-max-segment-size-bytes"] = Math.Clamp(MaxBytes / 20, 1_000_000, 500_000_000),
    };
}
