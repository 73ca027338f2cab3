using System.Diagnostics;
using SegmentNovuWorker.Admin.DeliveryLog;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Operations.DeliveryLog;

/// <summary>
/// <c>-- delivery-log-search [events]</c>: how fast the admin's index answers over a full retention. Indexes [events]
/// (1,000,000) events of 50,000 users, three steps each (attempt, delivered; one in fifty dead-lettered instead), spread
/// over seven days, as the indexer writes them (a stream message of 500 steps a transaction), then times searches.
/// </summary>
static class DeliveryLogSearchMeasurement
{
    public static void Run(int events)
    {
        var folder = Directory.CreateTempSubdirectory("snw-delivery-log-search-");
        try
        {
            using var index = new DeliveryLogIndex(Path.Combine(folder.FullName, "index.db"));
            var start = DateTimeOffset.UtcNow - TimeSpan.FromDays(7);
            var step = TimeSpan.FromDays(7) / events;
            var clock = Stopwatch.StartNew();
            var batch = new List<DeliveryStep>(500);
            long offset = 0;
            for (var i = 0; i < events; i++)
            {
                var at = start + step * i;
                var user = $"user-{i % 50_000}";
                var id = $"m-{i}";
                var failed = i % 50 == 0;
                batch.Add(new DeliveryStep(at, id, failed ? DeliverySteps.AttemptFailed : DeliverySteps.Attempt, "track", user, user, Event: "User Registered",
                    Workflow: "welcome", Endpoint: "POST /v1/events/trigger", HttpStatus: failed ? 422 : 201, NovuStatus: failed ? null : "processed",
                    TransactionId: id, DurationMs: 12.5));
                batch.Add(new DeliveryStep(at, id, failed ? DeliverySteps.DeadLettered : DeliverySteps.Delivered, "track", user, Reason: failed ? "novu-rejected" : null));
                if (batch.Count >= 500)
                {
                    index.Add(offset++, batch);
                    batch.Clear();
                }
            }
            index.Add(offset, batch);
            var size = new DirectoryInfo(folder.FullName).EnumerateFiles().Sum(f => f.Length);
            Console.WriteLine($"indexed {events} events ({2L * events} steps, 7 days) in {clock.Elapsed.TotalSeconds:0.0} s: " +
                $"{2L * events / clock.Elapsed.TotalSeconds:0} steps/s; the file {size / 1e6:0} MB");
            Time(index, "one user's timeline", new DeliveryLogFilter(User: "user-4242"));
            Time(index, "one messageId", new DeliveryLogFilter(MessageId: "m-777777"));
            Time(index, "an event name, dead-lettered, last day", new DeliveryLogFilter(Event: "User Registered", Outcome: DeliverySteps.DeadLettered, Since: DateTimeOffset.UtcNow - TimeSpan.FromDays(1)));
            Time(index, "a workflow, newest 100", new DeliveryLogFilter(Workflow: "welcome"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }

    static void Time(DeliveryLogIndex index, string what, DeliveryLogFilter filter)
    {
        var clock = Stopwatch.StartNew();
        var page = index.Search(filter);
        Console.WriteLine($"  {what}: {page.Steps.Count} steps in {clock.Elapsed.TotalMilliseconds:0} ms");
    }
}
