using System.Net;
using System.Net.Sockets;
using System.Text;
using SegmentNovuWorker.Testing;
using static SegmentNovuWorker.IntegrationTests.Ingest.SegmentRequests;

namespace SegmentNovuWorker.IntegrationTests.Ingest;

/// <summary>
/// Authenticate before reading: what can be checked without the body (a signature's form, the key in the Authorization
/// header, the declared length) is checked first, and a key in the body is checked before the body is parsed.
/// </summary>
public sealed class When_an_unauthenticated_sender_posts_a_body : IAsyncLifetime
{
    const string WriteKey = "server-write-key";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Segment:SharedSecret"] = "webhook-secret",
        ["Segment:WriteKeys:0"] = WriteKey,
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    /// <summary>Sends a request's head only, announcing a body that never comes, and reads the status line of the answer.</summary>
    async Task<string> StatusLineOfHeadOnlyAsync(string head)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_stack.IngestUrl.Host, _stack.IngestUrl.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ReplaceLineEndings("\r\n") + "\r\n"));
        // A bound so that a server that waits for the body fails the test instead of hanging it.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var reader = new StreamReader(stream, Encoding.ASCII);
        try
        {
            return await reader.ReadLineAsync(bound.Token) ?? "(connection closed)";
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            return "(no answer: " + ex.GetType().Name + ")";
        }
    }

    [Theory]
    [InlineData("not-a-signature")]
    [InlineData("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")]
    public async Task Should_refuse_a_malformed_signature_without_waiting_for_the_body(string signature)
    {
        var status = await StatusLineOfHeadOnlyAsync($"""
            POST /webhooks/segment HTTP/1.1
            Host: {_stack.IngestUrl.Authority}
            Content-Type: application/json
            X-Signature: {signature}
            Content-Length: 10000000

            """);

        Assert.StartsWith("HTTP/1.1 401", status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_an_unknown_key_in_the_body_before_reading_the_body_as_events()
    {
        using var client = _stack.CreateIngestClient();

        // Not even JSON after the key: a parser that ran first would answer 400 and tell an unknown sender how it reads.
        using var response = await client.SendAsync(Tracking("/v1/batch", """{"writeKey":"guessed","batch":[{"type":""", null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Should_take_the_key_from_the_body_when_no_header_carries_one()
    {
        using var client = _stack.CreateIngestClient();

        using var response = await client.SendAsync(Tracking("/v1/batch",
            $$"""{"batch":[{"type":"track","userId":"u-1","event":"User Registered"}],"writeKey":"{{WriteKey}}"}""", null));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1u, await RabbitMqBroker.MessageCountAsync(_stack.RabbitMq, CallQueues.Track));
    }
}
