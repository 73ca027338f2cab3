using System.Net;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>Wrong admin keys are throttled per client address: past <c>Admin:MaxFailedAttempts</c>, even the right key waits.</summary>
public sealed class When_admin_keys_are_guessed : IAsyncLifetime
{
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await DeadLetterStack.StartAsync(new Dictionary<string, string?>
    {
        ["Admin:MaxFailedAttempts"] = "3",
        ["Admin:FailedAttemptsWindow"] = "00:05:00",
    });

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [Fact]
    public async Task Should_answer_429_after_the_allowed_failures_even_to_the_right_key()
    {
        using var client = _stack.CreateAdminClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/dlq/purge?all=true&yes=true");
            request.Headers.Add("X-Admin-Key", $"guess-{i}-0123456789abcdef0123456789abcdef");
            using var response = await client.SendAsync(request);
            statuses.Add(response.StatusCode);
        }
        using var right = new HttpRequestMessage(HttpMethod.Get, "/admin/dlq/summary");
        right.Headers.Add("X-Admin-Key", DeadLetterStack.AdminKey);
        using var afterwards = await client.SendAsync(right);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, afterwards.StatusCode);
    }
}
