using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>What an <c>X-Signature</c> covers.</summary>
public enum SignatureMatch
{
    /// <summary>Nothing: missing, malformed, or made with no configured secret.</summary>
    None,

    /// <summary>The whole body: every byte of the request is Segment's.</summary>
    WholeBody,

    /// <summary>Only the first element of an array (Segment's Actions batch mode): the rest is unproven.</summary>
    FirstElement,
}

/// <summary>
/// Checks the Webhooks destination's <c>X-Signature</c>: lowercase hex HMAC-SHA1 of the raw body with the shared secret,
/// or, when allowed, for an Actions batch, of the first array element's bytes exactly as they appear in the body
/// (Segment's quirk).
/// </summary>
public static class SegmentSignature
{
    public const string Header = "X-Signature";

    /// <summary>
    /// Whether <paramref name="signature"/> has the form of one (40 hex digits, an HMAC-SHA1), checked before the body is
    /// read: a sender without even that form is refused without costing a read.
    /// </summary>
    public static bool IsWellFormed([NotNullWhen(true)] string? signature) =>
        signature is { Length: SHA1.HashSizeInBytes * 2 } && signature.AsSpan().ContainsAnyExcept(HexDigits) is false;

    static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Whether <paramref name="signature"/> matches the body under any of <paramref name="secrets"/>, and how.</summary>
    /// <param name="acceptFirstElement">Also accept a signature of an array's first element only.</param>
    public static SignatureMatch Verify(ReadOnlySpan<byte> body, string? signature, IReadOnlyList<string> secrets, bool acceptFirstElement)
    {
        if (!IsWellFormed(signature))
            return SignatureMatch.None;
        Span<byte> expected = stackalloc byte[SHA1.HashSizeInBytes];
        if (Convert.FromHexString(signature, expected, out _, out var written) != System.Buffers.OperationStatus.Done || written != expected.Length)
            return SignatureMatch.None;

        var firstElement = acceptFirstElement ? FirstArrayElement(body) : [];
        bool whole = false, first = false;
        Span<byte> actual = stackalloc byte[SHA1.HashSizeInBytes];
        foreach (var secret in secrets)
        {
            var key = Encoding.UTF8.GetBytes(secret);
            HMACSHA1.HashData(key, body, actual);
            // Every secret and both forms are computed, whatever matches first: the time taken says nothing about which.
            whole |= CryptographicOperations.FixedTimeEquals(actual, expected);
            if (!firstElement.IsEmpty)
            {
                HMACSHA1.HashData(key, firstElement, actual);
                first |= CryptographicOperations.FixedTimeEquals(actual, expected);
            }
        }
        return whole ? SignatureMatch.WholeBody : first ? SignatureMatch.FirstElement : SignatureMatch.None;
    }

    /// <summary>The bytes of a JSON array's first element as they appear in <paramref name="body"/>; empty otherwise.</summary>
    public static ReadOnlySpan<byte> FirstArrayElement(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType == JsonTokenType.EndArray)
                return [];
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            return body[start..(int)reader.BytesConsumed];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
