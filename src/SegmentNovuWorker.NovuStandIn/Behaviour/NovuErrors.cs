namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>Novu's error body: <c>{statusCode, timestamp, path, message, errorId}</c>, plus <c>errors</c> on validation failures.</summary>
public static class NovuErrors
{
    /// <summary>Writes the error from middleware, where there is no endpoint result to return.</summary>
    public static Task WriteAsync(HttpContext context, int status, string message, object? errors = null) =>
        Result(context, status, message, errors).ExecuteAsync(context);

    public static IResult Result(HttpContext context, int status, string message, object? errors = null)
    {
        var body = Body(context, status, message);
        if (errors is not null)
            body["errors"] = errors;
        return Results.Json(body, statusCode: status);
    }

    /// <summary>
    /// Nest's <c>ValidationPipe</c> refusing a request body: 400, <c>message</c> the list of failed constraints, <c>error</c>
    /// "Bad Request" (Novu's exception filter spreads the exception's response into its body).
    /// </summary>
    public static IResult BadRequest(HttpContext context, params string[] messages)
    {
        var body = Body(context, 400, messages);
        body["error"] = "Bad Request";
        return Results.Json(body, statusCode: 400);
    }

    static Dictionary<string, object?> Body(HttpContext context, int status, object message) => new()
    {
        ["statusCode"] = status,
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
        ["path"] = context.Request.Path.Value,
        ["message"] = message,
        ["errorId"] = Guid.NewGuid().ToString("N")[..12],
    };
}
