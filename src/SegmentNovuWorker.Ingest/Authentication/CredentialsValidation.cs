using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>
/// Fail closed: each front door needs its credentials at start (a shared secret for the webhook, write keys for
/// <c>/v1/*</c>) unless <c>Ingest:AllowUnauthenticated</c> says this is a local trial.
/// </summary>
sealed class CredentialsValidation(IOptions<IngestOptions> ingest) : IValidateOptions<SegmentOptions>
{
    public ValidateOptionsResult Validate(string? name, SegmentOptions options)
    {
        var failures = new List<string>();
        if (options.FirstElementSignatureWindow <= TimeSpan.Zero || options.FirstElementSignatureWindow > TimeSpan.FromDays(1))
            failures.Add("Segment:FirstElementSignatureWindow must be between 00:00:01 and 1.00:00:00.");
        if (!ingest.Value.AllowUnauthenticated)
        {
            if (options.AllSharedSecrets.Count == 0)
                failures.Add("Segment:SharedSecret is not set: /webhooks/segment would take unsigned events. Set it (or Segment:SharedSecrets) " +
                    "to the shared secret configured in Segment, or Ingest:AllowUnauthenticated=true for a local trial.");
            if (!options.HasWriteKeys)
                failures.Add("Segment:WriteKeys is empty: /v1/* would take any write key. Set Segment:WriteKeys (server sources) or " +
                    "Segment:ClientWriteKeys (browser and mobile sources), or Ingest:AllowUnauthenticated=true for a local trial.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
