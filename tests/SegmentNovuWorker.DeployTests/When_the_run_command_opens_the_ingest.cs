namespace SegmentNovuWorker.DeployTests;

/// <summary>
/// <c>deploy/run-local.sh</c> opens the ingest (<c>Ingest__AllowUnauthenticated=true</c>) when no credentials are set: an
/// open ingest then listens on loopback only, never on every interface of the machine.
/// </summary>
public sealed class When_the_run_command_opens_the_ingest
{
    /// <summary>The address the script gives the ingest's <c>--urls</c>, its own lines run with <paramref name="environment"/>.</summary>
    static async Task<string> IngestUrlAsync(IDictionary<string, string?> environment)
    {
        var script = await File.ReadAllLinesAsync(Tool.PathOf("deploy/run-local.sh"));
        var start = Array.FindIndex(script, l => l.StartsWith("if [ -z \"${Segment__SharedSecret:-}\" ]", StringComparison.Ordinal));
        var launch = Array.FindIndex(script, l => l.Contains("exec dotnet \"$root/$(bin SegmentNovuWorker.Ingest)\"", StringComparison.Ordinal));
        Assert.True(start >= 0 && launch > start, "run-local.sh no longer has the lines this spec runs");
        var host = Array.FindIndex(script, l => l.Contains("ingest_host=", StringComparison.Ordinal));
        Assert.True(host >= 0, "run-local.sh no longer chooses the ingest's host in one line");
        // The script's own lines: its decision to open the ingest (if … fi), its choice of host, and the launch's --urls, echoed.
        var urls = script[launch][script[launch].IndexOf("--urls", StringComparison.Ordinal)..].Split(')')[0];
        IEnumerable<string> lines = [.. script[start..(start + 3)], script[host], "INGEST_PORT=8080", "echo " + urls];
        var (exitCode, output) = await Tool.RunAsync("bash", ["-c", string.Join('\n', lines)], environment);
        Assert.True(exitCode == 0, output);
        return output.Trim();
    }

    [Fact]
    public async Task Should_bind_an_open_ingest_on_loopback()
    {
        var urls = await IngestUrlAsync(new Dictionary<string, string?>
        {
            ["Segment__SharedSecret"] = null,
            ["Segment__WriteKeys__0"] = null,
            ["Segment__ClientWriteKeys__0"] = null,
            ["Ingest__AllowUnauthenticated"] = null,
            ["INGEST_HOST"] = null,
        });

        Assert.Equal("--urls http://127.0.0.1:8080", urls.Replace("\"", "", StringComparison.Ordinal));
    }
}
