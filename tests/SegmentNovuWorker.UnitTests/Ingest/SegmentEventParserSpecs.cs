using System.Text;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Parsing;

namespace SegmentNovuWorker.UnitTests.Ingest;

public sealed class SegmentEventParserSpecs
{
    static ParseResult Parse(string json) => SegmentEventParser.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Should_parse_an_identify_and_keep_its_message_id()
    {
        var result = Parse("""{"type":"identify","messageId":"m-1","userId":"u-1","traits":{"email":"a@b.c"},"unknown":{"x":1}}""");

        var identify = Assert.IsType<IdentifyEvent>(Assert.Single(result.Events));
        Assert.Equal(("m-1", "u-1"), (identify.MessageId, identify.UserId));
        Assert.Equal("a@b.c", identify.Traits!.Value.GetProperty("email").GetString());
    }

    [Fact]
    public void Should_derive_the_same_message_id_for_the_same_event_without_one()
    {
        const string json = """{"type":"track","userId":"u-1","event":"E"}""";

        var first = Assert.Single(Parse(json).Events).MessageId;

        Assert.StartsWith("derived-", first);
        Assert.Equal(first, Assert.Single(Parse(json).Events).MessageId);
    }

    [Theory]
    [InlineData("""{"userId":"u-1"}""", "no \"type\"")]
    [InlineData("""{"type":"track","userId":"u-1"}""", "\"event\"")]
    [InlineData("""{"type":"bogus"}""", "Unsupported event type")]
    [InlineData("""[]""", "empty")]
    [InlineData("""42""", "Number")]
    [InlineData("""{"type":""", "not valid JSON")]
    public void Should_say_what_is_wrong(string json, string expected)
    {
        var result = Parse(json);

        Assert.False(result.IsValid);
        Assert.Contains(expected, Assert.Single(result.Errors).Detail);
    }

    [Fact]
    public void Should_name_the_invalid_event_of_a_batch()
    {
        var result = Parse("""[{"type":"identify","userId":"u-1"},{"type":"nope"}]""");

        Assert.Single(result.Events);
        Assert.Equal(1, Assert.Single(result.Errors).Index);
    }

    [Fact]
    public void Should_accept_numeric_user_ids_as_text()
    {
        var identify = Assert.IsType<IdentifyEvent>(Assert.Single(Parse("""{"type":"identify","userId":12345}""").Events));

        Assert.Equal("12345", identify.UserId);
    }
}
