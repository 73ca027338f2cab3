using System.Text.Json;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.UnitTests.Mapping;

public sealed class SubscriberMapperSpecs
{
    static IdentifyEvent Identify(string traits, string? context = null) => new(
        "m-1", "u-1", null, null,
        context is null ? null : JsonDocument.Parse(context).RootElement.Clone(),
        JsonDocument.Parse(traits).RootElement.Clone());

    static string Serialized(SubscriberUpsert subscriber) => JsonSerializer.Serialize(subscriber, NovuClient.Json);

    [Fact]
    public void Should_map_camel_case_traits_and_context()
    {
        var subscriber = SubscriberMapper.ToSubscriber(
            Identify("""{"firstName":"Peter","lastName":"Gibbons","email":"p@example.com","phone":"+1555","avatar":"https://x/p.png"}""",
                """{"locale":"en-US","timezone":"Europe/Amsterdam"}"""), "u-1");

        Assert.Equal(new SubscriberUpsert("u-1", "Peter", "Gibbons", "p@example.com", "+1555", "https://x/p.png", "en-US", "Europe/Amsterdam"),
            subscriber with { Data = null });
        Assert.Null(subscriber.Data);
    }

    [Fact]
    public void Should_map_snake_case_names()
    {
        var subscriber = SubscriberMapper.ToSubscriber(Identify("""{"first_name":"Ada","last_name":"Lovelace"}"""), "u-1");

        Assert.Equal(("Ada", "Lovelace"), (subscriber.FirstName, subscriber.LastName));
        Assert.Null(subscriber.Data);
    }

    [Theory]
    [InlineData("Peter Gibbons", "Peter", "Gibbons")]
    [InlineData("Ada King Lovelace", "Ada", "King Lovelace")]
    [InlineData("Cher", "Cher", null)]
    [InlineData("  Grace   Hopper ", "Grace", "Hopper")]
    public void Should_split_name_when_first_and_last_are_absent(string name, string first, string? last)
    {
        var subscriber = SubscriberMapper.ToSubscriber(Identify($$"""{"name":"{{name}}"}"""), "u-1");

        Assert.Equal((first, last), (subscriber.FirstName, subscriber.LastName));
    }

    [Fact]
    public void Should_prefer_first_and_last_over_name()
    {
        var subscriber = SubscriberMapper.ToSubscriber(Identify("""{"name":"Someone Else","firstName":"Peter"}"""), "u-1");

        Assert.Equal(("Peter", null), (subscriber.FirstName, subscriber.LastName));
    }

    [Fact]
    public void Should_put_every_other_trait_into_data()
    {
        var subscriber = SubscriberMapper.ToSubscriber(
            Identify("""{"email":"p@example.com","plan":"premium","logins":5,"address":{"city":"Austin"},"tags":["a"],"vip":true}"""), "u-1");

        Assert.Equal("""{"plan":"premium","logins":5,"address":{"city":"Austin"},"tags":["a"],"vip":true}""", subscriber.Data!.ToJsonString());
    }

    [Fact]
    public void Should_leave_absent_fields_out_instead_of_sending_nulls()
    {
        var json = Serialized(SubscriberMapper.ToSubscriber(Identify("""{"email":"p@example.com","phone":null}"""), "u-1"));

        Assert.Equal("""{"subscriberId":"u-1","email":"p@example.com"}""", json);
    }

    [Fact]
    public void Should_keep_a_reserved_trait_that_is_not_text_in_data()
    {
        var subscriber = SubscriberMapper.ToSubscriber(Identify("""{"name":{"first":"P"},"email":42}"""), "u-1");

        Assert.Null(subscriber.FirstName);
        Assert.Null(subscriber.Email);
        Assert.Equal("""{"name":{"first":"P"},"email":42}""", subscriber.Data!.ToJsonString());
    }

    [Fact]
    public void Should_map_an_identify_without_traits_to_the_id_alone()
    {
        var subscriber = SubscriberMapper.ToSubscriber(new IdentifyEvent("m-1", "u-1", null, null, null, null), "u-1");

        Assert.Equal("""{"subscriberId":"u-1"}""", Serialized(subscriber));
    }
}
