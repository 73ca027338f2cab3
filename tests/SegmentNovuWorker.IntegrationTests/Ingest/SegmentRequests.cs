using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>Requests as Segment and its SDKs make them.</summary>
public static class SegmentRequests
{
    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The Webhooks destination's <c>X-Signature</c>: lowercase hex HMAC-SHA1 of <paramref name="signed"/>.</summary>
    public static string Signature(string secret, string signed) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signed)));

    public static HttpRequestMessage Webhook(string body, string? signature = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/segment") { Content = Json(body) };
        if (signature is not null)
            request.Headers.Add("X-Signature", signature);
        return request;
    }

    /// <summary>A tracking-API call with the write key as Segment's SDKs send it: Basic, the key as user name, no password.</summary>
    public static HttpRequestMessage Tracking(string path, string body, string? writeKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        if (writeKey is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(writeKey + ":")));
        return request;
    }

    /// <summary>The <c>message</c> of each MassTransit envelope.</summary>
    public static IReadOnlyList<JsonObject> Messages(IEnumerable<string> envelopes) =>
        [.. envelopes.Select(e => JsonNode.Parse(e)!["message"]!.AsObject())];

    public static async Task<JsonObject> BodyAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
}
