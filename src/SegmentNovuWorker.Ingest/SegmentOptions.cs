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
    /// <c>Segment:AcceptFirstElementSignature</c>: also accept an array whose <c>X-Signature</c> covers only its first
    /// element (Segment's Actions batch mode). Off by default: such a signature says nothing about the other elements.
    /// </summary>
    public bool AcceptFirstElementSignature { get; set; }

    /// <summary>
    /// <c>Segment:FirstElementSignatureWindow</c>: with <see cref="AcceptFirstElementSignature"/>, how old (by
    /// <c>sentAt</c>, else <c>timestamp</c>) an element of such an array may be, and how long its messageId is
    /// remembered so that it is not published twice.
    /// </summary>
    public TimeSpan FirstElementSignatureWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Every configured shared secret, empty ones left out.</summary>
    public IReadOnlyList<string> AllSharedSecrets =>
        [.. SharedSecrets.Append(SharedSecret).OfType<string>().Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)];

    /// <summary>Whether any write key (server or client) is configured; empty values (an unset variable in compose) are none.</summary>
    public bool HasWriteKeys => WriteKeys.Concat(ClientWriteKeys).Any(k => !string.IsNullOrWhiteSpace(k));
}
