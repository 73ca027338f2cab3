using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>
/// Checks the Webhooks destination's <c>X-Signature</c>: lowercase hex HMAC-SHA1 of the raw body with the shared secret,
/// or, for an Actions batch, of the first array element's bytes exactly as they appear in the body (Segment's quirk).
/// </summary>
public static class SegmentSignature
{
    public const string Header = "X-Signature";

    /// <returns>True when <paramref name="signature"/> matches the body under any of <paramref name="secrets"/>.</returns>
    public static bool IsValid(ReadOnlySpan<byte> body, string? signature, IReadOnlyList<string> secrets)
    {
        if (string.IsNullOrEmpty(signature) || signature.Length != SHA1.HashSizeInBytes * 2)
            return false;
        Span<byte> expected = stackalloc byte[SHA1.HashSizeInBytes];
        if (Convert.FromHexString(signature, expected, out _, out var written) != System.Buffers.OperationStatus.Done || written != expected.Length)
            return false;

        var firstElement = FirstArrayElement(body);
        var matched = false;
        Span<byte> actual = stackalloc byte[SHA1.HashSizeInBytes];
        foreach (var secret in secrets)
        {
            var key = Encoding.UTF8.GetBytes(secret);
            HMACSHA1.HashData(key, body, actual);
            // Every secret and both forms are computed, whatever matches first: the time taken says nothing about which.
            matched |= CryptographicOperations.FixedTimeEquals(actual, expected);
            if (!firstElement.IsEmpty)
            {
                HMACSHA1.HashData(key, firstElement, actual);
                matched |= CryptographicOperations.FixedTimeEquals(actual, expected);
            }
        }
        return matched;
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
