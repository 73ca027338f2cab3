using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Testcontainers.RabbitMq;

namespace SegmentNovuWorker.Testing;

/// <summary>
/// The real RabbitMQ every integration test runs against, one per test process, each test in a virtual host of its
/// own. Where a Docker engine answers it comes from Testcontainers; otherwise a private <c>rabbitmq-server</c> node is
/// started on loopback by <c>deploy/local/rabbitmq-node.sh</c>. With neither, every test that needs it fails with the
/// reason: a broker test never passes or skips without a broker.
/// </summary>
public sealed class RabbitMqBroker
{
    static readonly Lazy<Task<RabbitMqBroker>> Instance = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    readonly HttpClient _management;
    readonly Func<Task> _stop;
    Func<string, Task>? _ctl;

    RabbitMqBroker(string host, int amqpPort, int managementPort, string user, string password, string kind, Func<Task> stop)
    {
        Host = host;
        AmqpPort = amqpPort;
        User = user;
        Password = password;
        Kind = kind;
        _stop = stop;
        _management = new HttpClient { BaseAddress = new Uri($"http://{host}:{managementPort}/api/") };
        _management.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        ManagementUri = new Uri($"http://{host}:{managementPort}/");
    }

    public string Host { get; }
    public int AmqpPort { get; }
    public string User { get; }
    public string Password { get; }
    public Uri ManagementUri { get; }

    /// <summary>"testcontainers" or "local rabbitmq-server", for test output.</summary>
    public string Kind { get; }

    /// <summary>The broker of this test process, started on first use.</summary>
    public static Task<RabbitMqBroker> GetAsync() => Instance.Value;

    /// <summary>A fresh, empty virtual host; its amqp:// URI is what the services get as ConnectionStrings:RabbitMq.</summary>
    public async Task<Uri> CreateVirtualHostAsync(string? name = null)
    {
        name ??= "test-" + Guid.NewGuid().ToString("N")[..12];
        var escaped = Uri.EscapeDataString(name);
        (await _management.PutAsJsonAsync($"vhosts/{escaped}", new { })).EnsureSuccessStatusCode();
        (await _management.PutAsJsonAsync($"permissions/{escaped}/{Uri.EscapeDataString(User)}",
            new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        return new Uri($"amqp://{User}:{Password}@{Host}:{AmqpPort}/{escaped}");
    }

    /// <summary>The names of every queue of the virtual host (management API): which queues the service declared.</summary>
    public async Task<IReadOnlyList<string>> QueueNamesAsync(Uri amqpUri)
    {
        var vhost = amqpUri.AbsolutePath.TrimStart('/');
        using var json = System.Text.Json.JsonDocument.Parse(await _management.GetStringAsync($"queues/{vhost}?columns=name"));
        return [.. json.RootElement.EnumerateArray().Select(q => q.GetProperty("name").GetString() ?? "")];
    }

    /// <summary>
    /// Every queue of the virtual host that holds a message or has a consumer, with its ready and unacknowledged messages
    /// and consumers (management API): what a failing test prints to say where events are.
    /// </summary>
    public async Task<string> DescribeQueuesAsync(Uri amqpUri)
    {
        var vhost = amqpUri.AbsolutePath.TrimStart('/');
        using var json = System.Text.Json.JsonDocument.Parse(await _management.GetStringAsync(
            $"queues/{vhost}?columns=name,messages_ready,messages_unacknowledged,consumers"));
        static long Of(System.Text.Json.JsonElement q, string name) => q.TryGetProperty(name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Number ? v.GetInt64() : 0;
        var busy = json.RootElement.EnumerateArray()
            .Select(q => (Name: q.GetProperty("name").GetString() ?? "", Ready: Of(q, "messages_ready"), Unacked: Of(q, "messages_unacknowledged"), Consumers: Of(q, "consumers")))
            .Where(q => q.Ready + q.Unacked > 0 || (q.Consumers == 0 && q.Name.StartsWith("segment-events-", StringComparison.Ordinal) && q.Name.Length == "segment-events-00".Length))
            .OrderBy(q => q.Name, StringComparer.Ordinal)
            .Select(q => $"{q.Name}: {q.Ready} ready, {q.Unacked} unacked, {q.Consumers} consumers").ToList();
        return busy.Count == 0 ? "every queue empty" : string.Join("; ", busy);
    }

    /// <summary>Who consumes what (management API): each consumer's queue, connection name, and whether it is the active one.</summary>
    public async Task<IReadOnlyList<(string Queue, string Connection, bool Active)>> ConsumersAsync(Uri amqpUri)
    {
        var vhost = amqpUri.AbsolutePath.TrimStart('/');
        // A consumer names its connection by the broker's name for it; the client's own name is on the connection.
        using var connections = System.Text.Json.JsonDocument.Parse(await _management.GetStringAsync($"vhosts/{vhost}/connections"));
        var clientNames = connections.RootElement.EnumerateArray().ToDictionary(
            c => c.GetProperty("name").GetString() ?? "",
            c => c.TryGetProperty("user_provided_name", out var n) ? n.GetString() ?? "" : "");
        using var json = System.Text.Json.JsonDocument.Parse(await _management.GetStringAsync($"consumers/{vhost}"));
        return [.. json.RootElement.EnumerateArray().Select(c => (
            c.GetProperty("queue").GetProperty("name").GetString() ?? "",
            c.GetProperty("channel_details") is { ValueKind: System.Text.Json.JsonValueKind.Object } channel && channel.TryGetProperty("connection_name", out var name)
                ? clientNames.GetValueOrDefault(name.GetString() ?? "", "")
                : "",
            !c.TryGetProperty("active", out var active) || active.GetBoolean()))];
    }

    public async Task DeleteVirtualHostAsync(Uri amqpUri)
    {
        var vhost = amqpUri.AbsolutePath.TrimStart('/');
        using var response = await _management.DeleteAsync($"vhosts/{vhost}");
    }

    /// <summary>
    /// Messages ready in a queue, asked over AMQP (the management API's counts lag by seconds); null when the queue
    /// does not exist.
    /// </summary>
    public static async Task<uint?> MessageCountAsync(Uri amqpUri, string queue)
    {
        if (CallQueues.Resolve(queue) is not { } view)
            return (await QueueStateAsync(amqpUri, queue))?.Messages;
        // Queues being consumed cannot be read: their ready messages count whatever their call (a worker drains them).
        uint consumed = 0;
        foreach (var real in view.Queues)
        {
            if (await QueueStateAsync(amqpUri, real) is { Consumers: > 0 } state)
                consumed += state.Messages;
        }
        return consumed + (uint)(await QueuedMessage.PeekAllAsync(amqpUri, queue)).Count;
    }

    /// <summary>Ready messages and consumers of a queue, over AMQP; null when the queue does not exist.</summary>
    public static async Task<(uint Messages, uint Consumers)?> QueueStateAsync(Uri amqpUri, string queue)
    {
        var factory = new ConnectionFactory { Uri = amqpUri };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        try
        {
            var ok = await channel.QueueDeclarePassiveAsync(queue);
            return (ok.MessageCount, ok.ConsumerCount);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// The bodies of the messages in a queue (MassTransit envelopes, as JSON text), read without taking them: they are
    /// fetched unacknowledged and go back to the queue when the channel closes. A queue that does not exist (the ingest
    /// declares a queue when it first publishes to it) holds none.
    /// </summary>
    public static async Task<IReadOnlyList<string>> PeekMessagesAsync(Uri amqpUri, string queue, int max = 10_000)
    {
        if (CallQueues.Resolve(queue) is null && await QueueStateAsync(amqpUri, queue) is null)
            return [];
        return [.. (await QueuedMessage.PeekAllAsync(amqpUri, queue)).Take(max).Select(m => m.Body)];
    }

    static async Task<RabbitMqBroker> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("SNW_TEST_RABBITMQ");
        if (!string.IsNullOrEmpty(external))
            return FromExternal(new Uri(external));

        if (await DockerIsReachableAsync())
            return await StartContainerAsync();

        return await StartLocalNodeAsync();
    }

    /// <summary>SNW_TEST_RABBITMQ=amqp://user:pass@host:port/ with the management API on port 15672 of the same host.</summary>
    static RabbitMqBroker FromExternal(Uri uri)
    {
        var userInfo = uri.UserInfo.Split(':', 2);
        var managementPort = int.TryParse(Environment.GetEnvironmentVariable("SNW_TEST_RABBITMQ_MANAGEMENT_PORT"), out var p) ? p : 15672;
        return new RabbitMqBroker(uri.Host, uri.Port, managementPort, Uri.UnescapeDataString(userInfo[0]),
            userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "", "external (SNW_TEST_RABBITMQ)", () => Task.CompletedTask);
    }

    static async Task<bool> DockerIsReachableAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host) && !host.StartsWith("unix://", StringComparison.Ordinal))
            return true; // a remote engine: let Testcontainers connect or fail with its own message
        var socket = string.IsNullOrEmpty(host) ? "/var/run/docker.sock" : host["unix://".Length..];
        if (!File.Exists(socket))
            return false;
        try
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socket));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    static async Task<RabbitMqBroker> StartContainerAsync()
    {
        var container = new RabbitMqBuilder("rabbitmq:3.13-management")
            .WithPortBinding(15672, true)
            .Build();
        await container.StartAsync();
        var amqp = new Uri(container.GetConnectionString());
        var userInfo = amqp.UserInfo.Split(':', 2);
        return new RabbitMqBroker(container.Hostname, amqp.Port, container.GetMappedPublicPort(15672),
            Uri.UnescapeDataString(userInfo[0]), Uri.UnescapeDataString(userInfo[1]), "testcontainers",
            async () => await container.DisposeAsync());
    }

    /// <summary>
    /// A node of its own, for a test that restarts the broker (the shared one serves every other test of the process):
    /// always a local <c>rabbitmq-server</c> node, since only that one can be restarted in place. Dispose it with
    /// <see cref="StopAsync"/>.
    /// </summary>
    public static Task<RabbitMqBroker> StartDedicatedAsync() => StartLocalNodeAsync(registerExit: true);

    /// <summary>
    /// Stops the broker's app (connections drop, queues and messages stay on disk) and starts it again after
    /// <paramref name="down"/>, as a broker restart does. Only for a <see cref="StartDedicatedAsync"/> node.
    /// </summary>
    public async Task RestartAppAsync(TimeSpan down)
    {
        var ctl = _ctl ?? throw new InvalidOperationException("Only a dedicated local node can be restarted.");
        await ctl("stop_app");
        await Task.Delay(down);
        await ctl("start_app");
        // Ready again once the management API answers (it starts after the AMQP listener).
        for (var i = 0; ; i++)
        {
            try
            {
                (await _management.GetAsync("overview")).EnsureSuccessStatusCode();
                return;
            }
            catch (HttpRequestException) when (i < 300)
            {
                await Task.Delay(200);
            }
        }
    }

    static Task<RabbitMqBroker> StartLocalNodeAsync() => StartLocalNodeAsync(registerExit: true);

    static async Task<RabbitMqBroker> StartLocalNodeAsync(bool registerExit)
    {
        var script = Path.Combine(RepositoryRoot(), "deploy", "local", "rabbitmq-node.sh");
        // deploy/test.sh sets SNW_TEST_RUN_ID so it can stop exactly the nodes of its own run if a test process dies.
        var run = Environment.GetEnvironmentVariable("SNW_TEST_RUN_ID") is { Length: > 0 } id ? id : Environment.ProcessId.ToString();

        // Free ports are only free until someone takes them (other test processes start nodes too): try a few.
        for (var attempt = 1; ; attempt++)
        {
            var amqpPort = FreePort();
            var managementPort = FreePort();
            var name = $"snw-test-{run}-{amqpPort}";
            var dataDir = Path.Combine(Path.GetTempPath(), name);
            try
            {
                await RunAsync(script, $"start {name} {amqpPort} {managementPort} {dataDir}",
                    "No Docker engine answered, so the tests start a local rabbitmq-server node, and that failed. " +
                    "Install it with 'apt-get install -y rabbitmq-server' (the test script does) or set SNW_TEST_RABBITMQ.");
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await RunAsync(script, $"stop {name} {dataDir} --purge", "cleaning up a test broker that did not start");
                continue;
            }

            var broker = new RabbitMqBroker("127.0.0.1", amqpPort, managementPort, "guest", "guest", "local rabbitmq-server",
                () => RunAsync(script, $"stop {name} {dataDir} --purge", "stopping the test broker"));
            broker._ctl = command => RunAsync(script, $"ctl {name} {dataDir} rabbitmqctl {command}", $"rabbitmqctl {command} on the test broker");
            if (registerExit)
                AppDomain.CurrentDomain.ProcessExit += (_, _) => broker._stop().GetAwaiter().GetResult();
            return broker;
        }
    }

    /// <summary>Stops the node or container; for tests that prove what happens while the broker is down.</summary>
    public Task StopAsync() => _stop();

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        // The node also takes AMQP port + 20000 for Erlang distribution (as RabbitMQ does by default): keep both in range.
        return port is > 1024 and < 45000 ? port : FreePort();
    }

    static async Task RunAsync(string script, string arguments, string failure)
    {
        var start = new ProcessStartInfo("bash", $"{script} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException(failure);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{failure}\n{await stdout}\n{await stderr}");
    }

    /// <summary>The folder holding SegmentNovuWorker.sln, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SegmentNovuWorker.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("SegmentNovuWorker.sln not found above " + AppContext.BaseDirectory);
    }
}
