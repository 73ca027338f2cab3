using System.Text;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;

namespace SegmentNovuWorker.UnitTests.Messaging;

public sealed class SegmentMessageIdsSpecs
{
    [Fact]
    public void Should_give_the_same_guid_for_the_same_message_id()
    {
        Assert.Equal(SegmentMessageIds.ToMessageGuid("ajs-next-1"), SegmentMessageIds.ToMessageGuid("ajs-next-1"));
        Assert.NotEqual(SegmentMessageIds.ToMessageGuid("ajs-next-1"), SegmentMessageIds.ToMessageGuid("ajs-next-2"));
    }

    [Fact]
    public void Should_make_a_version_5_rfc_4122_uuid()
    {
        var text = SegmentMessageIds.ToMessageGuid("ajs-next-1700000000000-4f1c2b6e").ToString();

        Assert.Equal('5', text[14]);
        Assert.Contains(text[19], "89ab");
    }

    [Fact]
    public void Should_derive_a_stable_message_id_from_the_event_bytes()
    {
        var body = Encoding.UTF8.GetBytes("""{"type":"track","event":"x"}""");

        var first = SegmentMessageIds.Derive(body);

        Assert.Equal(first, SegmentMessageIds.Derive(body));
        Assert.StartsWith("derived-", first);
        Assert.True(first.Length < 100, "Segment messageIds stay under 100 characters");
        Assert.NotEqual(first, SegmentMessageIds.Derive(Encoding.UTF8.GetBytes("""{"type":"track","event":"y"}""")));
    }

    [Fact]
    public void Should_redact_the_broker_password()
    {
        var options = new RabbitMqOptions { ConnectionString = new Uri("amqp://app:s3cret@rabbit:5672/prod") };

        Assert.DoesNotContain("s3cret", options.Redacted);
        Assert.Contains("rabbit:5672", options.Redacted);
    }
}
