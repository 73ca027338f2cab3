using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SegmentNovuWorker.Operations.AdminApi;

/// <summary>
/// Checks the admin key of a request (<c>X-Admin-Key: …</c> or <c>Authorization: Bearer …</c>) and remembers whose it
/// is. Failed attempts are logged (never the key) and counted per client address: past <c>Admin:MaxFailedAttempts</c>
/// the address gets 429 without its key being looked at.
/// </summary>
sealed class AdminApiKey : IEndpointFilter, IDisposable
{
    public const string HeaderName = "X-Admin-Key";
    const string OperatorItem = "segment-novu-admin-operator";

    // Hashing both sides first makes the comparison constant-time in the key's length too.
    readonly (string Operator, byte[] Hash)[] _keys;
    readonly PartitionedRateLimiter<string> _failures;
    readonly ILogger _logger;

    public AdminApiKey(AdminOptions options, ILogger logger)
    {
        _keys = [.. options.Keys.Select(k => (k.Key, SHA256.HashData(Encoding.UTF8.GetBytes(k.Value))))];
        _logger = logger;
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = options.MaxFailedAttempts, Window = options.FailedAttemptsWindow, QueueLimit = 0 }));
    }

    /// <summary>The operator whose key the request carried.</summary>
    public static string OperatorOf(HttpContext http) => http.Items[OperatorItem] as string ?? "unknown";

    public static string ClientOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var client = ClientOf(http);
        if (_failures.GetStatistics(client) is { CurrentAvailablePermits: <= 0 })
        {
            _logger.LogWarning("Refused an admin call to {Method} {Path} from {Client}: too many failed attempts", http.Request.Method, http.Request.Path, client);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed attempts",
                detail: "This address sent too many wrong admin keys; wait for Admin:FailedAttemptsWindow.");
        }

        var presented = Presented(http.Request);
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(presented ?? ""));
        string? matched = null;
        foreach (var (name, hash) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(given, hash) && presented is not null)
                matched = name;
        }
        if (matched is null)
        {
            using (_failures.AttemptAcquire(client))
            {
            }
            _logger.LogWarning("Refused an admin call to {Method} {Path} from {Client}: {Why}", http.Request.Method, http.Request.Path, client,
                presented is null ? "no key" : "wrong key");
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin key missing or wrong",
                detail: $"Send an Admin:ApiKey value in the {HeaderName} header or as 'Authorization: Bearer <key>'.");
        }
        http.Items[OperatorItem] = matched;
        return await next(context);
    }

    static string? Presented(HttpRequest request)
    {
        if (request.Headers[HeaderName] is [{ Length: > 0 } key])
            return key;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    public void Dispose() => _failures.Dispose();
}
