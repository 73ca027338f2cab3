using System.CommandLine;
using System.Text.Json;
using SegmentNovuWorker.Cli.Output;
using SegmentNovuWorker.Operations;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Queues;

namespace SegmentNovuWorker.Cli.Commands;

/// <summary><c>queues</c>: every queue of the service with its counts.</summary>
static class QueuesCommand
{
    public static Command Create()
    {
        var command = new Command("queues",
            "Every segment-* queue (partitions, wait, hold, _error, _skipped, rejected) with ready, unacked and consumer counts, and the worker that consumes each partition.");
        command.SetRun(async (run, ct) =>
        {
            run.Settings.EnsureManagementIsSafe();
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var queues = await new QueueLister(run.Settings, http).ListAsync(ct);
            if (run.Json)
            {
                await run.Output.WriteLineAsync(JsonSerializer.Serialize(queues, OperationsJson.Indented));
                return ExitCodes.Ok;
            }
            var table = new Table("QUEUE", "KIND", "READY", "UNACKED", "CONSUMERS", "CONSUMED BY").AlignRight(2, 3, 4);
            foreach (var q in queues)
                table.Add(q.Name, q.Kind, q.Ready, q.Unacked, q.Consumers, q.ActiveConsumer ?? "");
            table.WriteTo(run.Output);
            if (queues.Count == 0)
                await run.Output.WriteLineAsync($"No segment-* queues in virtual host '{run.Settings.VirtualHost}': has the service ever run against {run.Settings.Redacted}?");
            return ExitCodes.Ok;
        });
        return command;
    }
}
