using System.Text;
using SegmentNovuWorker.Ingest;
using SegmentNovuWorker.Ingest.Authentication;

namespace SegmentNovuWorker.UnitTests.Ingest;

public sealed class When_a_write_key_is_presented
{
    static string Basic(string userInfo) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(userInfo));

    [Theory]
    [InlineData("wk-1:", "wk-1")]
    [InlineData("wk-1", "wk-1")]
    [InlineData("wk-1:ignored", "wk-1")]
    [InlineData(":", null)]
    public void Should_read_it_as_the_basic_user_name(string userInfo, string? expected) =>
        Assert.Equal(expected, WriteKeys.FromAuthorization(Basic(userInfo)));

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("Basic !!!")]
    public void Should_find_none_in_other_headers(string? header) => Assert.Null(WriteKeys.FromAuthorization(header));

    [Fact]
    public void Should_know_server_keys_from_client_keys_and_no_other()
    {
        var segment = new SegmentOptions { WriteKeys = ["a", "b", "both"], ClientWriteKeys = ["browser", "both"] };
        Assert.Equal(WriteKeyKind.Server, WriteKeys.Classify("b", segment));
        Assert.Equal(WriteKeyKind.Client, WriteKeys.Classify("browser", segment));
        Assert.Equal(WriteKeyKind.Client, WriteKeys.Classify("both", segment));
        Assert.Equal(WriteKeyKind.Unknown, WriteKeys.Classify("c", segment));
        Assert.Equal(WriteKeyKind.Unknown, WriteKeys.Classify(null, segment));
        Assert.Equal(WriteKeyKind.Unknown, WriteKeys.Classify("a", new SegmentOptions()));
    }
}
