using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Jobs;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// Bulk replays as jobs of the admin process (<c>POST /admin/jobs</c>): they survive a restart of it, two of them never move
/// one message, and <c>segment-novu jobs follow</c> watches one to its end. The worker is stopped once the dead letters are
/// made, so every replayed event stays in its queue and can be counted.
/// </summary>
public sealed class When_a_bulk_job_runs
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(120); // generous: the machine is shared

    static async Task<SegmentNovuStack> StackAsync()
    {
        var stack = await DeadLetterStack.StartWithMixAsync();
        await stack.StopWorkerAsync();
        return stack;
    }

    static HttpClient Admin(SegmentNovuStack stack)
    {
        var client = stack.CreateAdminClient();
        client.DefaultRequestHeaders.Add("X-Admin-Key", DeadLetterStack.AdminKey);
        return client;
    }

    static async Task<JsonNode> StartAsync(HttpClient admin, string query)
    {
        using var response = await admin.PostAsync("/admin/jobs?" + query, null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    static async Task<JsonNode> JobAsync(HttpClient admin, string id) => JsonNode.Parse(await admin.GetStringAsync($"/admin/jobs/{id}"))!;

    static async Task<JsonNode> FinishedAsync(HttpClient admin, string id)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var job = await JobAsync(admin, id);
            if (job["state"]!.ToString() is "Completed" or "Cancelled" or "Failed")
                return job;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"job {id} did not finish: {job.ToJsonString()}");
            await Task.Delay(200);
        }
    }

    static async Task<List<string>> ReplayedAsync(HttpClient admin, string id) =>
        [.. JsonNode.Parse(await admin.GetStringAsync($"/admin/jobs/{id}/results"))!.AsArray()
            .Where(o => o!["outcome"]!.ToString() == "replayed").Select(o => o!["messageId"]!.ToString())];

    [Fact]
    public async Task Should_resume_after_the_admin_process_restarts_and_move_each_message_once()
    {
        await using var stack = await StackAsync();
        using var admin = Admin(stack);
        var id = (await StartAsync(admin, "operation=replay&type=track&rate=1"))["id"]!.ToString();
        var deadline = DateTime.UtcNow + Patience;
        while ((await JobAsync(admin, id))["done"]!.GetValue<int>() < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "the job replayed none");
            await Task.Delay(100);
        }

        await stack.StopAdminAsync();
        await stack.StartAdminAsync();
        using var restarted = Admin(stack);
        var job = await FinishedAsync(restarted, id);

        Assert.Equal("Completed", job["state"]!.ToString());
        Assert.Equal(2, job["runs"]!.GetValue<int>());
        Assert.Equal(6, job["done"]!.GetValue<int>());
        var replayed = await ReplayedAsync(restarted, id);
        Assert.Equal(replayed.Count, replayed.Distinct().Count());
        Assert.Equal(6, replayed.Count);
        Assert.Equal(0u, await DeadLetterStack.ErrorCountAsync(stack, CallQueues.Track));
    }

    [Fact]
    public async Task Should_never_let_two_jobs_move_the_same_message()
    {
        await using var stack = await StackAsync();
        using var admin = Admin(stack);

        var jobs = await Task.WhenAll(StartAsync(admin, "operation=replay&type=track"), StartAsync(admin, "operation=replay&all=true"));
        var ids = jobs.Select(j => j["id"]!.ToString()).ToList();
        foreach (var id in ids)
            Assert.Equal("Completed", (await FinishedAsync(admin, id))["state"]!.ToString());

        var replayed = (await Task.WhenAll(ids.Select(id => ReplayedAsync(admin, id)))).SelectMany(r => r).ToList();
        Assert.Equal(replayed.Count, replayed.Distinct().Count());
        Assert.Equal(7, replayed.Count); // six tracks and one identify, each moved by one job or the other
    }

    [Fact]
    public async Task Should_be_followed_by_the_tool_to_its_end()
    {
        await using var stack = await StackAsync();
        using var admin = Admin(stack);
        var id = (await StartAsync(admin, "operation=replay&reason=novu-rejected&rate=2"))["id"]!.ToString();

        var run = await Cli.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["SEGMENT_NOVU_ADMIN_KEY"] = DeadLetterStack.AdminKey },
            "jobs", "follow", id, "--admin-url", stack.AdminUrl!.ToString(), "--every", "0.2");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains($"replay {id[..8]}: Completed, 3 done, 0 failed", run.Output);
    }

    [Fact]
    public async Task Should_keep_the_admin_key_off_plain_http_to_another_host()
    {
        // A listener on this machine's own network address: whatever the tool sends there would cross a network.
        var address = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .First(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var received = new StringBuilder();
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var buffer = new byte[16 * 1024];
            var read = await client.GetStream().ReadAsync(buffer);
            lock (received)
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        });

        var run = await Cli.RunWithEnvironmentAsync(new Dictionary<string, string?> { ["SEGMENT_NOVU_ADMIN_KEY"] = DeadLetterStack.AdminKey },
            "jobs", "follow", "0123456789abcdef", "--admin-url", $"http://{address}:{((IPEndPoint)listener.LocalEndpoint).Port}");
        listener.Stop();

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("https://", run.Error, StringComparison.Ordinal);
        lock (received)
            Assert.DoesNotContain(DeadLetterStack.AdminKey, received.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes are POSIX
    public async Task Should_write_a_purge_jobs_copy_readable_by_its_owner_only()
    {
        await using var stack = await DeadLetterStack.StartWithMixAsync();
        using var admin = Admin(stack);
        var id = (await StartAsync(admin, "operation=purge&reason=unmapped-event&yes=true"))["id"]!.ToString();
        await FinishedAsync(admin, id);

        var copy = stack.AdminApp!.Services.GetRequiredService<BulkJobs>().PurgedFile(id);

        Assert.NotNull(copy);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(copy));
    }

    [Fact]
    public async Task Should_refuse_a_purge_job_without_yes_and_a_job_without_scope()
    {
        await using var stack = await DeadLetterStack.StartAsync();
        using var admin = Admin(stack);

        using var purge = await admin.PostAsync("/admin/jobs?operation=purge&all=true", null);
        using var unscoped = await admin.PostAsync("/admin/jobs?operation=replay", null);

        Assert.Equal(HttpStatusCode.BadRequest, purge.StatusCode);
        Assert.Contains("yes=true", await purge.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, unscoped.StatusCode);
        Assert.Contains("all=true", await unscoped.Content.ReadAsStringAsync());
    }
}
