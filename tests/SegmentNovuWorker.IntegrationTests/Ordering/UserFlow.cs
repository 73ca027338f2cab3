using System.Text;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.IntegrationTests.Ordering;

/// <summary>The product's own flow: a user signs up (identify with the email), then "User Registered" (welcome email).</summary>
public static class UserFlow
{
    public static string Identify(string user, string? email = null) => Json(new
    {
        type = "identify", messageId = Id("id", user), userId = user,
        traits = new { email = email ?? user + "@example.com", firstName = user },
    });

    public static string Registered(string user) =>
        Json(new { type = "track", messageId = Id("reg", user), userId = user, @event = "User Registered", properties = new { plan = "pro" } });

    public static string Group(string user, string groupId) =>
        Json(new { type = "group", messageId = Id("grp", user), userId = user, groupId, traits = new { name = groupId } });

    public static string Delete(string user) => Json(new { type = "delete", messageId = Id("del", user), userId = user });

    static string Id(string kind, string user) => $"{kind}-{user}-{Guid.NewGuid():N}";

    static string Json(object value) => System.Text.Json.JsonSerializer.Serialize(value);

    public static async Task PostAsync(HttpClient client, string body)
    {
        using var response = await client.PostAsync("/webhooks/segment", new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every welcome notification, and whether its subscriber had an email when it was triggered.</summary>
    public static async Task WaitForWelcomesAsync(SegmentNovuStack stack, int count, TimeSpan? timeout = null) =>
        await SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count(n => n.Workflow == "welcome") >= count,
            $"{count} welcome notifications were sent", timeout ?? TimeSpan.FromSeconds(60));
}
