using System.Text.Json;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>Novu's error body: <c>{statusCode, timestamp, path, message, errorId}</c>.</summary>
public static class NovuErrors
{
    public static async Task WriteAsync(HttpContext context, int status, string message, object? errors = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
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
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    public static IResult Result(HttpContext context, int status, string message, object? errors = null) =>
        Results.Json(new Dictionary<string, object?>
        {
            ["statusCode"] = status,
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
            ["path"] = context.Request.Path.Value,
            ["message"] = message,
            ["errors"] = errors,
        }, statusCode: status);
}
