namespace SegmentNovuWorker.Ingest;

/// <summary>The <c>Segment</c> configuration section: how senders prove they are Segment (or a Segment SDK of ours).</summary>
public sealed class SegmentOptions
{
    public const string Section = "Segment";

    /// <summary>
    /// <c>Segment:SharedSecrets</c>: the Webhooks destination's shared secrets. Set, every webhook must carry a matching
    /// <c>X-Signature</c>; several are accepted at once so a secret can be rotated without refusing events.
    /// </summary>
    public string[] SharedSecrets { get; set; } = [];

    /// <summary><c>Segment:SharedSecret</c>: one secret, the common case; added to <see cref="SharedSecrets"/>.</summary>
    public string? SharedSecret { get; set; }

    /// <summary>
    /// <c>Segment:WriteKeys</c>: write keys the tracking-API endpoints (<c>/v1/*</c>) accept. Empty: those endpoints take
    /// any write key (for a local run; the ingest logs a warning at start).
    /// </summary>
    public string[] WriteKeys { get; set; } = [];

    /// <summary>Every configured shared secret, empty ones left out.</summary>
    public IReadOnlyList<string> AllSharedSecrets =>
        [.. SharedSecrets.Append(SharedSecret).OfType<string>().Where(s => s.Length > 0).Distinct(StringComparer.Ordinal)];
}
