using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Jobs;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary>
/// <c>jobs follow</c>: watch a bulk job the console or the admin API started, until it ends. Jobs live in the admin process,
/// so this asks it (<c>--admin-url</c>), with the key from <c>SEGMENT_NOVU_ADMIN_KEY</c>, never from the command line.
/// </summary>
static class JobsCommands
{
    public const string KeyVariable = "SEGMENT_NOVU_ADMIN_KEY";

    static readonly Option<string> AdminUrl = new("--admin-url")
    {
        Description = "The admin process (default http://127.0.0.1:8090, Admin:Urls' default).",
        DefaultValueFactory = _ => "http://127.0.0.1:8090",
        Recursive = true,
    };

    static readonly Option<double> Every = new("--every")
    {
        Description = "Seconds between two looks at the job.",
        DefaultValueFactory = _ => 1,
    };

    public static Command Create()
    {
        var jobs = new Command("jobs", "Bulk replay and purge jobs of the admin process.") { AdminUrl };
        jobs.Subcommands.Add(Follow());
        return jobs;
    }

    static Command Follow()
    {
        var id = new Argument<string>("id") { Description = "The job's id (the console's job page and POST /admin/jobs show it)." };
        var command = new Command("follow", "Print a job's progress until it ends; exits 0 when it completed with no failure, 4 when cancelled or some failed.")
        {
            id,
            Every,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                var key = CliConfiguration.Variable(KeyVariable);
                if (string.IsNullOrEmpty(key))
                    throw new OperatorException(ExitCodes.Usage, $"Set {KeyVariable} to an admin key (Admin:ApiKey): it is never taken from the command line.");
                if (!Uri.TryCreate(parse.GetValue(AdminUrl), UriKind.Absolute, out var adminUrl) || adminUrl.Scheme is not ("http" or "https"))
                    throw new OperatorException(ExitCodes.Usage, "--admin-url must be the admin process's http(s):// address, e.g. http://127.0.0.1:8090.");
                // The key would cross the network in clear: only loopback (an SSH tunnel, kubectl port-forward) may be plain http.
                if (adminUrl.Scheme == "http" && !adminUrl.IsLoopback)
                    throw new OperatorException(ExitCodes.Usage,
                        $"Not sending {KeyVariable} over plain http to {adminUrl.Host}: use https://, or a tunnel to loopback (ssh -L 8090:127.0.0.1:8090 host, kubectl port-forward).");
                using var http = new HttpClient { BaseAddress = adminUrl, Timeout = TimeSpan.FromSeconds(30) };
                http.DefaultRequestHeaders.Add("X-Admin-Key", key);
                var job = await FollowAsync(http, parse.GetValue(id)!, TimeSpan.FromSeconds(Math.Max(0.1, parse.GetValue(Every))), output,
                    parse.GetValue(GlobalOptions.Json), cancellationToken);
                return job switch
                {
                    { State: JobState.Completed, Failed: 0 } => ExitCodes.Ok,
                    { State: JobState.Failed } => ExitCodes.BrokerUnavailable,
                    _ => ExitCodes.PartialFailure,
                };
            }
            catch (OperatorException ex)
            {
                await error.WriteLineAsync("error: " + ex.Message);
                return ex.ExitCode;
            }
        });
        return command;
    }

    static async Task<BulkJob> FollowAsync(HttpClient http, string id, TimeSpan every, TextWriter output, bool json, CancellationToken cancellationToken)
    {
        string? last = null;
        while (true)
        {
            var job = await GetAsync(http, id, cancellationToken);
            var line = $"{job.Operation} {job.Id[..8]}: {job.State}, {job.Done} done, {job.Failed} failed, {job.Scanned}/{job.Total} looked at ({job.Percent}%)";
            if (!json && line != last)
                await output.WriteLineAsync(line);
            last = line;
            if (job.IsFinished)
            {
                if (json)
                    await output.WriteLineAsync(JsonSerializer.Serialize(job, OperationsJson.Indented));
                else if (job.Error is not null)
                    await output.WriteLineAsync("error: " + job.Error);
                return job;
            }
            await Task.Delay(every, cancellationToken);
        }
    }

    static async Task<BulkJob> GetAsync(HttpClient http, string id, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync($"/admin/jobs/{Uri.EscapeDataString(id)}", cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new OperatorException(ExitCodes.BrokerUnavailable, $"The admin process at {http.BaseAddress} did not answer: {ex.Message}");
        }
        using (response)
        {
            return (int)response.StatusCode switch
            {
                200 => await response.Content.ReadFromJsonAsync<BulkJob>(OperationsJson.Options, cancellationToken)
                    ?? throw new OperatorException(ExitCodes.BrokerUnavailable, "The admin process answered an empty job."),
                401 or 429 => throw new OperatorException(ExitCodes.Usage, $"The admin process refused {KeyVariable} ({(int)response.StatusCode})."),
                404 => throw new OperatorException(ExitCodes.NotFound, $"No job has id '{id}'."),
                var status => throw new OperatorException(ExitCodes.BrokerUnavailable, $"The admin process answered {status}."),
            };
        }
    }
}
