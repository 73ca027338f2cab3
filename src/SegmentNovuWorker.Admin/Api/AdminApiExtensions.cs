using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Jobs;
using SegmentNovuWorker.Operations.Queues;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>
/// The operator's commands over HTTP under <c>/admin</c>, answering the same JSON as <c>segment-novu --json</c>; every
/// call must present a key.
/// </summary>
public static class AdminApiExtensions
{
    /// <summary>Every admin route. Further admin endpoints are mapped here, on <c>admin</c>, so they get the key check.</summary>
    public static WebApplication MapAdminApi(this WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SegmentNovuWorker.Admin.Api");
        var admin = app.MapGroup("/admin").AddEndpointFilter(new AdminApiKey(app.Services.GetRequiredService<AdminKeys>()));

        admin.MapGet("/queues", (QueueLister queues, BrokerSettings broker, CancellationToken ct) =>
            Run(async () =>
            {
                broker.EnsureManagementIsSafe();
                return await queues.ListAsync(ct);
            }));

        admin.MapGet("/dlq", (DeadLetterOperations dlq, [AsParameters] FilterQuery query, int? page, int? pageSize, CancellationToken ct) =>
            Run(async () => await dlq.ListAsync(query.ToFilter(), page ?? 1, pageSize ?? 50, ct)));

        admin.MapGet("/dlq/summary", (DeadLetterOperations dlq, [AsParameters] FilterQuery query, CancellationToken ct) =>
            Run(async () => await dlq.SummarizeAsync(query.ToFilter(), ct)));

        admin.MapGet("/dlq/messages/{messageId}", (DeadLetterOperations dlq, string messageId, CancellationToken ct) =>
            Run(async () => await dlq.ShowAsync(messageId, ct)));

        // Streamed as it is read: a failure to start (broker, queue) is still a problem answer; one midway cuts the stream.
        admin.MapGet("/dlq/export", (DeadLetterOperations dlq, [AsParameters] FilterQuery query, CancellationToken ct) =>
            Run(() => dlq.StartExportAsync(query.ToFilter(), ct), export => Results.Stream(async body =>
            {
                await using (export)
                await using (var writer = new StreamWriter(body, new System.Text.UTF8Encoding(false), bufferSize: -1, leaveOpen: true))
                    await export.WriteToAsync(writer, ct);
            }, "application/x-ndjson")));

        admin.MapPost("/dlq/replay", (HttpContext http, DeadLetterOperations dlq, [AsParameters] FilterQuery query, bool? all, bool? dryRun, double? rate, CancellationToken ct) =>
            Run(async () =>
            {
                query.ToFilter().RequireScope(all == true, "replay");
                var result = await dlq.ReplayAsync(query.ToFilter(), new MoveOptions(dryRun ?? false, rate, By: AdminApiKey.OperatorOf(http)), ct);
                LogDestructive(logger, http, "replay", query, dryRun ?? false, result);
                return result;
            }));

        admin.MapPost("/dlq/purge", (HttpContext http, DeadLetterOperations dlq, [AsParameters] FilterQuery query, bool? all, bool? yes, CancellationToken ct) =>
            Run(async () =>
            {
                query.ToFilter().RequireScope(all == true, "purge");
                var confirmed = yes ?? false;
                var result = await dlq.PurgeAsync(query.ToFilter(), new MoveOptions(DryRun: !confirmed), ct);
                LogDestructive(logger, http, "purge", query, !confirmed, result);
                return result;
            }));

        admin.MapMappingTest();
        admin.MapDoctor();
        admin.MapDeliveryLog();
        admin.MapJobs(logger);
        return app;
    }

    /// <summary>Bulk replays and purges as background jobs: start, progress, cancel, per-message results (the console's engine too).</summary>
    static void MapJobs(this RouteGroupBuilder admin, ILogger logger)
    {
        admin.MapPost("/jobs", (HttpContext http, BulkJobs jobs, [AsParameters] FilterQuery query, string? operation, bool? all, bool? yes, double? rate) =>
            Run(() =>
            {
                if (operation == "purge" && yes != true)
                    throw new OperatorException(ExitCodes.Usage, "A purge job removes dead letters for good: pass yes=true (a dry run: POST /admin/dlq/purge).");
                var job = jobs.Start(operation ?? "", query.ToFilter(), all == true, AdminApiKey.OperatorOf(http), rate);
                logger.LogWarning("Admin {Operation} job {JobId} by {Operator} from {Client}: filter {Filter}",
                    operation, job.Id, AdminApiKey.OperatorOf(http), AdminKeys.ClientOf(http), query);
                return Task.FromResult(job);
            }, job => Results.Json(job, OperationsJson.Options, statusCode: StatusCodes.Status202Accepted)));

        admin.MapGet("/jobs", (BulkJobs jobs) => Results.Json(jobs.List(), OperationsJson.Options));

        admin.MapGet("/jobs/{id}", (BulkJobs jobs, string id) =>
            jobs.Find(id) is { } job ? Results.Json(job, OperationsJson.Options) : NoSuchJob(id));

        admin.MapGet("/jobs/{id}/results", (BulkJobs jobs, string id) =>
            jobs.Find(id) is null ? NoSuchJob(id) : Results.Json(jobs.Results(id), OperationsJson.Options));

        admin.MapPost("/jobs/{id}/cancel", (HttpContext http, BulkJobs jobs, string id) =>
        {
            var job = jobs.Cancel(id, AdminApiKey.OperatorOf(http));
            if (job is null)
                return NoSuchJob(id);
            logger.LogWarning("Admin cancel of job {JobId} by {Operator} from {Client}", id, AdminApiKey.OperatorOf(http), AdminKeys.ClientOf(http));
            return Results.Json(job, OperationsJson.Options);
        });
    }

    static IResult NoSuchJob(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, detail: $"No job has id '{id}'. GET /admin/jobs lists them.",
            extensions: new Dictionary<string, object?> { ["exitCode"] = ExitCodes.NotFound });

    /// <summary>Who changed the queues, from where, with which filter, and what came of it.</summary>
    static void LogDestructive<T>(ILogger logger, HttpContext http, string operation, FilterQuery query, bool dryRun, T result) =>
        logger.LogWarning("Admin {Operation} by {Operator} from {Client}{DryRun}: filter {Filter}; result {Result}",
            operation, AdminApiKey.OperatorOf(http), AdminKeys.ClientOf(http), dryRun ? " (dry run)" : "", query,
            System.Text.Json.JsonSerializer.Serialize(result, OperationsJson.Options));

    static Task<IResult> Run<T>(Func<Task<T>> operation) => Run(operation, result => Results.Json(result, OperationsJson.Options));

    static async Task<IResult> Run<T>(Func<Task<T>> operation, Func<T, IResult> ok)
    {
        try
        {
            return ok(await operation());
        }
        catch (OperatorException ex)
        {
            var status = ex.ExitCode switch
            {
                ExitCodes.Usage => StatusCodes.Status400BadRequest,
                ExitCodes.NotFound => StatusCodes.Status404NotFound,
                _ => StatusCodes.Status503ServiceUnavailable,
            };
            return Results.Problem(statusCode: status, detail: ex.Message, extensions: new Dictionary<string, object?> { ["exitCode"] = ex.ExitCode });
        }
    }
}
