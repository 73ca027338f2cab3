using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>
/// The <c>Admin</c> configuration section: who may use the admin process (its keys), where it listens, where its jobs
/// are kept and which workers it asks about consumption.
/// </summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>Keys shorter than this are refused at start: the admin API can replay and purge every dead letter.</summary>
    public const int MinimumKeyLength = 32;

    /// <summary><c>Admin:ApiKey</c>: one key, logged as operator <c>admin</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// <c>Admin:ApiKeys:&lt;operator&gt;</c>: a key per operator (or per automation), so the log says who did what and one
    /// key can be revoked, or rotated by adding the new one before removing the old one.
    /// </summary>
    public Dictionary<string, string> ApiKeys { get; set; } = [];

    /// <summary>
    /// <c>Admin:Urls</c>: where the admin process listens (<c>;</c>-separated) unless <c>--urls</c>/<c>ASPNETCORE_URLS</c>
    /// says otherwise. Loopback by default: reach it through an SSH tunnel or a private network.
    /// </summary>
    public string Urls { get; set; } = "http://127.0.0.1:8090";

    /// <summary><c>Admin:MaxFailedAttempts</c>: wrong or missing keys a client address may send per <see cref="FailedAttemptsWindow"/> before it gets only 429s.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary><c>Admin:FailedAttemptsWindow</c>.</summary>
    public TimeSpan FailedAttemptsWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// <c>Admin:JobsPath</c>: the folder where bulk jobs keep their state and per-message results, so a job survives a
    /// restart of this process. Relative paths are under the content root; give it a persistent volume in production.
    /// </summary>
    public string JobsPath { get; set; } = "jobs";

    /// <summary>
    /// <c>Admin:DeliveryLogIndexPath</c>: the SQLite file indexing the delivery log for search; by default
    /// <c>delivery-log/index.db</c> in <see cref="JobsPath"/>, on the same volume. Relative paths are under the content
    /// root. Lost, it is rebuilt from the stream (a few minutes for a million events).
    /// </summary>
    public string? DeliveryLogIndexPath { get; set; }

    /// <summary>Where the index is: <see cref="DeliveryLogIndexPath"/>, else in <see cref="JobsPath"/>.</summary>
    public string DeliveryLogIndexFile => string.IsNullOrWhiteSpace(DeliveryLogIndexPath) ? Path.Combine(JobsPath, "delivery-log", "index.db") : DeliveryLogIndexPath;

    /// <summary><c>Admin:SessionLifetime</c>: how long a console sign-in lasts without use.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary><c>Admin:SessionAbsoluteLifetime</c>: how long a console sign-in lasts however much it is used; then sign in again.</summary>
    public TimeSpan SessionAbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// <c>Admin:WorkerUrls:0</c>, …: each worker's base address (its <c>/health/ready</c> says whether, and why not, it
    /// consumes). None: the console shows the broker's view (consumers per queue).
    /// </summary>
    public List<string> WorkerUrls { get; set; } = [];

    /// <summary><c>Admin:IngestUrls:0</c>, …: each ingest replica's base address, whose <c>/health/ready</c> the setup check asks.</summary>
    public List<string> IngestUrls { get; set; } = [];

    /// <summary>Every configured key by the operator it stands for.</summary>
    public IReadOnlyDictionary<string, string> Keys =>
        ApiKey is { Length: > 0 } key ? new Dictionary<string, string>(ApiKeys) { ["admin"] = key } : ApiKeys;
}

sealed class AdminOptionsValidation : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = new List<string>();
        if (options.Keys.Count == 0)
            failures.Add("Admin:ApiKey (or Admin:ApiKeys:<operator>) must be set: the admin process can replay and purge every dead letter (e.g. openssl rand -hex 32).");
        if (options.ApiKey is { Length: > 0 and < AdminOptions.MinimumKeyLength })
            failures.Add($"Admin:ApiKey must be at least {AdminOptions.MinimumKeyLength} characters (e.g. openssl rand -hex 32).");
        foreach (var (operatorName, key) in options.ApiKeys)
        {
            if (key.Length < AdminOptions.MinimumKeyLength)
                failures.Add($"Admin:ApiKeys:{operatorName} must be at least {AdminOptions.MinimumKeyLength} characters (e.g. openssl rand -hex 32).");
        }
        if (string.IsNullOrWhiteSpace(options.Urls))
            failures.Add("Admin:Urls must name where the admin process listens, e.g. http://127.0.0.1:8090.");
        if (options.MaxFailedAttempts < 1)
            failures.Add("Admin:MaxFailedAttempts must be at least 1.");
        if (options.FailedAttemptsWindow <= TimeSpan.Zero)
            failures.Add("Admin:FailedAttemptsWindow must be positive.");
        if (string.IsNullOrWhiteSpace(options.JobsPath))
            failures.Add("Admin:JobsPath must name a folder for the bulk jobs' state.");
        if (options.SessionLifetime <= TimeSpan.Zero)
            failures.Add("Admin:SessionLifetime must be positive.");
        if (options.SessionAbsoluteLifetime <= TimeSpan.Zero)
            failures.Add("Admin:SessionAbsoluteLifetime must be positive.");
        for (var i = 0; i < options.WorkerUrls.Count; i++)
        {
            if (!Uri.TryCreate(options.WorkerUrls[i], UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                failures.Add($"Admin:WorkerUrls:{i} must be a worker's http(s):// base address, e.g. http://127.0.0.1:8081.");
        }
        for (var i = 0; i < options.IngestUrls.Count; i++)
        {
            if (!Uri.TryCreate(options.IngestUrls[i], UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                failures.Add($"Admin:IngestUrls:{i} must be an ingest replica's http(s):// base address, e.g. http://127.0.0.1:8080.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
