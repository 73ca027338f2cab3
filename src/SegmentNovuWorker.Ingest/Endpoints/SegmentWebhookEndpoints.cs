using Microsoft.Extensions.Options;
using SegmentNovuWorker.Ingest.Parsing;
using SegmentNovuWorker.Ingest.Publishing;

namespace SegmentNovuWorker.Ingest.Endpoints;

/// <summary><c>POST /webhooks/segment</c>: Segment's Webhooks destination (classic, and Actions with batching).</summary>
public static class SegmentWebhookEndpoints
{
    /// <summary>Segment's own limit for one request (<c>/v1/batch</c>); a webhook batch is held to it too.</summary>
    public const int MaxRequestBytes = 500 * 1024;

    public static void MapSegmentWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/segment", HandleAsync)
            .WithName("SegmentWebhook")
            .Accepts<object>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    static async Task<IResult> HandleAsync(HttpContext http, SegmentEventPublisher publisher, IOptions<IngestOptions> options)
    {
        var body = await RequestBody.ReadAsync(http.Request, MaxRequestBytes, http.RequestAborted);
        if (body is null)
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large",
                detail: $"A request may carry at most {MaxRequestBytes} bytes.");

        var parsed = SegmentEventParser.Parse(body.Value);
        if (!parsed.IsValid)
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Segment event",
                detail: string.Join(" ", parsed.Errors.Select(e => e.Index is { } i ? $"Event {i}: {e.Detail}" : e.Detail)),
                extensions: new Dictionary<string, object?> { ["errors"] = parsed.Errors });

        try
        {
            await publisher.PublishAsync(parsed.Events, http.RequestAborted);
        }
        catch (BrokerUnavailableException ex)
        {
            http.Response.Headers.RetryAfter = options.Value.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Events not accepted", detail: ex.Message);
        }

        return Results.Ok(new { success = true, accepted = parsed.Events.Count });
    }
}
