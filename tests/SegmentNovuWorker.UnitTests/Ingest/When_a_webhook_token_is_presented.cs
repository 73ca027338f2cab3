using SegmentNovuWorker.Ingest.Authentication;

namespace SegmentNovuWorker.UnitTests.Ingest;

public sealed class When_a_webhook_token_is_presented
{
    const string Current = "0f4c2a9e8b7d6c5f4e3a2b1c0d9e8f7a";
    const string Previous = "7e6f5a4b3c2d1e0f4c2a9e8b7d6c5f4e";
    static readonly string[] Tokens = [Previous, Current];

    [Theory]
    [InlineData("Bearer " + Current)]
    [InlineData("bearer " + Previous)]
    public void Should_accept_any_configured_token_as_a_bearer(string authorization) =>
        Assert.Equal(TokenMatch.Valid, WebhookTokens.Check(authorization, Tokens));

    [Theory]
    [InlineData("Bearer " + Current + "x")]
    [InlineData("Bearer 0f4c2a9e8b7d6c5f")]
    [InlineData("Basic " + Current)]
    [InlineData("Bearer")]
    [InlineData(Current)]
    public void Should_refuse_anything_else_in_the_authorization_header(string authorization) =>
        Assert.Equal(TokenMatch.Wrong, WebhookTokens.Check(authorization, Tokens));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Should_leave_a_request_without_authorization_to_its_signature(string? authorization) =>
        Assert.Equal(TokenMatch.Absent, WebhookTokens.Check(authorization, Tokens));

    [Fact]
    public void Should_never_match_an_empty_configured_token() =>
        Assert.Equal(TokenMatch.Wrong, WebhookTokens.Check("Bearer  ", ["", " "]));
}
