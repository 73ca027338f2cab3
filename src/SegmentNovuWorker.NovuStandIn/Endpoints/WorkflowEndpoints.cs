using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary>
/// <c>GET /v2/workflows</c> as Novu answers it: <c>{data: {workflows, totalCount}}</c>, paged by <c>limit</c> (1–100,
/// else 422) and <c>offset</c>, filtered by <c>query</c> (in the name or identifier).
/// </summary>
public static class WorkflowEndpoints
{
    public const int MaxLimit = 100;

    public static void MapWorkflowEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v2/workflows", (HttpContext http, StandInWorkflows workflows, string? limit, string? offset, string? query) =>
        {
            var take = 10;
            var skip = 0;
            if (limit is not null && (!int.TryParse(limit, out take) || take is < 1 or > MaxLimit))
                return NovuErrors.Result(http, 422, "Validation Error", new { limit = new { messages = new[] { $"limit must not be less than 1 and not be greater than {MaxLimit}" }, value = limit } });
            if (offset is not null && (!int.TryParse(offset, out skip) || skip < 0))
                return NovuErrors.Result(http, 422, "Validation Error", new { offset = new { messages = new[] { "offset must not be less than 0" }, value = offset } });
            var matching = workflows.All
                .Where(w => string.IsNullOrEmpty(query) || w.WorkflowId.Contains(query, StringComparison.OrdinalIgnoreCase))
                .ToList();
            var page = matching.Skip(skip).Take(take).Select(w => new
            {
                id = "wf_" + w.WorkflowId,
                workflowId = w.WorkflowId,
                slug = w.WorkflowId,
                name = w.WorkflowId,
                status = w.Status,
                origin = "novu-cloud",
                tags = Array.Empty<string>(),
                createdAt = w.CreatedAt,
                updatedAt = w.CreatedAt,
                stepTypeOverviews = new[] { "email" },
            });
            return Results.Json(new { data = new { workflows = page, totalCount = matching.Count } });
        });
    }
}
