namespace SegmentNovuWorker.Ingest.Endpoints;

public static class IngestRoutes
{
    /// <summary>
    /// A route group for one of the front doors, with the problem answers both give. Each handler authenticates first
    /// and then spends the rate limit of whoever it found (<see cref="RateLimiting.SourceRateLimiter"/>).
    /// </summary>
    public static RouteGroupBuilder MapIngestGroup(this IEndpointRouteBuilder app, string prefix) =>
        app.MapGroup(prefix)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
