namespace SegmentNovuWorker.Ingest;

/// <summary>The <c>Segment</c> configuration section: how senders prove they are Segment (or a Segment SDK of ours).</summary>
public sealed class SegmentOptions
{
    public const string Section = "Segment";

    /// <summary>
    /// <c>Segment:SharedSecrets</c>: the Webhooks destination's shared secrets. Every webhook must carry a matching
    /// <c>X-Signature</c>; several are accepted at once so a secret can be rotated without refusing events.
    /// </summary>
    public string[] SharedSecrets { get; set; } = [];

    /// <summary><c>Segment:SharedSecret</c>: one secret, the common case; added to <see cref="SharedSecrets"/>.</summary>
    public string? SharedSecret { get; set; }

    /// <summary><c>Segment:WriteKeys</c>: write keys of server-side sources; <c>/v1/*</c> takes every call from them.</summary>
    public string[] WriteKeys { get; set; } = [];

    /// <summary>
    /// <c>Segment:ClientWriteKeys</c>: write keys of browser and mobile sources. Those keys are public by design, so
    /// their calls may not delete users: a delete is refused (403 alone, set aside in <c>segment-rejected</c> in a batch).
    /// </summary>
    public string[] ClientWriteKeys { get; set; } = [];

    /// <summary>
    /// <c>Segment:WebhookTokens</c>: secret tokens the Webhooks (Actions) destination sends as
    /// <c>Authorization: Bearer …</c> (its Send action's <c>headers</c> field). A request with one needs no signature and
    /// is never refused for the age of its events; several are accepted at once for rotation. At least 32 characters.
    /// </summary>
    public string[] WebhookTokens { get; set; } = [];

    /// <summary>
    /// <c>Segment:AcceptFirstElementSignature</c>: also accept an array whose <c>X-Signature</c> covers only its first
    /// element (Segment's Actions batch mode). Off by default: such a signature says nothing about the other elements.
    /// </summary>
    public bool AcceptFirstElementSignature { get; set; }

    /// <summary>
    /// <c>Segment:FirstElementSignatureWindow</c>: with <see cref="AcceptFirstElementSignature"/>, how old (by
    /// <c>receivedAt</c>, else <c>sentAt</c>, else <c>timestamp</c>) the signed first element may be, and so how long
    /// its messageId is remembered: a body whose first element was accepted once publishes nothing again. The default
    /// covers Segment's retries (four hours after the first attempt) with room for batching and clocks.
    /// </summary>
    public TimeSpan FirstElementSignatureWindow { get; set; } = FirstElementSignatureWindowDefault;

    /// <summary>Segment retries a failed delivery for four hours; two more for batching delays and clock skew.</summary>
    public static readonly TimeSpan FirstElementSignatureWindowDefault = TimeSpan.FromHours(6);

    /// <summary>How long Segment retries a failed delivery (Segment's docs, "Retries between Segment and destinations").</summary>
    public static readonly TimeSpan SegmentRetryHorizon = TimeSpan.FromHours(4);

    /// <summary>The shortest token accepted, as for admin keys: long enough that guessing is hopeless.</summary>
    public const int MinimumTokenLength = 32;

    /// <summary>Every configured shared secret, empty ones left out.</summary>
    public IReadOnlyList<string> AllSharedSecrets =>
        [.. SharedSecrets.Append(SharedSecret).OfType<string>().Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)];

    /// <summary>Every configured webhook token, empty ones (an unset variable in compose) left out.</summary>
    public IReadOnlyList<string> AllWebhookTokens =>
        [.. WebhookTokens.Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.Ordinal)];

    /// <summary>Whether the webhook has any credential: a shared secret or a token.</summary>
    public bool HasWebhookCredentials => AllSharedSecrets.Count > 0 || AllWebhookTokens.Count > 0;

    /// <summary>Whether any write key (server or client) is configured; empty values (an unset variable in compose) are none.</summary>
    public bool HasWriteKeys => WriteKeys.Concat(ClientWriteKeys).Any(k => !string.IsNullOrWhiteSpace(k));
}
