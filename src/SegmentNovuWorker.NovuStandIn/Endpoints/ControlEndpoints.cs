using SegmentNovuWorker.NovuStandIn.Behaviour;

namespace SegmentNovuWorker.NovuStandIn.Endpoints;

/// <summary>
/// <c>/_standin/*</c>: not part of Novu. Shows what the stand-in received and did, takes programmed failures and delays,
/// so a person (or a test in another process) can watch and break it.
/// </summary>
public static class ControlEndpoints
{
    public static void MapControlEndpoints(this IEndpointRouteBuilder app)
    {
        var control = app.MapGroup("/_standin");
        control.MapGet("/requests", (StandInState state) => state.Requests);
        control.MapGet("/notifications", (StandInState state) => state.Notifications);
        control.MapGet("/subscribers", (StandInState state) => state.Subscribers);
        control.MapGet("/topics", (StandInState state) => state.TopicSubscriptions);
        control.MapPost("/faults", (Fault fault, StandInState state) =>
        {
            state.AddFault(fault);
            return Results.Accepted();
        });
        control.MapGet("/delays", (StandInState state) => state.Delays);
        control.MapPost("/delays", (HttpContext http, RouteDelays delays, StandInState state) =>
        {
            if (delays.FirstNegative() is { } route)
                return NovuErrors.Result(http, 400, $"The {route} delay must not be negative");
            state.SetDelays(delays);
            return Results.Ok(state.Delays);
        });
        control.MapPost("/reset", (StandInState state) =>
        {
            state.Reset();
            return Results.NoContent();
        });
    }
}
