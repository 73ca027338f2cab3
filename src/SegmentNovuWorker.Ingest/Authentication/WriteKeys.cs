using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.Ingest.Authentication;

/// <summary>What a write key lets its holder do.</summary>
public enum WriteKeyKind
{
    /// <summary>Not a configured key.</summary>
    Unknown,

    /// <summary><c>Segment:WriteKeys</c>: a server-side source, every call.</summary>
    Server,

    /// <summary><c>Segment:ClientWriteKeys</c>: a browser or mobile source, whose key is public: no <c>delete</c>.</summary>
    Client,
}

/// <summary>Segment's write-key auth: <c>Authorization: Basic base64("&lt;writeKey&gt;:")</c>, or <c>writeKey</c> in the body.</summary>
public static class WriteKeys
{
    /// <summary>The write key of a Basic <c>Authorization</c> header (the user name; the password is empty), or null.</summary>
    public static string? FromAuthorization(string? header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is null)
            return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            var key = colon < 0 ? decoded : decoded[..colon];
            return key.Length == 0 ? null : key;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The top-level <c>"writeKey"</c> of a JSON object body, found by skipping over every other member without reading
    /// them as events: the key is checked before the body is parsed. Null when there is none, or the JSON breaks first.
    /// </summary>
    public static string? FromBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = SegmentLimits.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals("writeKey"u8);
                reader.Read();
                if (isKey)
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            return null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Which kind of configured key <paramref name="writeKey"/> is, every key compared in constant time.</summary>
    public static WriteKeyKind Classify(string? writeKey, SegmentOptions segment)
    {
        if (string.IsNullOrEmpty(writeKey))
            return WriteKeyKind.Unknown;
        var given = ConfiguredSecrets.Hash(writeKey);
        var server = ConfiguredSecrets.Contains(segment.WriteKeys, given);
        var client = ConfiguredSecrets.Contains(segment.ClientWriteKeys, given);
        // A key listed as both is treated as the weaker one: a public key must not gain deletes by being listed twice.
        return client ? WriteKeyKind.Client : server ? WriteKeyKind.Server : WriteKeyKind.Unknown;
    }

    /// <summary>A stable, non-secret name for a key (for rate-limit partitions): a prefix of its SHA-256.</summary>
    public static string Fingerprint(string writeKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(writeKey)))[..16];
}
