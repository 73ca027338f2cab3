using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.AdminApi;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.DeadLetters;
using SegmentNovuWorker.Operations.Queues;

// In ASP.NET Core's own namespace, as its Map*/Add* extensions are, so a host wires the admin API with two lines
// and no using.
namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The operator's commands over HTTP under <c>/admin</c>, answering the same JSON as <c>segment-novu --json</c>.
/// Mapped only when <c>Admin:ApiKey</c> is set (otherwise every <c>/admin</c> route is a 404), and every call must
/// present that key (401 otherwise).
/// </summary>
public static class AdminApiExtensions
{
    public const string ApiKeySetting = "Admin:ApiKey";

    public static WebApplicationBuilder AddAdminApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddSegmentNovuOperations();
        return builder;
    }

    public static WebApplication MapAdminApi(this WebApplication app)
    {
        if (app.Configuration[ApiKeySetting] is not { Length: > 0 } key)
            return app;

        var admin = app.MapGroup("/admin").AddEndpointFilter(new AdminApiKey(key));

        admin.MapGet("/queues", (QueueLister queues, CancellationToken ct) =>
            Run(async () => await queues.ListAsync(ct)));

        admin.MapGet("/dlq", (DeadLetterOperations dlq, [AsParameters] FilterQuery query, int? page, int? pageSize, CancellationToken ct) =>
            Run(async () => await dlq.ListAsync(query.ToFilter(), page ?? 1, pageSize ?? 50, ct)));

        admin.MapGet("/dlq/summary", (DeadLetterOperations dlq, [AsParameters] FilterQuery query, CancellationToken ct) =>
            Run(async () => await dlq.SummarizeAsync(query.ToFilter(), ct)));

        admin.MapGet("/dlq/messages/{messageId}", (DeadLetterOperations dlq, string messageId, CancellationToken ct) =>
            Run(async () => await dlq.ShowAsync(messageId, ct)));

        admin.MapGet("/dlq/export", async (DeadLetterOperations dlq, [AsParameters] FilterQuery query, CancellationToken ct) =>
        {
            var buffer = new StringWriter();
            return await Run(async () =>
            {
                await dlq.ExportAsync(query.ToFilter(), buffer, ct);
                return buffer.ToString();
            }, body => Results.Text(body, "application/x-ndjson"));
        });

        admin.MapPost("/dlq/replay", (DeadLetterOperations dlq, [AsParameters] FilterQuery query, bool? all, bool? dryRun, double? rate, CancellationToken ct) =>
            Run(async () =>
            {
                RequireScope(query.ToFilter(), all, "replay");
                return await dlq.ReplayAsync(query.ToFilter(), new MoveOptions(dryRun ?? false, rate), ct);
            }));

        admin.MapPost("/dlq/purge", (DeadLetterOperations dlq, [AsParameters] FilterQuery query, bool? all, bool? yes, CancellationToken ct) =>
            Run(async () =>
            {
                RequireScope(query.ToFilter(), all, "purge");
                var confirmed = yes ?? false;
                return await dlq.PurgeAsync(query.ToFilter(), new MoveOptions(DryRun: !confirmed), ct);
            }));

        admin.MapMappingTest();
        return app;
    }

    /// <summary>A replay or purge of everything must say so (<c>all=true</c>), as on the command line.</summary>
    static void RequireScope(DeadLetterFilter filter, bool? all, string operation)
    {
        if (filter.IsEmpty && all != true)
            throw new OperatorException(ExitCodes.Usage, $"Name what to {operation} (messageId, queue, reason, event, type, since, until) or pass all=true.");
    }

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
