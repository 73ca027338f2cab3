using System.Text.Json.Serialization;

namespace SegmentNovuWorker.Operations.Doctor;

/// <summary>How one setup check came out; only <see cref="Failed"/> makes <c>segment-novu doctor</c> exit non-zero.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckOutcome>))]
public enum CheckOutcome
{
    Ok,

    /// <summary>Works, but not as production should run (an open front door, a door without keys).</summary>
    Warning,

    Failed,

    /// <summary>Could not be checked: what it depends on failed, or nothing says where to look.</summary>
    Skipped,
}

/// <summary>One check: what was found and, unless it is ok, how to fix it.</summary>
public sealed record DoctorCheck(string Name, CheckOutcome Outcome, string Detail, string? Fix = null);

/// <summary>Every check of one <c>doctor</c> run, in the order they ran.</summary>
public sealed record DoctorReport(IReadOnlyList<DoctorCheck> Checks)
{
    public bool Passed => Checks.All(c => c.Outcome != CheckOutcome.Failed);
}

/// <summary>Where the running services answer their health checks; empty lists skip those checks.</summary>
public sealed record DoctorTargets(IReadOnlyList<string> IngestUrls, IReadOnlyList<string> WorkerUrls)
{
    /// <summary><c>Admin:WorkerUrls</c>, as the admin process reads it.</summary>
    public const string WorkerUrlsKey = "Admin:WorkerUrls";

    /// <summary><c>Admin:IngestUrls</c>: each ingest replica's base address, for its <c>/health/ready</c>.</summary>
    public const string IngestUrlsKey = "Admin:IngestUrls";
}
