using Microsoft.Extensions.Options;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Doctor;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>
/// <c>GET /admin/doctor</c>: the checks of <c>segment-novu doctor</c>, on this host's configuration (so give it the services'
/// <c>Novu</c> and <c>Segment</c> settings), answering the JSON of <c>segment-novu doctor --json</c>. Always 200: the
/// report's <c>passed</c> says whether every check passed.
/// </summary>
public static class DoctorEndpoint
{
    public static RouteHandlerBuilder MapDoctor(this IEndpointRouteBuilder admin) =>
        admin.MapGet("/doctor", async (IConfiguration configuration, BrokerConnector broker, IHttpClientFactory clients, IOptions<AdminOptions> options, CancellationToken ct) =>
        {
            using var http = clients.CreateClient(nameof(SetupDoctor));
            http.Timeout = TimeSpan.FromSeconds(10);
            var report = await new SetupDoctor(configuration, broker, http).RunAsync(new DoctorTargets(options.Value.IngestUrls, options.Value.WorkerUrls), ct);
            return Results.Json(report, OperationsJson.Options);
        });
}
