namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>An account-level refusal played on demand: 401 (key revoked), 402 (plan limit, unpaid) or 403 (forbidden environment).</summary>
public sealed record AccountError(int Status, string? Message = null)
{
    public string MessageOrDefault => Message ?? Status switch
    {
        401 => "API Key not found",
        402 => "Payment Required: you have reached the limit of your plan",
        403 => "Forbidden resource",
        _ => $"Error {Status}",
    };
}
