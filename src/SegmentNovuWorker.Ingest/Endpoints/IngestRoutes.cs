using SegmentNovuWorker.Ingest.RateLimiting;

namespace SegmentNovuWorker.Ingest.Endpoints;

public static class IngestRoutes
{
    /// <summary>A route group for one of the front doors: rate limited per source, with the problem answers both give.</summary>
    public static RouteGroupBuilder MapIngestGroup(this IEndpointRouteBuilder app, string prefix) =>
        app.MapGroup(prefix)
            .RequireRateLimiting(SourceRateLimiter.Policy)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
}
