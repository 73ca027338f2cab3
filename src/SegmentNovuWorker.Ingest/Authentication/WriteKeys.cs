using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace SegmentNovuWorker.Ingest.Authentication;

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

    /// <summary>Whether <paramref name="writeKey"/> is one of <paramref name="accepted"/>, compared in constant time.</summary>
    public static bool IsAccepted(string? writeKey, IReadOnlyList<string> accepted)
    {
        if (accepted.Count == 0)
            return true;
        if (string.IsNullOrEmpty(writeKey))
            return false;
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(writeKey));
        var matched = false;
        foreach (var key in accepted)
            matched |= CryptographicOperations.FixedTimeEquals(given, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return matched;
    }
}
