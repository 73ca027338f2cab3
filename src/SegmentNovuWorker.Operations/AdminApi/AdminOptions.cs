using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Operations.AdminApi;

/// <summary>
/// The <c>Admin</c> configuration section: the admin API exists only when a key is set, and listens only on
/// <see cref="Urls"/>, apart from the public ingest listener.
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

    /// <summary><c>Admin:Urls</c>: where the admin API listens (<c>;</c>-separated). Loopback by default: reach it through an SSH tunnel or a private network.</summary>
    public string Urls { get; set; } = "http://127.0.0.1:8090";

    /// <summary><c>Admin:MaxFailedAttempts</c>: wrong or missing keys a client address may send per <see cref="FailedAttemptsWindow"/> before it gets only 429s.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary><c>Admin:FailedAttemptsWindow</c>.</summary>
    public TimeSpan FailedAttemptsWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every configured key by the operator it stands for.</summary>
    public IReadOnlyDictionary<string, string> Keys =>
        ApiKey is { Length: > 0 } key ? new Dictionary<string, string>(ApiKeys) { ["admin"] = key } : ApiKeys;

    public bool Enabled => Keys.Count > 0;
}

sealed class AdminOptionsValidation : IValidateOptions<AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, AdminOptions options)
    {
        var failures = new List<string>();
        if (options.ApiKey is { Length: > 0 and < AdminOptions.MinimumKeyLength })
            failures.Add($"Admin:ApiKey must be at least {AdminOptions.MinimumKeyLength} characters (e.g. openssl rand -hex 32).");
        foreach (var (operatorName, key) in options.ApiKeys)
        {
            if (key.Length < AdminOptions.MinimumKeyLength)
                failures.Add($"Admin:ApiKeys:{operatorName} must be at least {AdminOptions.MinimumKeyLength} characters (e.g. openssl rand -hex 32).");
        }
        if (options.Enabled && string.IsNullOrWhiteSpace(options.Urls))
            failures.Add("Admin:Urls must name where the admin API listens, e.g. http://127.0.0.1:8090.");
        if (options.MaxFailedAttempts < 1)
            failures.Add("Admin:MaxFailedAttempts must be at least 1.");
        if (options.FailedAttemptsWindow <= TimeSpan.Zero)
            failures.Add("Admin:FailedAttemptsWindow must be positive.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
