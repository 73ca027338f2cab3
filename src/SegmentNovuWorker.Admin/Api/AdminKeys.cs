using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>What came of presenting a key: the operator it belongs to, or why it was refused.</summary>
/// <param name="KeyFingerprint">Names the key that matched, for as long as this process runs (never the key, never logged).</param>
public sealed record KeyCheck(string? Operator, bool Throttled, string? KeyFingerprint = null)
{
    public bool Accepted => Operator is not null;
}

/// <summary>
/// The admin keys, checked one way for the API (a header on every call) and the console (once, at sign-in). Failed
/// attempts are logged (never the key) and counted per client address: past <c>Admin:MaxFailedAttempts</c> the address
/// is refused without its key being looked at.
/// </summary>
public sealed class AdminKeys : IDisposable
{
    // Hashing both sides first makes the comparison constant-time in the key's length too.
    readonly (string Operator, byte[] Hash)[] _keys;
    readonly PartitionedRateLimiter<string> _failures;
    readonly ILogger<AdminKeys> _logger;

    public AdminKeys(IOptions<AdminOptions> options, ILogger<AdminKeys> logger)
    {
        var admin = options.Value;
        _keys = [.. admin.Keys.Select(k => (k.Key, SHA256.HashData(Encoding.UTF8.GetBytes(k.Value))))];
        _logger = logger;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = admin.MaxFailedAttempts, Window = admin.FailedAttemptsWindow, QueueLimit = 0 }));
    }

    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <param name="what">What the key was presented for, for the log (<c>POST /admin/dlq/purge</c>, <c>console sign-in</c>).</param>
    public KeyCheck Check(string? presented, HttpContext http, string what)
    {
        var client = ClientOf(http);
        if (_failures.GetStatistics(client) is { CurrentAvailablePermits: <= 0 })
        {
            _logger.LogWarning("Refused {What} from {Client}: too many failed attempts", what, client);
            return new KeyCheck(null, Throttled: true);
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? ""));
        string? matched = null;
        byte[]? matchedHash = null;
        foreach (var (name, hash) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(given, hash) && presented is { Length: > 0 })
                (matched, matchedHash) = (name, hash);
        }
        if (matched is null)
        {
            using (_failures.AttemptAcquire(client))
            {
            }
            _logger.LogWarning("Refused {What} from {Client}: {Why}", what, client, string.IsNullOrEmpty(presented) ? "no key" : "wrong key");
        }
        return new KeyCheck(matched, Throttled: false, matchedHash is null ? null : Fingerprint(matchedHash));
    }

    /// <summary>Whether the key of <paramref name="keyFingerprint"/> (<see cref="KeyCheck.KeyFingerprint"/>) is still one of the configured keys.</summary>
    public bool IsConfigured(string keyFingerprint)
    {
        var found = false;
        foreach (var (_, hash) in _keys)
            found |= Fingerprint(hash) == keyFingerprint;
        return found;
    }

    static string Fingerprint(byte[] keyHash) => Convert.ToHexStringLower(keyHash);

    public void Dispose() => _failures.Dispose();
}
