using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Admin.Api;

namespace SegmentNovuWorker.Admin.Sessions;

/// <summary>
/// The console's sessions, held by this process: the cookie carries only a session id (and the operator's name for
/// display), and a session lasts while its id is known here, the key that opened it is still configured, and it is younger
/// than <c>Admin:SessionAbsoluteLifetime</c>. So a key removed or rotated ends its sessions at their next request, a
/// sign-out ends the session for every copy of its cookie, and a restart of the process ends every session.
/// </summary>
public sealed class ConsoleSessions(AdminKeys keys, IOptions<AdminOptions> options, TimeProvider clock)
{
    /// <summary>The claim that names the session in the cookie.</summary>
    public const string SessionClaim = "snw-session";

    readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>Opens a session for an operator signed in with the key of <paramref name="keyFingerprint"/>; its cookie's principal.</summary>
    public ClaimsPrincipal Open(string operatorName, string keyFingerprint)
    {
        Sweep();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _sessions[id] = new Session(operatorName, keyFingerprint, clock.GetUtcNow());
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, operatorName), new Claim(SessionClaim, id)],
            Extensions.ConsoleServiceExtensions.SessionScheme));
    }

    /// <summary>Why the session of <paramref name="principal"/> is over, or null while it lasts.</summary>
    public string? Ended(ClaimsPrincipal principal)
    {
        if (principal.FindFirstValue(SessionClaim) is not { } id || !_sessions.TryGetValue(id, out var session))
            return "unknown session (signed out, or opened before this process started)";
        if (!keys.IsConfigured(session.KeyFingerprint))
        {
            _sessions.TryRemove(id, out _);
            return "its key is no longer configured";
        }
        if (clock.GetUtcNow() - session.Started >= options.Value.SessionAbsoluteLifetime)
        {
            _sessions.TryRemove(id, out _);
            return "older than Admin:SessionAbsoluteLifetime";
        }
        return null;
    }

    /// <summary>Ends the session of <paramref name="principal"/>: a copy of its cookie opens nothing afterwards.</summary>
    public void Close(ClaimsPrincipal principal)
    {
        if (principal.FindFirstValue(SessionClaim) is { } id)
            _sessions.TryRemove(id, out _);
    }

    /// <summary>Forgets sessions past their absolute lifetime; a sliding expiry also ends sessions the browser just stops sending.</summary>
    void Sweep()
    {
        var oldest = clock.GetUtcNow() - options.Value.SessionAbsoluteLifetime;
        foreach (var (id, session) in _sessions)
        {
            if (session.Started <= oldest)
                _sessions.TryRemove(id, out _);
        }
    }

    sealed record Session(string Operator, string KeyFingerprint, DateTimeOffset Started);
}
