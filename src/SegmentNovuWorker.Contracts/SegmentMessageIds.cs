using System.Security.Cryptography;
using System.Text;

namespace SegmentNovuWorker.Contracts;

/// <summary>
/// Turns Segment messageIds (free-form strings) into the Guid MassTransit needs, and derives a messageId for
/// events that arrive without one. Both are deterministic, so a redelivered Segment event keeps its identity.
/// </summary>
public static class SegmentMessageIds
{
    // A fixed namespace makes these name-based (RFC 9562 version 5) ids specific to this service.
    static readonly Guid Namespace = new("6f1d7c39-8a53-4a49-9d2e-3b1f0c5e2a71");

    /// <summary>The MassTransit message id of a Segment event: a version-5 UUID of its messageId.</summary>
    public static Guid ToMessageGuid(string segmentMessageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(segmentMessageId);

        // Hashed in pieces, never copied onto the stack: the messageId is the sender's, and so is its length.
        Span<byte> namespaceBytes = stackalloc byte[16];
        Namespace.TryWriteBytes(namespaceBytes, bigEndian: true, out _);
        using var sha1 = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        sha1.AppendData(namespaceBytes);
        sha1.AppendData(Encoding.UTF8.GetBytes(segmentMessageId));

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        sha1.GetHashAndReset(hash);

        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16], bigEndian: true);
    }

    /// <summary>
    /// A stable messageId for an event that has none: the SHA-256 of the event's raw JSON bytes. The same
    /// event sent twice gets the same id, so Novu's transactionId still stops a second notification.
    /// </summary>
    public static string Derive(ReadOnlySpan<byte> rawEventJson) =>
        "derived-" + Convert.ToHexStringLower(SHA256.HashData(rawEventJson))[..32];
}
