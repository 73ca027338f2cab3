using System.Net;
using System.Text;
using SegmentNovuWorker.Novu;

namespace SegmentNovuWorker.UnitTests.Novu;

public sealed class When_novu_is_asked_to_delete_a_subscriber
{
    sealed class Answer(HttpStatusCode status, string body) : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    static (NovuClient Client, Answer Handler) Novu(HttpStatusCode status, string body)
    {
        var handler = new Answer(status, body);
        return (new NovuClient(new HttpClient(handler) { BaseAddress = new Uri("https://novu.test/") }), handler);
    }

    [Fact]
    public async Task Should_delete_it_by_its_escaped_id()
    {
        var (client, handler) = Novu(HttpStatusCode.OK, """{"data":{"acknowledged":true,"status":"deleted"}}""");

        await client.DeleteSubscriberAsync("user/1 2", CancellationToken.None);

        Assert.Equal(HttpMethod.Delete, handler.Request!.Method);
        Assert.Equal("https://novu.test/v2/subscribers/user%2F1%202", handler.Request.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task Should_count_a_subscriber_novu_does_not_know_as_deleted()
    {
        var (client, _) = Novu(HttpStatusCode.NotFound, """{"statusCode":404,"message":"Subscriber not found"}""");

        await client.DeleteSubscriberAsync("gone", CancellationToken.None);
    }

    [Fact]
    public async Task Should_still_fail_when_novu_fails()
    {
        var (client, _) = Novu(HttpStatusCode.InternalServerError, """{"statusCode":500,"message":"boom"}""");

        await Assert.ThrowsAsync<NovuRetryableException>(() => client.DeleteSubscriberAsync("u-1", CancellationToken.None));
    }
}
