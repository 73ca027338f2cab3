namespace SegmentNovuWorker.Admin.Api;

/// <summary>
/// Requires an admin key on every admin API call (<c>X-Admin-Key: …</c> or <c>Authorization: Bearer …</c>) and
/// remembers whose it is (<see cref="AdminKeys"/> checks it).
/// </summary>
sealed class AdminApiKey(AdminKeys keys) : IEndpointFilter
{
    public const string HeaderName = "X-Admin-Key";
    const string OperatorItem = "segment-novu-admin-operator";

    /// <summary>The operator whose key the request carried.</summary>
    public static string OperatorOf(HttpContext http) => http.Items[OperatorItem] as string ?? "unknown";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var check = keys.Check(Presented(http.Request), http, $"an admin call to {http.Request.Method} {http.Request.Path}");
        if (check.Throttled)
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many failed attempts",
                detail: "This address sent too many wrong admin keys; wait for Admin:FailedAttemptsWindow.");
        if (!check.Accepted)
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Admin key missing or wrong",
                detail: $"Send an Admin:ApiKey value in the {HeaderName} header or as 'Authorization: Bearer <key>'.");
        http.Items[OperatorItem] = check.Operator;
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
