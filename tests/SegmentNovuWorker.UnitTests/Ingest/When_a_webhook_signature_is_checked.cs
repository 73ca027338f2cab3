using System.Security.Cryptography;
using System.Text;
using CsCheck;
using SegmentNovuWorker.Ingest.Authentication;

namespace SegmentNovuWorker.UnitTests.Ingest;

public sealed class When_a_webhook_signature_is_checked
{
    static string Sign(string secret, string signed) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signed)));

    static bool Valid(string body, string? signature, params string[] secrets) =>
        SegmentSignature.Verify(Encoding.UTF8.GetBytes(body), signature, secrets, acceptFirstElement: false) == SignatureMatch.WholeBody;

    static SignatureMatch Match(string body, string? signature, bool acceptFirstElement, params string[] secrets) =>
        SegmentSignature.Verify(Encoding.UTF8.GetBytes(body), signature, secrets, acceptFirstElement);

    [Fact]
    public void Should_accept_the_hmac_of_the_whole_body_under_any_configured_secret() =>
        Gen.Select(Gen.String, Gen.String[Gen.Char.AlphaNumeric, 1, 20], Gen.String[Gen.Char.AlphaNumeric, 1, 20]).Sample((body, a, b) =>
        {
            Assert.True(Valid(body, Sign(a, body), a, b));
            Assert.True(Valid(body, Sign(b, body), a, b));
            Assert.True(Valid(body, Sign(a, body).ToUpperInvariant(), a));
            Assert.False(Valid(body, Sign(a + "x", body), a));
        }, iter: 500);

    [Fact]
    public void Should_tell_a_first_element_signature_apart_only_when_it_is_allowed()
    {
        const string first = """{ "type" : "track",  "userId":"u" }""";
        var body = $$"""[ {{first}} , {"type":"identify","userId":"u"} ]""";

        Assert.Equal(first, Encoding.UTF8.GetString(SegmentSignature.FirstArrayElement(Encoding.UTF8.GetBytes(body))));
        Assert.Equal(SignatureMatch.None, Match(body, Sign("s", first), acceptFirstElement: false, "s"));
        Assert.Equal(SignatureMatch.FirstElement, Match(body, Sign("s", first), acceptFirstElement: true, "s"));
        Assert.Equal(SignatureMatch.WholeBody, Match(body, Sign("s", body), acceptFirstElement: true, "s"));
        Assert.Equal(SignatureMatch.None, Match(body, Sign("s", """{"type":"identify","userId":"u"}"""), acceptFirstElement: true, "s"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex!")]
    [InlineData("abc")]
    public void Should_refuse_a_missing_or_malformed_signature(string? signature) => Assert.False(Valid("{}", signature, "s"));
}
