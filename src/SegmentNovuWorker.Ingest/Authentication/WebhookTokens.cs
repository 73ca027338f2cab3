using System.Net.Http.Headers;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>What a webhook's <c>Authorization</c> header says about its sender.</summary>
public enum TokenMatch
{
    /// <summary>No bearer token: the request relies on its <c>X-Signature</c>.</summary>
    Absent,

    /// <summary>One of <c>Segment:WebhookTokens</c>.</summary>
    Valid,

    /// <summary>A bearer token, or another <c>Authorization</c>, that is not configured.</summary>
    Wrong,
}

/// <summary>
/// <c>Authorization: Bearer &lt;token&gt;</c> on the webhook, as the Webhooks (Actions) destination's Send action sends
/// it from its <c>headers</c> field: a credential for the sender, whatever the body, so it needs no signature and no
/// age window.
/// </summary>
public static class WebhookTokens
{
    public const string Header = "Authorization";

    public static TokenMatch Check(string? authorization, IReadOnlyList<string> tokens)
    {
        if (string.IsNullOrEmpty(authorization))
            return TokenMatch.Absent;
        if (!AuthenticationHeaderValue.TryParse(authorization, out var value)
            || !string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(value.Parameter))
            return TokenMatch.Wrong;
        return ConfiguredSecrets.Contains(tokens, ConfiguredSecrets.Hash(value.Parameter)) ? TokenMatch.Valid : TokenMatch.Wrong;
    }
}
