using SegmentNovuWorker.Worker.Mapping;

namespace SegmentNovuWorker.UnitTests.Mapping;

public sealed class IdempotencyKeysSpecs
{
    [Theory]
    [InlineData("é-ünïcode-1")]
    [InlineData("ajs-next-1700000000001-9a8b7c6d")]
    [InlineData("")]
    public void Should_be_ascii_and_at_most_255_characters_for_any_message_id(string messageId)
    {
        foreach (var id in new[] { messageId, messageId + new string('x', 300) })
        {
            var key = IdempotencyKeys.For(id, "trigger", "0");
            Assert.True(key.Length <= 255);
            Assert.All(key, c => Assert.InRange(c, (char)0x21, (char)0x7e));
        }
    }

    [Fact]
    public void Should_differ_by_call_and_by_lineage_and_repeat_otherwise()
    {
        Assert.Equal(IdempotencyKeys.For("m", "trigger", "0"), IdempotencyKeys.For("m", "trigger", "0"));
        Assert.NotEqual(IdempotencyKeys.For("m", "trigger", "0"), IdempotencyKeys.For("m", "trigger", "1"));
        Assert.NotEqual(IdempotencyKeys.For("m", "topic", "0"), IdempotencyKeys.For("m", "topic-subscription", "0"));
    }
}
