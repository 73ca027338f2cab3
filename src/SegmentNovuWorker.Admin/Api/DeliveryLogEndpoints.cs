using SegmentNovuWorker.Admin.DeliveryLog;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.DeliveryLog;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>
/// <c>GET /admin/events?user=&amp;messageId=&amp;event=&amp;workflow=&amp;outcome=&amp;since=&amp;until=&amp;limit=</c>: the delivery log's
/// steps, newest first, from the admin process's index; the JSON of <c>segment-novu events --json</c>.
/// </summary>
public static class DeliveryLogEndpoints
{
    public static RouteHandlerBuilder MapDeliveryLog(this IEndpointRouteBuilder admin) =>
        admin.MapGet("/events", (DeliveryLogIndex index, string? user, string? messageId, string? @event, string? workflow, string? outcome,
            DateTimeOffset? since, DateTimeOffset? until, int? limit) =>
            Results.Json(index.Search(new DeliveryLogFilter(Blank(user), Blank(messageId), Blank(@event), Blank(workflow), Blank(outcome), since, until,
                limit ?? 100)), OperationsJson.Options));

    static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
