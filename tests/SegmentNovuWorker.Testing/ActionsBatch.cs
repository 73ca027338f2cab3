using System.Text.Json.Nodes;

namespace SegmentNovuWorker.Testing;

/// <summary>Segment's Webhooks (Actions) batch mode as it really sends: up to 4000 analytics.js events of about 1 KB each.</summary>
public static class ActionsBatch
{
    /// <summary>Segment's largest Actions batch.</summary>
    public const int LargestBatch = 4000;

    /// <summary>A track as analytics.js sends it through Segment: the full browser context, about 1 KB.</summary>
    public static JsonObject Track(string run, int i) => new()
    {
        ["type"] = "track",
        ["event"] = "User Registered",
        ["messageId"] = $"ajs-next-{run}-{i:D6}-9a8b7c6d5e4f3a2b1c0d",
        ["userId"] = $"user-{i % 997:D5}",
        ["anonymousId"] = $"5f1c9e2a-{i:D4}-4b7d-9c3e-1a2b3c4d5e6f",
        ["timestamp"] = "2026-11-29T10:15:30.123Z",
        ["originalTimestamp"] = "2026-11-29T10:15:29.987Z",
        ["sentAt"] = "2026-11-29T10:15:30.001Z",
        ["receivedAt"] = "2026-11-29T10:15:30.456Z",
        ["properties"] = new JsonObject { ["plan"] = "Pro", ["trial"] = true, ["seats"] = 5, ["referrer"] = "newsletter-2026-11" },
        ["context"] = new JsonObject
        {
            ["ip"] = "203.0.113.42",
            ["locale"] = "en-US",
            ["timezone"] = "Europe/Berlin",
            ["userAgent"] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            ["library"] = new JsonObject { ["name"] = "analytics.js", ["version"] = "next-1.74.0" },
            ["page"] = new JsonObject
            {
                ["path"] = "/signup/complete",
                ["referrer"] = "https://www.example.com/pricing?utm_source=newsletter",
                ["search"] = "?utm_source=newsletter&utm_medium=email&utm_campaign=nov",
                ["title"] = "Welcome aboard - Example",
                ["url"] = "https://app.example.com/signup/complete?utm_source=newsletter&utm_medium=email&utm_campaign=nov",
            },
            ["campaign"] = new JsonObject { ["source"] = "newsletter", ["medium"] = "email", ["name"] = "nov" },
            ["traits"] = new JsonObject { ["email"] = $"user-{i % 997}@example.com", ["firstName"] = "Ada", ["lastName"] = "Lovelace" },
            ["userAgentData"] = new JsonObject { ["mobile"] = false, ["platform"] = "macOS" },
        },
        ["integrations"] = new JsonObject { ["All"] = true },
        ["writeKey"] = "wk_3f9a8b7c6d5e4f3a2b1c",
    };

    /// <summary>The bare JSON array an Actions webhook posts.</summary>
    public static string Body(int events = LargestBatch, string? run = null)
    {
        run ??= Guid.NewGuid().ToString("N")[..8];
        return new JsonArray([.. Enumerable.Range(0, events).Select(i => (JsonNode)Track(run, i))]).ToJsonString();
    }
}
