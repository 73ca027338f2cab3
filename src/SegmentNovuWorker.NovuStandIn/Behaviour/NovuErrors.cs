namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>Novu's error body: <c>{statusCode, timestamp, path, message, errorId}</c>, plus <c>errors</c> on validation failures.</summary>
public static class NovuErrors
{
    /// <summary>Writes the error from middleware, where there is no endpoint result to return.</summary>
    public static Task WriteAsync(HttpContext context, int status, string message, object? errors = null) =>
        Result(context, status, message, errors).ExecuteAsync(context);

    public static IResult Result(HttpContext context, int status, string message, object? errors = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["statusCode"] = status,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["path"] = context.Request.Path.Value,
            ["message"] = message,
            ["errorId"] = Guid.NewGuid().ToString("N")[..12],
        };
        if (errors is not null)
            body["errors"] = errors;
        return Results.Json(body, statusCode: status);
    }
}
