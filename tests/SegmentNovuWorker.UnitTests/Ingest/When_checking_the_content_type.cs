using Microsoft.AspNetCore.Http;
using SegmentNovuWorker.Ingest.Endpoints;

namespace SegmentNovuWorker.UnitTests.Ingest;

public sealed class When_checking_the_content_type
{
    static bool Accepted(string? contentType) =>
        EventIntake.UnsupportedContentType(new DefaultHttpContext { Request = { ContentType = contentType } }.Request) is null;

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("text/plain")]
    [InlineData("text/plain; charset=UTF-8")]
    [InlineData("application/vnd.segment+json")]
    public void Should_read_json_and_the_text_plain_of_analytics_js_beacons(string contentType) => Assert.True(Accepted(contentType));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/xml")]
    [InlineData("multipart/form-data; boundary=x")]
    public void Should_refuse_everything_else(string? contentType) => Assert.False(Accepted(contentType));
}
