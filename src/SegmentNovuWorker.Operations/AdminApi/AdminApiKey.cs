using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SegmentNovuWorker.Operations.AdminApi;

/// <summary>Checks the admin key of a request: <c>X-Admin-Key: …</c> or <c>Authorization: Bearer …</c>.</summary>
sealed class AdminApiKey(string expected) : IEndpointFilter
{
    public const string HeaderName = "X-Admin-Key";

    // Hashing both sides first makes the comparison constant-time in the key's length too.
    readonly byte[] _expectedHash = SHA256.HashData(Encoding.UTF8.GetBytes(expected));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = Presented(context.HttpContext.Request);
        if (presented is null || !CryptographicOperations.FixedTimeEquals(_expectedHash, SHA256.HashData(Encoding.UTF8.GetBytes(presented))))
        {
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin key missing or wrong",
                detail: $"Send the Admin:ApiKey value in the {HeaderName} header or as 'Authorization: Bearer <key>'.");
        }
        return await next(context);
    }

    static string? Presented(HttpRequest request)
    {
        if (request.Headers[HeaderName] is [{ Length: > 0 } key])
            return key;
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }
}
