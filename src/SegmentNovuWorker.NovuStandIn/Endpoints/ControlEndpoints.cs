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
        control.MapPost("/subscriber-write-failures", (SubscriberWriteFailure failure, StandInState state) =>
        {
            state.FailSubscriberWrites(failure.SubscriberId, failure.Message ?? SubscriberWriteFailure.DefaultMessage);
            return Results.Accepted();
        });
        control.MapPost("/workflows", (HttpContext http, WorkflowStatusChange change, StandInWorkflows workflows) =>
            StandInWorkflows.Statuses.Contains(change.Status, StringComparer.Ordinal)
                ? Results.Ok(workflows.Set(change.WorkflowId, change.Status))
                : NovuErrors.Result(http, 400, "A workflow's status is ACTIVE, INACTIVE or ERROR"));
        control.MapGet("/idempotency", (StandInState state) => new { enabled = state.IdempotencyEnabled });
        control.MapPost("/idempotency", (IdempotencySwitch body, StandInState state) =>
        {
            state.IdempotencyEnabled = body.Enabled;
            return Results.Ok(new { enabled = state.IdempotencyEnabled });
        });
        control.MapPost("/account", (HttpContext http, AccountError error, StandInState state) =>
        {
            if (error.Status is not (401 or 402 or 403))
                return NovuErrors.Result(http, 400, "An account error is 401, 402 or 403");
            state.AccountError = error;
            return Results.Accepted();
        });
        control.MapDelete("/account", (StandInState state) =>
        {
            state.AccountError = null;
            return Results.NoContent();
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

/// <summary>
/// Body of <c>POST /_standin/subscriber-write-failures</c>: from now on this subscriber's write fails inside a bulk upsert,
/// as a database write error does on Novu (the single upsert is not affected).
/// </summary>
public sealed record SubscriberWriteFailure(string SubscriberId, string? Message = null)
{
    public const string DefaultMessage = "Document failed validation";
}

/// <summary>Body of <c>POST /_standin/idempotency</c>.</summary>
public sealed record IdempotencySwitch(bool Enabled);

/// <summary>Body of <c>POST /_standin/workflows</c>: creates the workflow, or changes its status, as Novu's dashboard does.</summary>
public sealed record WorkflowStatusChange(string WorkflowId, string Status);
