namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// A programmed failure: the next <see cref="Times"/> requests whose path starts with <see cref="PathPrefix"/>
/// answer <see cref="Status"/> (or, with status 0, the connection is aborted), optionally after <see cref="DelayMs"/>.
/// With <see cref="AfterProcessing"/> the request is first handled as usual (the subscriber stored, the workflow
/// triggered) and only the answer is lost, as when a proxy in front of Novu fails.
/// A fault <see cref="InHandler"/> is thrown by Novu's own handler, behind its idempotency layer, which then keeps that
/// answer under the request's key for 24 h; otherwise it comes from in front of Novu (a gateway) and is not kept.
/// With <see cref="BodyContains"/> only requests whose body holds that text fail (one subscriber's calls, say).
/// With <see cref="TriggerStatus"/> a trigger is answered <see cref="Status"/> with that status in its <c>data</c> (a bulk
/// trigger: in every entry, each with its event's transactionId) instead of an error body.
/// </summary>
public sealed record Fault(
    string PathPrefix,
    int Status,
    int Times = 1,
    int? RetryAfterSeconds = null,
    string? Message = null,
    int DelayMs = 0,
    string? TriggerStatus = null,
    bool AfterProcessing = false,
    bool InHandler = false,
    string? BodyContains = null);
