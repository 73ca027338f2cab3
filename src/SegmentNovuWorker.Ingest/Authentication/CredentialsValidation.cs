using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>
/// Fail closed: each front door needs its credentials at start (a shared secret or a token for the webhook, write keys for
/// <c>/v1/*</c>) unless <c>Ingest:AllowUnauthenticated</c> says this is a local trial.
/// </summary>
sealed class CredentialsValidation(IOptions<IngestOptions> ingest) : IValidateOptions<SegmentOptions>
{
    public ValidateOptionsResult Validate(string? name, SegmentOptions options)
    {
        var failures = new List<string>();
        if (options.FirstElementSignatureWindow <= TimeSpan.Zero || options.FirstElementSignatureWindow > TimeSpan.FromDays(7))
            failures.Add("Segment:FirstElementSignatureWindow must be between 00:00:01 and 7.00:00:00.");
        for (var i = 0; i < options.WebhookTokens.Length; i++)
        {
            // Only the index is named: a start-up error must not print a secret, not even a short one.
            if (!string.IsNullOrWhiteSpace(options.WebhookTokens[i]) && options.WebhookTokens[i].Length < SegmentOptions.MinimumTokenLength)
                failures.Add($"Segment:WebhookTokens:{i} is shorter than {SegmentOptions.MinimumTokenLength} characters. Make one with 'openssl rand -hex 32'.");
        }
        if (!ingest.Value.AllowUnauthenticated)
        {
            if (!options.HasWebhookCredentials)
                failures.Add("Segment:SharedSecret is not set: /webhooks/segment would take unsigned events. Set it (or Segment:SharedSecrets) " +
                    "to the shared secret configured in Segment, or Segment:WebhookTokens to the token its Send action sends, " +
                    "or Ingest:AllowUnauthenticated=true for a local trial.");
            if (!options.HasWriteKeys)
                failures.Add("Segment:WriteKeys is empty: /v1/* would take any write key. Set Segment:WriteKeys (server sources) or " +
                    "Segment:ClientWriteKeys (browser and mobile sources), or Ingest:AllowUnauthenticated=true for a local trial.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
