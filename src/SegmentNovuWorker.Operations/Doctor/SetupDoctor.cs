using System.Net;
using Microsoft.Extensions.Configuration;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using SegmentNovuWorker.Mapping;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Operations.Broker;
using SegmentNovuWorker.Operations.Mapping;
using SegmentNovuWorker.Operations.Workers;

namespace SegmentNovuWorker.Operations.Doctor;

/// <summary>
/// <c>segment-novu doctor</c> and <c>GET /admin/doctor</c>: the setup mistakes that otherwise show only as dead letters or
/// silence, checked before the first event. Reads the configuration as the services do; never prints a secret.
/// </summary>
public sealed class SetupDoctor(IConfiguration configuration, BrokerConnector broker, HttpClient http)
{
    public async Task<DoctorReport> RunAsync(DoctorTargets targets, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        var (keyCheck, workflows) = await CheckNovuKeyAsync(cancellationToken);
        checks.Add(keyCheck);
        checks.Add(CheckWorkflows(workflows));
        checks.AddRange(await CheckBrokerAsync(cancellationToken));
        checks.AddRange(CheckSegmentCredentials());
        checks.Add(await CheckHealthAsync("ingest", targets.IngestUrls, DoctorTargets.IngestUrlsKey, "--ingest-url", cancellationToken));
        checks.Add(await CheckWorkersAsync(targets.WorkerUrls, cancellationToken));
        return new DoctorReport(checks);
    }

    async Task<(DoctorCheck, IReadOnlyList<NovuWorkflow>?)> CheckNovuKeyAsync(CancellationToken cancellationToken)
    {
        const string name = "novu-key";
        var apiKey = configuration[$"{NovuClientOptions.Section}:{nameof(NovuClientOptions.ApiKey)}"];
        var baseUrlText = configuration[$"{NovuClientOptions.Section}:{nameof(NovuClientOptions.BaseUrl)}"] is { Length: > 0 } set ? set : new NovuClientOptions().BaseUrl.ToString();
        if (string.IsNullOrWhiteSpace(apiKey))
            return (new DoctorCheck(name, CheckOutcome.Failed, "Novu:ApiKey is not set.",
                "Set Novu__ApiKey to the secret key of the Novu environment the workflows live in (Novu dashboard → API Keys)."), null);
        if (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            return (new DoctorCheck(name, CheckOutcome.Failed, $"Novu:BaseUrl '{baseUrlText}' is not an http(s) URL.",
                "Set Novu__BaseUrl to https://api.novu.co (US), https://eu.api.novu.co (EU) or your self-hosted Novu's API."), null);
        try
        {
            var workflows = await NovuWorkflows.ListAsync(http, baseUrl, apiKey, cancellationToken);
            return (new DoctorCheck(name, CheckOutcome.Ok, $"Novu at {baseUrl} accepts Novu:ApiKey ({workflows.Count} workflow(s) in its environment)."), workflows);
        }
        catch (NovuWorkflowListException ex) when (ex.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            return (new DoctorCheck(name, CheckOutcome.Failed, $"Novu at {baseUrl} refused Novu:ApiKey ({(int)ex.Status} {ex.Message}).",
                "Set Novu__ApiKey to the environment's secret key (Novu dashboard → API Keys), and Novu__BaseUrl to the region that environment lives in (US api.novu.co, EU eu.api.novu.co)."), null);
        }
        catch (NovuWorkflowListException ex) when (ex.Status is null)
        {
            return (new DoctorCheck(name, CheckOutcome.Failed, $"Novu at {baseUrl} did not answer ({ex.Message}).",
                "Check Novu__BaseUrl and that this machine can reach it."), null);
        }
        catch (NovuWorkflowListException ex)
        {
            return (new DoctorCheck(name, CheckOutcome.Failed, $"Novu at {baseUrl} answered the workflow list with {(int)ex.Status!} ({ex.Message}).",
                "Check Novu__BaseUrl: it must be Novu's API, not its dashboard."), null);
        }
    }

    DoctorCheck CheckWorkflows(IReadOnlyList<NovuWorkflow>? known)
    {
        const string name = "workflows";
        var load = MappingTester.Check(configuration);
        if (load.Map is null)
            return new DoctorCheck(name, CheckOutcome.Failed, "The mapping does not compile: " + string.Join("; ", load.Errors),
                "Fix the Novu:Workflows rules; 'segment-novu mapping check' lists every error.");
        if (load.Map.Rules.Count == 0)
            return new DoctorCheck(name, CheckOutcome.Warning, load.Map.EmptyWarning ?? "No event is mapped to a workflow.",
                "Map events, e.g. Novu__Workflows__User\\ Registered=welcome (docs/mapping.md).");
        if (known is null)
            return new DoctorCheck(name, CheckOutcome.Skipped, $"{load.Map.Rules.Count} rule(s) mapped; Novu's workflows could not be read (see novu-key).");
        var byId = known.GroupBy(w => w.WorkflowId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var rule in load.Map.Rules.DistinctBy(r => (r.EventName, r.Workflow)))
        {
            if (!byId.TryGetValue(rule.Workflow, out var workflow))
                problems.Add($"'{rule.EventName}' → {rule.Workflow}: no such workflow in this Novu environment (its triggers dead-letter as workflow_not_found)");
            else if (!workflow.IsActive)
                problems.Add($"'{rule.EventName}' → {rule.Workflow}: the workflow is {workflow.Status} (its triggers dead-letter as trigger_not_active)");
        }
        var mapped = load.Map.Rules.Select(r => r.Workflow).Distinct(StringComparer.Ordinal).Count();
        return problems.Count == 0
            ? new DoctorCheck(name, CheckOutcome.Ok, $"Every mapped workflow ({mapped}) exists in Novu and is active.")
            : new DoctorCheck(name, CheckOutcome.Failed, string.Join("; ", problems),
                "Create or activate the workflow in this Novu environment (check the identifier, not the display name), or change Novu:Workflows; 'segment-novu mapping check' lists the rules.");
    }

    async Task<IEnumerable<DoctorCheck>> CheckBrokerAsync(CancellationToken cancellationToken)
    {
        IConnection connection;
        try
        {
            connection = await broker.ConnectAsync(cancellationToken);
        }
        catch (OperatorException ex)
        {
            return
            [
                new DoctorCheck("broker", CheckOutcome.Failed, ex.Message, "Check ConnectionStrings__RabbitMq (and RabbitMq__Password, RabbitMq__Hosts) against the broker the services use."),
                new DoctorCheck("queues", CheckOutcome.Skipped, "The broker could not be reached."),
            ];
        }
        await using (connection)
        {
            var topology = new TopologyOptions { Partitions = broker.Settings.Partitions };
            var rejected = configuration.GetSection(RejectedQueueOptions.Section).Get<RejectedQueueOptions>() ?? new RejectedQueueOptions();
            var deadLetters = configuration.GetSection(DeadLetterQueueOptions.Section).Get<DeadLetterQueueOptions>() ?? new DeadLetterQueueOptions();
            var expected = QueueDeclaration.OfWorker(topology, deadLetters).Where(q => q.Create)
                .Concat(QueueDeclaration.OfIngest(topology, rejected).Where(q => !q.Create));
            var missing = new List<string>();
            var mismatched = new List<string>();
            foreach (var queue in expected)
            {
                switch (await CompareAsync(connection, queue, cancellationToken))
                {
                    case null:
                        if (queue.Create)
                            missing.Add(queue.Name);
                        break;
                    case { Length: > 0 } reason:
                        mismatched.Add($"{queue.Name} ({reason})");
                        break;
                }
            }
            var brokerCheck = new DoctorCheck("broker", CheckOutcome.Ok, $"RabbitMQ at {broker.Settings.Redacted} accepts the connection.");
            if (mismatched.Count > 0)
                return [brokerCheck, new DoctorCheck("queues", CheckOutcome.Failed, "Declared otherwise than this version declares them: " + string.Join("; ", mismatched),
                    "RabbitMQ never changes a queue's type or arguments: move its messages out and recreate it (docs/operations.md, \"Upgrading to quorum queues\").")];
            if (missing.Count > 0)
                return [brokerCheck, new DoctorCheck("queues", CheckOutcome.Failed, $"{missing.Count} queue(s) missing, e.g. {string.Join(", ", missing.Take(3))}.",
                    $"Start the worker once against virtual host '{broker.Settings.VirtualHost}' (it declares them), and check Topology:Partitions matches the services'.")];
            return [brokerCheck, new DoctorCheck("queues", CheckOutcome.Ok, $"The {topology.Partitions} partition queues and their _error queues are quorum queues with the expected arguments.")];
        }
    }

    /// <summary>Null when the queue does not exist, "" when its declaration matches, else the broker's reason.</summary>
    static async Task<string?> CompareAsync(IConnection connection, QueueDeclaration queue, CancellationToken cancellationToken)
    {
        // A passive declare of a missing queue, or a declaration that differs, closes its channel: one channel per queue.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            await channel.QueueDeclarePassiveAsync(queue.Name, cancellationToken);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
        await using var declaring = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        try
        {
            // The queue exists, so this creates nothing: it only says whether the arguments are the same.
            await declaring.QueueDeclareAsync(queue.Name, durable: true, exclusive: false, autoDelete: false, queue.Arguments.ForClient(), cancellationToken: cancellationToken);
            return "";
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 406)
        {
            return ex.ShutdownReason.ReplyText;
        }
    }

    IEnumerable<DoctorCheck> CheckSegmentCredentials()
    {
        var open = configuration.GetValue<bool>("Ingest:AllowUnauthenticated");
        var secrets = Values("Segment:SharedSecret", "Segment:SharedSecrets", "Segment:WebhookTokens");
        var writeKeys = Values("Segment:WriteKeys", "Segment:ClientWriteKeys");
        yield return secrets > 0
            ? new DoctorCheck("segment-secret", CheckOutcome.Ok, $"{secrets} webhook secret(s) or token(s) set: /webhooks/segment takes only signed events.")
            : open
                ? new DoctorCheck("segment-secret", CheckOutcome.Warning, "No Segment:SharedSecret and Ingest:AllowUnauthenticated=true: /webhooks/segment takes unsigned events from anyone.",
                    "For production set Segment__SharedSecret to the Webhooks destination's shared secret and remove Ingest__AllowUnauthenticated.")
                : new DoctorCheck("segment-secret", CheckOutcome.Failed, "Segment:SharedSecret (or Segment:WebhookTokens) is not set: the ingest refuses to start, or refuses every webhook.",
                    "Set Segment__SharedSecret to the shared secret of Segment's Webhooks destination (Segment → Destinations → Webhooks → Settings).");
        yield return writeKeys > 0
            ? new DoctorCheck("segment-write-keys", CheckOutcome.Ok, $"{writeKeys} write key(s) set: /v1/* takes calls only from those sources.")
            : open
                ? new DoctorCheck("segment-write-keys", CheckOutcome.Warning, "No Segment:WriteKeys and Ingest:AllowUnauthenticated=true: /v1/* takes any write key, deletes included.",
                    "For production set Segment__WriteKeys__0 (server sources) or Segment__ClientWriteKeys__0 (browser, mobile) and remove Ingest__AllowUnauthenticated.")
                : new DoctorCheck("segment-write-keys", CheckOutcome.Warning, "No Segment:WriteKeys: /v1/* refuses every call (the webhook is unaffected).",
                    "If Segment SDKs send here, set Segment__WriteKeys__0 to their source's write key.");
    }

    int Values(params string[] keys) => keys.Sum(key =>
        (configuration[key] is { Length: > 0 } ? 1 : 0) + configuration.GetSection(key).GetChildren().Count(c => !string.IsNullOrEmpty(c.Value)));

    async Task<DoctorCheck> CheckHealthAsync(string name, IReadOnlyList<string> urls, string key, string option, CancellationToken cancellationToken)
    {
        if (urls.Count == 0)
            return new DoctorCheck(name, CheckOutcome.Skipped, $"No {name} address given.", $"Pass {option} http://host:port or set {key}:0.");
        var sick = new List<string>();
        foreach (var url in urls)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(new Uri(url), "/health/ready"), cancellationToken);
                if (!response.IsSuccessStatusCode)
                    sick.Add($"{url} answers {(int)response.StatusCode} on /health/ready");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException && !cancellationToken.IsCancellationRequested)
            {
                sick.Add($"{url} does not answer ({ex.Message})");
            }
        }
        return sick.Count == 0
            ? new DoctorCheck(name, CheckOutcome.Ok, $"{urls.Count} {name} replica(s) ready.")
            : new DoctorCheck(name, CheckOutcome.Failed, string.Join("; ", sick), $"Read the {name}'s log: /health/ready fails while it cannot reach the broker, or its configuration was refused at start.");
    }

    async Task<DoctorCheck> CheckWorkersAsync(IReadOnlyList<string> urls, CancellationToken cancellationToken)
    {
        if (urls.Count == 0)
            return new DoctorCheck("worker", CheckOutcome.Skipped, "No worker address given.", $"Pass --worker-url http://host:port or set {DoctorTargets.WorkerUrlsKey}:0.");
        var workers = await new WorkerConsumptionReader(http).ReadAsync(urls, cancellationToken);
        var sick = workers.Where(w => w.Status != "Healthy")
            .Select(w => $"{w.Url}: {w.Status}{(w.Description is null ? "" : $" ({w.Description})")}{(w.Stopped.Count == 0 ? "" : $", not consuming {string.Join(", ", w.Stopped.Select(s => $"{s.Queue} ({s.Reason})"))}")}")
            .ToList();
        return sick.Count == 0
            ? new DoctorCheck("worker", CheckOutcome.Ok, $"{workers.Count} worker(s) ready and consuming.")
            : new DoctorCheck("worker", CheckOutcome.Failed, string.Join("; ", sick),
                "Read the worker's log; a paused worker names its reason (novu-outage, account refused: fix Novu__ApiKey) in /health/ready.");
    }
}
