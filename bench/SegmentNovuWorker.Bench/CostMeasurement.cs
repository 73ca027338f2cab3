using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using SegmentNovuWorker.Contracts;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Testing;

/// <summary>
/// <c>dotnet run -c Release --project bench/SegmentNovuWorker.Bench -- cost [events] [backlog]</c>: issue 17's cost of an
/// event, side by side in one run on one broker, a fresh stack (and so a fresh Novu stand-in) per measure, Novu's buckets
/// and the ingest's rate limits unbounded. [events] (5000) track events of 1000 users:
/// <list type="number">
/// <item>what Segment's Destination Function does, no broker: each event one trigger straight to the stand-in, 16 in flight;</item>
/// <item>the same events published with RabbitMQ.Client alone, confirmed and persistent, into a quorum queue: the broker's price;</item>
/// <item>this service end to end, Actions-style batches of 100, 4 in flight, Novu answering at 0 ms and at 30 ms;</item>
/// <item>single-event webhooks, 32 in flight ([events] / 5 of them): each request's time;</item>
/// <item>an open loop of 1,000 single-event requests a second for 10 s: each request's time from when it was due;</item>
/// <item>the worker as its own process draining a backlog of [backlog] (100,000) tracks: its peak RSS and drain rate.</item>
/// </list>
/// </summary>
static class CostMeasurement
{
    const int Users = 1000;
    const string TrackName = "User Registered";

    /// <summary>
    /// Events sent through each measure's stack before its clock starts, so that no measure pays for opening connections
    /// or for compiling code the one before did not run (measure 3's first stack is the run's first worker).
    /// </summary>
    const int WarmUp = 100;

    /// <summary>The envelope as the service's buses write it: MassTransit 8.5's serializer, nulls included, not indented
    /// (<c>BusConfiguration.UseSegmentNovuHost</c>).</summary>
    static readonly JsonSerializerOptions EnvelopeJson = new(JsonSerializerOptions.Web) { WriteIndented = false };

    public static async Task RunAsync(int events, int backlog)
    {
        Console.WriteLine($"cost of an event: {events} track events of {Users} users; Novu's buckets and the ingest's rate limits unbounded");
        await WarmProcessAsync(events);
        var seed = await SeedLoopAsync(events);
        var raw = await RawPublishAsync(events);
        var (ingest, atOnce) = await BatchedAsync(events, "00:00:00");
        var (_, at30) = await BatchedAsync(events, "00:00:00.030");
        Console.WriteLine($"   end to end (Novu 0 ms) / seed direct loop:     {atOnce / seed:0.00} (goal >= 1.0)");
        Console.WriteLine($"   batched ingest / raw confirmed publish:        {ingest / raw:0.00} (goal >= 0.9)");
        Console.WriteLine($"   end to end at Novu 30 ms / at 0 ms:            {at30 / atOnce:0.00} (goal >= 0.9)");
        await SingleEventsAsync(events / 5);
        await OpenLoopAsync(rate: 1000, TimeSpan.FromSeconds(10));
        if (backlog > 0)
            await BacklogAsync(backlog);
    }

    /// <summary>
    /// 0. The service end to end once, [events] events, untimed: a fresh .NET process spends its first tens of seconds
    /// compiling code (tiered JIT: in perf, over a quarter of a new worker's CPU), and every measure but 6 runs in this
    /// process, so without this the first measure of the service would pay for the first compilation and the seed loop
    /// would not. It does not make measure 3 free of the JIT: perf still shows the tiered-compilation thread at 13-20 % of
    /// this process's CPU during measure 3 (each measure starts new hosts). Measure 6 starts a worker process of its own
    /// and shows its start-up cost by fifth of its drain.
    /// </summary>
    static async Task WarmProcessAsync(int events)
    {
        var clock = Stopwatch.StartNew();
        var jit = System.Runtime.JitInfo.GetCompilationTime();
        await using var stack = await SegmentNovuStack.StartAsync(Settings());
        await PostBatchesAsync(stack, "process-warm", events);
        await WaitForTriggersAsync(stack, events);
        Console.WriteLine($"0. warm-up, the service end to end once ({events} events, untimed): {clock.Elapsed.TotalSeconds:0.0} s, " +
            $"{(System.Runtime.JitInfo.GetCompilationTime() - jit).TotalSeconds:0.0} s in the JIT (wall clock over the threads)");
    }

    /// <summary>Measures 1 and 2 alone: what the service is compared with, with their CPU per event, to profile beside measure 3.</summary>
    public static async Task BaselinesAsync(int events)
    {
        await SeedLoopAsync(events);
        await RawPublishAsync(events);
    }

    /// <summary>1. N triggers, 16 in flight, as a Destination Function sends them, each awaiting Novu's answer.</summary>
    static async Task<double> SeedLoopAsync(int events)
    {
        await using var stack = await SegmentNovuStack.StartAsync(Settings(), startWorker: false);
        var workflow = stack.Settings[$"Novu:Workflows:{TrackName}"]!;
        using var novu = new HttpClient { BaseAddress = stack.NovuUrl, Timeout = TimeSpan.FromSeconds(30) };
        novu.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", SegmentNovuStack.NovuApiKey);
        Task TriggerAsync(string run, int count) =>
            Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            {
                // The body the worker renders for this track (MappingRule.Render, today's form of Novu:Workflows).
                var trigger = new TriggerRequest(workflow, new JsonObject { ["subscriberId"] = User(i) }, Properties(i), MessageId(run, i));
                using var response = await novu.PostAsync("v1/events/trigger", Json(JsonSerializer.Serialize(trigger, NovuClient.Json)), ct);
                response.EnsureSuccessStatusCode();
            });
        await TriggerAsync("warm", WarmUp);
        var cpu = new CpuMeter();
        var clock = Stopwatch.StartNew();
        await TriggerAsync("seed", events);
        var rate = events / clock.Elapsed.TotalSeconds;
        var used = cpu.PerEvent(events);
        if (stack.Novu.Notifications.Count != WarmUp + events)
            throw new InvalidOperationException($"The stand-in triggered {stack.Novu.Notifications.Count} of {WarmUp + events}.");
        Console.WriteLine($"1. seed-shaped direct loop (trigger per event, 16 in flight, no broker): {rate,8:0} events/s");
        Console.WriteLine($"   {used}");
        return rate;
    }

    /// <summary>2. N envelope-sized messages, RabbitMQ.Client alone, confirmed and persistent, into a scratch quorum queue.</summary>
    static async Task<double> RawPublishAsync(int events)
    {
        var broker = await RabbitMqBroker.GetAsync();
        var vhost = await broker.CreateVirtualHostAsync();
        try
        {
            await using var connection = await new ConnectionFactory { Uri = vhost }.CreateConnectionAsync();
            await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(
                publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            var queue = "cost-raw-publish";
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                arguments: new Dictionary<string, object?> { [QueueArguments.QueueType] = "quorum" });
            try
            {
                // 16 publishes in flight on the one channel, each awaiting its own confirm (tracking on), as the seed
                // loop keeps 16 triggers in flight; mandatory, as the ingest publishes.
                Task PublishAsync(int count) => Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
                {
                    var properties = new BasicProperties
                    {
                        Persistent = true,
                        ContentType = "application/vnd.masstransit+json",
                        MessageId = Guid.NewGuid().ToString(),
                        Headers = new Dictionary<string, object?>
                        {
                            [DeadLetterHeaders.SegmentMessageId] = MessageId("raw", i),
                            [DeadLetterHeaders.SegmentCall] = SegmentCalls.Track.Name,
                            [DeadLetterHeaders.UserKey] = User(i),
                        },
                    };
                    await channel.BasicPublishAsync("", queue, mandatory: true, properties, Envelope(i), ct);
                });
                await PublishAsync(WarmUp);
                var size = Envelope(0).Length;
                var cpu = new CpuMeter();
                var clock = Stopwatch.StartNew();
                await PublishAsync(events);
                var rate = events / clock.Elapsed.TotalSeconds;
                Console.WriteLine($"2. raw confirmed publish (RabbitMQ.Client, 16 in flight, persistent, quorum queue, {size} B bodies): {rate,8:0} events/s");
                Console.WriteLine($"   {cpu.PerEvent(events)}");
                return rate;
            }
            finally
            {
                await channel.QueueDeleteAsync(queue);
            }
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(vhost);
        }
    }

    /// <summary>3. N tracks in batches of 100, 4 in flight, until Novu triggered every one: the ingest and end-to-end rates.</summary>
    public static async Task<(double Ingest, double EndToEnd)> BatchedAsync(int events, string novuDelay)
    {
        await using var stack = await SegmentNovuStack.StartAsync(Settings(("StandIn:Delays:Triggers", novuDelay)));
        await WarmUpAsync(stack);
        var cpu = new CpuMeter();
        var clock = Stopwatch.StartNew();
        await PostBatchesAsync(stack, "batched", events);
        var ingested = clock.Elapsed;
        await WaitForTriggersAsync(stack, WarmUp + events);
        var (ingest, endToEnd) = (events / ingested.TotalSeconds, events / clock.Elapsed.TotalSeconds);
        Console.WriteLine($"3. this service, batches of 100, 4 in flight, Novu {TimeSpan.Parse(novuDelay, System.Globalization.CultureInfo.InvariantCulture).TotalMilliseconds:0} ms: " +
            $"ingest {ingest,8:0} events/s (every request 2xx: broker-confirmed), end to end {endToEnd,8:0} events/s");
        Console.WriteLine($"   {cpu.PerEvent(events)}, ingest and worker together");
        return (ingest, endToEnd);
    }

    /// <summary>4. Single-event webhooks, 32 in flight: each request's time, and the end-to-end rate.</summary>
    static async Task SingleEventsAsync(int requests)
    {
        await using var stack = await SegmentNovuStack.StartAsync(Settings());
        await WarmUpAsync(stack);
        using var client = stack.CreateIngestClient();
        var latencies = new List<double>(requests);
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
        {
            var sent = Stopwatch.StartNew();
            using var response = await client.PostAsync("/webhooks/segment", Json(Track("single", i)), ct);
            response.EnsureSuccessStatusCode();
            lock (latencies)
                latencies.Add(sent.Elapsed.TotalMilliseconds);
        });
        await WaitForTriggersAsync(stack, WarmUp + requests);
        latencies.Sort();
        Console.WriteLine($"4. single-event webhooks, 32 in flight, {requests} requests: p50 {Percentile(latencies, 0.50):0.0} ms, " +
            $"p99 {Percentile(latencies, 0.99):0.0} ms; end to end {requests / clock.Elapsed.TotalSeconds,8:0} events/s");
    }

    /// <summary>
    /// 5. An open loop: each single-event request starts at its due time whatever the earlier ones did, and its time is
    /// counted from when it was due, so a pacing loop that fell behind shows as latency rather than hiding it.
    /// </summary>
    static async Task OpenLoopAsync(int rate, TimeSpan duration)
    {
        await using var stack = await SegmentNovuStack.StartAsync(Settings());
        await WarmUpAsync(stack);
        using var client = stack.CreateIngestClient();
        var total = (int)(rate * duration.TotalSeconds);
        var latencies = new double[total];
        var statuses = new int[total];
        var requests = new List<Task>(total);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due - clock.Elapsed is { TotalMilliseconds: >= 1 } wait)
                await Task.Delay(wait);
            requests.Add(SendAsync(i, due));
        }
        var sending = clock.Elapsed;
        await Task.WhenAll(requests);

        async Task SendAsync(int i, TimeSpan due)
        {
            try
            {
                using var response = await client.PostAsync("/webhooks/segment", Json(Track("open", i)));
                statuses[i] = (int)response.StatusCode;
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                statuses[i] = 0; // no answer (refused, reset, or the client's 30 s timeout)
            }
            latencies[i] = (clock.Elapsed - due).TotalMilliseconds;
        }

        var accepted = statuses.Count(s => s is >= 200 and < 300);
        await WaitForTriggersAsync(stack, WarmUp + accepted);
        var sorted = latencies.Order().ToList();
        Console.WriteLine($"5. open loop, {rate} single-event requests/s for {duration.TotalSeconds:0} s ({total} sent in {sending.TotalSeconds:0.0} s): " +
            $"p50 {Percentile(sorted, 0.50):0.0} ms, p99 {Percentile(sorted, 0.99):0.0} ms (goal <= 50 ms), max {sorted[^1]:0} ms; " +
            $"{total - accepted} not 2xx{Breakdown(statuses)}");
    }

    /// <summary>
    /// 6. [backlog] tracks wait in the partition queues before the worker starts, as its own process; its RSS sampled every
    /// 250 ms until Novu triggered every one.
    /// </summary>
    public static async Task BacklogAsync(int backlog)
    {
        await using var stack = await SegmentNovuStack.StartAsync(Settings(), startWorker: false);
        var posting = new CpuMeter();
        var posted = Stopwatch.StartNew();
        await PostBatchesAsync(stack, "backlog", backlog);
        Console.WriteLine($"6. ingest alone (no worker), batches of 100, 4 in flight: {backlog / posted.Elapsed.TotalSeconds,8:0} events/s; " +
            $"{posting.PerEvent(backlog)}, this process being the ingest");
        // SNW_BENCH_WORKER_HEAP_LIMIT (bytes, hex as 0x…): the worker's GC heap limit, as a container's memory limit sets
        // it (75 % of the limit: 0x18000000 for deploy/k8s's 512Mi), to see whether the backlog fits in that pod.
        var settings = new Dictionary<string, string?>(stack.Settings);
        if (Environment.GetEnvironmentVariable("SNW_BENCH_WORKER_HEAP_LIMIT") is { Length: > 0 } heapLimit)
            settings["DOTNET_GCHeapHardLimit"] = heapLimit;
        // SNW_BENCH_WORKER_ENV ("NAME=value;NAME=value"): more environment for the worker process alone, such as the GC's
        // DOTNET_ settings, so they can be priced without touching the bench's own process.
        foreach (var pair in (Environment.GetEnvironmentVariable("SNW_BENCH_WORKER_ENV") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            if (pair.Split('=', 2) is not [var name, var value])
                throw new ArgumentException($"SNW_BENCH_WORKER_ENV: '{pair}' is not NAME=value.");
            settings[name] = value;
        }
        using var worker = WorkerProcess.Start(settings);
        using var process = Process.GetProcessById(worker.Id);
        var draining = new CpuMeter(process);
        var clock = Stopwatch.StartNew();
        long peak = 0;
        var (progress, progressAt) = (0, clock.Elapsed);
        // The worker's CPU per event in each fifth of the drain: a fresh process pays for compiling its code (tiered JIT)
        // in the first ones, so the last fifth is the closest to a long-running worker.
        var fifths = new List<string>();
        var (fifthCpu, fifthAt) = (process.TotalProcessorTime, 0);
        void EndFifth(int reached)
        {
            process.Refresh();
            fifths.Add($"{(process.TotalProcessorTime - fifthCpu).TotalMilliseconds / Math.Max(1, reached - fifthAt):0.000}");
            (fifthCpu, fifthAt) = (process.TotalProcessorTime, reached);
        }
        while (stack.Novu.Notifications.Count < backlog)
        {
            if (stack.Novu.Notifications.Count is var reached && reached - fifthAt >= backlog / 5)
                EndFifth(reached);
            // A drain that stops short must say so, with what the worker wrote, not only time out.
            if (stack.Novu.Notifications.Count is var count && count != progress)
                (progress, progressAt) = (count, clock.Elapsed);
            else if (clock.Elapsed - progressAt > TimeSpan.FromSeconds(60))
            {
                Console.WriteLine($"   no trigger for 60 s at {progress} of {backlog}; the worker's last lines:\n     " + string.Join("\n     ", worker.Output.TakeLast(30)));
                progressAt = clock.Elapsed;
            }
            if (worker.HasExited)
                throw new InvalidOperationException("The worker process ended:\n" + string.Join("\n", worker.Output.TakeLast(20)));
            if (clock.Elapsed > TimeSpan.FromMinutes(30))
                throw new TimeoutException($"The worker triggered {stack.Novu.Notifications.Count} of {backlog} in 30 min.");
            process.Refresh();
            peak = Math.Max(peak, process.WorkingSet64);
            await Task.Delay(250);
        }
        EndFifth(backlog);
        var drainCpu = draining.PerEvent(backlog);
        // The kernel's own high-water mark catches a peak between two samples.
        var highWater = StatusKilobytes(worker.Id, "VmHWM") / 1024.0;
        var notifications = stack.Novu.Notifications;
        var drained = notifications.Max(n => n.At) - notifications.Min(n => n.At);
        Console.WriteLine($"6. worker process draining a backlog of {backlog} tracks: peak RSS {peak / 1024.0 / 1024.0:0} MB sampled every 250 ms " +
            $"(VmHWM {highWater:0} MB; goal <= 200 MB); drain {backlog / drained.TotalSeconds,8:0} events/s (first to last trigger), " +
            $"{clock.Elapsed.TotalSeconds:0.0} s from the process's start");
        Console.WriteLine($"   {drainCpu}, this process being the Novu stand-in; the worker's ms per event by fifth of the drain: {string.Join(", ", fifths)}");
        Console.WriteLine("   ingest RSS: not printed, the ingest ran in this bench's process beside the stand-in (-- actions-batch measures it as its own process)");
    }

    /// <summary>
    /// 7. Users per request: the ingest alone (no worker), batches of 100 (or [batch]) whose events belong to as many, 10 or 1 users, 4
    /// requests in flight: the rate and each request's time. A user's events are published one after another, each after
    /// the previous one's confirm (per-user order), so a request of one user pays one confirm round trip per event.
    /// </summary>
    public static async Task UsersPerRequestAsync(int events, int batchSize = 100)
    {
        // Batches larger than 100 (an Actions batch holds up to 4000) go one at a time, as one Segment batch would.
        var inFlight = batchSize > 100 ? 1 : 4;
        foreach (var usersPerRequest in new[] { batchSize, 10, 1 })
        {
            await using var stack = await SegmentNovuStack.StartAsync(Settings(), startWorker: false);
            // A 503 is retried at once, as Segment retries it (after its own backoff): a request's time is until its 2xx.
            var shape = new BatchShape(batchSize, inFlight, (run, i) => $"{run}-{i / batchSize}-{i % usersPerRequest}", Attempts: []);
            await PostBatchesAsync(stack, "warm", batchSize * inFlight, shape);
            var latencies = new List<double>();
            var attempts = new List<int>();
            var cpu = new CpuMeter();
            var clock = Stopwatch.StartNew();
            await PostBatchesAsync(stack, $"mix{usersPerRequest}", events, shape with { Latencies = latencies, Attempts = attempts });
            var elapsed = clock.Elapsed;
            latencies.Sort();
            Console.WriteLine($"7. ingest alone, batches of {batchSize} events of {usersPerRequest,3} user(s) each, {inFlight} in flight: {events / elapsed.TotalSeconds,8:0} events/s; " +
                $"request p50 {Percentile(latencies, 0.50):0.0} ms, p99 {Percentile(latencies, 0.99):0.0} ms; " +
                $"{attempts.Count(a => a > 1)} of {attempts.Count} requests needed more than one attempt (at most {attempts.Max()}); {cpu.PerEvent(events)}");
        }
    }

    /// <summary>How <see cref="PostBatchesAsync"/> posts: events a request, requests in flight, whose events they are
    /// (run and index to userId; <see cref="User"/> when null), where each request's time goes (nowhere when null), and
    /// whether a 503 is retried (<paramref name="Attempts"/> not null: each request's attempts go there) or fails the run.</summary>
    internal sealed record BatchShape(int Size = 100, int InFlight = 4, Func<string, int, string>? UserOf = null, List<double>? Latencies = null,
        List<int>? Attempts = null);

    /// <summary>Attempts of one request before it fails the run, when 503s are retried.</summary>
    const int MaxAttempts = 20;

    /// <summary>
    /// Actions-style batches (100 events, 4 requests in flight, unless <paramref name="shape"/> says otherwise); every
    /// request must be answered 2xx (broker-confirmed), and one that is not says what it was answered and when.
    /// </summary>
    internal static async Task PostBatchesAsync(SegmentNovuStack stack, string run, int events, BatchShape? shape = null)
    {
        var (batchSize, inFlight, userOf, latencies, attempts) = shape ?? new BatchShape();
        using var client = stack.CreateIngestClient();
        await Parallel.ForEachAsync(Enumerable.Range(0, (events + batchSize - 1) / batchSize), new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (b, ct) =>
        {
            var body = "[" + string.Join(",", Enumerable.Range(b * batchSize, Math.Min(batchSize, events - b * batchSize))
                .Select(i => Track(run, i, userOf?.Invoke(run, i)))) + "]";
            var sent = Stopwatch.StartNew();
            for (var attempt = 1; ; attempt++)
            {
                using var response = await client.PostAsync("/webhooks/segment", Json(body), ct);
                if (response.IsSuccessStatusCode)
                {
                    if (attempts is not null)
                        lock (attempts)
                            attempts.Add(attempt);
                    break;
                }
                if (attempts is null || response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == MaxAttempts)
                    throw new InvalidOperationException($"A request of {batchSize} events was answered {(int)response.StatusCode} after " +
                        $"{sent.Elapsed.TotalSeconds:0.0} s (attempt {attempt}): {await response.Content.ReadAsStringAsync(ct)}");
            }
            if (latencies is not null)
                lock (latencies)
                    latencies.Add(sent.Elapsed.TotalMilliseconds);
        });
    }

    internal static async Task WarmUpAsync(SegmentNovuStack stack)
    {
        await PostBatchesAsync(stack, "warm", WarmUp);
        await WaitForTriggersAsync(stack, WarmUp);
    }

    internal static Task WaitForTriggersAsync(SegmentNovuStack stack, int events) =>
        SegmentNovuStack.WaitUntilAsync(() => stack.Novu.Notifications.Count >= events, "every event was triggered", TimeSpan.FromMinutes(10));

    // The apps' appsettings.json log MassTransit's bus starts and endpoints at Information.
    internal static Dictionary<string, string?> Settings(params (string Key, string? Value)[] extra) =>
        BenchSettings.Unbounded([("Logging:LogLevel:MassTransit", "Warning"), .. extra]);

    static string MessageId(string run, int i) => $"cost-{run}-{i}";

    static string User(int i) => $"u-{i % Users}";

    static JsonObject Properties(int i) => new() { ["plan"] = "Pro", ["i"] = i };

    static string Track(string run, int i, string? userId = null) => new JsonObject
    {
        ["type"] = "track",
        ["messageId"] = MessageId(run, i),
        ["userId"] = userId ?? User(i),
        ["event"] = TrackName,
        ["properties"] = Properties(i),
    }.ToJsonString();

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>
    /// The envelope the ingest publishes for this track, field for field as MassTransit writes it (about 1.4 KB: read
    /// off a partition queue), so the broker stores and confirms the same bytes as in measure 3.
    /// </summary>
    static byte[] Envelope(int i) => JsonSerializer.SerializeToUtf8Bytes(new
    {
        messageId = Guid.NewGuid(),
        requestId = (Guid?)null,
        correlationId = (Guid?)null,
        conversationId = Guid.NewGuid(),
        initiatorId = (Guid?)null,
        sourceAddress = "rabbitmq://127.0.0.1:5672/test-0123456789ab/vm_SegmentNovuWorkerIngest_bus_cw6oyyfhb7ndyi4sbdxiyqdhhw?temporary=true",
        destinationAddress = "rabbitmq://127.0.0.1:5672/test-0123456789ab/SegmentNovuWorker.Contracts:TrackEvent",
        responseAddress = (string?)null,
        faultAddress = (string?)null,
        messageType = new[] { "urn:message:SegmentNovuWorker.Contracts:TrackEvent", "urn:message:SegmentNovuWorker.Contracts:ISegmentEvent" },
        message = new TrackEvent(MessageId("raw", i), User(i), null, null, null, TrackName, JsonSerializer.SerializeToElement(Properties(i))),
        expirationTime = (DateTimeOffset?)null,
        sentTime = DateTimeOffset.UtcNow,
        headers = new Dictionary<string, string>
        {
            [DeadLetterHeaders.SegmentMessageId] = MessageId("raw", i),
            [DeadLetterHeaders.SegmentCall] = SegmentCalls.Track.Name,
            [DeadLetterHeaders.UserKey] = User(i),
            ["MT-Activity-Id"] = "00-a41bbb1330c5abfd886046dfa601f667-033f0ca51fe82900-01",
        },
        host = new
        {
            machineName = Environment.MachineName,
            processName = "SegmentNovuWorker.Ingest",
            processId = Environment.ProcessId,
            assembly = "SegmentNovuWorker.Ingest",
            assemblyVersion = "1.0.0.0",
            frameworkVersion = Environment.Version.ToString(),
            massTransitVersion = "8.5.12.0",
            operatingSystemVersion = Environment.OSVersion.ToString(),
        },
    }, EnvelopeJson);

    static double Percentile(IReadOnlyList<double> sorted, double share) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * share))];

    /// <summary>", by status: 503 × 12, no answer × 3" for the requests not answered 2xx; empty when there are none.</summary>
    static string Breakdown(int[] statuses)
    {
        var failed = statuses.Where(s => s is < 200 or >= 300).GroupBy(s => s).OrderBy(g => g.Key)
            .Select(g => $"{(g.Key == 0 ? "no answer" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))} × {g.Count()}").ToList();
        return failed.Count == 0 ? "" : " (" + string.Join(", ", failed) + ")";
    }

    static long StatusKilobytes(int pid, string field)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
