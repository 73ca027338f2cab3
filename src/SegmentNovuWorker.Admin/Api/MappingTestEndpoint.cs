using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Mapping;

namespace SegmentNovuWorker.Admin.Api;

/// <summary>
/// <c>POST /admin/mapping/test</c> with a Segment event as the body: what the worker would send for it, answering the JSON of
/// <c>segment-novu mapping test --json</c>. It reads the <c>Novu</c> section of the host's configuration, so the host must
/// be given the worker's mapping.
/// </summary>
public static class MappingTestEndpoint
{
    public static RouteHandlerBuilder MapMappingTest(this IEndpointRouteBuilder admin) =>
        admin.MapPost("/mapping/test", async (HttpRequest request, IConfiguration configuration) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            try
            {
                return Results.Json(MappingTester.Test(configuration, body), OperationsJson.Options);
            }
            catch (OperatorException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: ex.Message,
                    extensions: new Dictionary<string, object?> { ["exitCode"] = ex.ExitCode });
            }
        });
}
