namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>One request as the stand-in received it, before any fault, auth or rate limit was applied.</summary>
public sealed record ReceivedRequest(
    DateTimeOffset At,
    string Method,
    string Path,
    string? Authorization,
    string? IdempotencyKey,
    string Body,
    int Status);
