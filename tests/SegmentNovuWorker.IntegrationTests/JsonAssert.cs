using System.Text.Json.Nodes;

namespace SegmentNovuWorker.IntegrationTests;

public static class JsonAssert
{
    /// <summary>Asserts two JSON texts are the same document (property order aside).</summary>
    public static void Equivalent(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"Expected JSON\n{e?.ToJsonString()}\nbut got\n{a?.ToJsonString()}");
    }
}
