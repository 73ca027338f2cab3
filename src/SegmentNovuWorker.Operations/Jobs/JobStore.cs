using System.Text.Json;
using SegmentNovuWorker.Operations.DeadLetters;

namespace SegmentNovuWorker.Operations.Jobs;

/// <summary>
/// Bulk jobs on disk, one folder: <c>{id}.json</c> (its state, replaced whole by an atomic rename, so a reader or a crash
/// never sees half of it), <c>{id}.results.ndjson</c> (one line per message, appended and flushed as each is handled) and,
/// for a purge, <c>{id}.purged.ndjson</c> (each dead letter as it was, written before it was removed).
/// </summary>
/// <remarks>
/// Why files, and not the broker or memory: memory does not survive a restart; RabbitMQ is a queue, not a place to look
/// records up or update them. The broker is what keeps two jobs from moving one message (a message a job holds is unacked,
/// so nobody else gets it); this store only keeps what each job did. One admin process owns a folder.
/// </remarks>
public sealed class JobStore
{
    readonly string _folder;
    readonly Lock _gate = new();

    public JobStore(string folder)
    {
        _folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(_folder);
    }

    public string Folder => _folder;

    public void Save(BulkJob job)
    {
        var path = StatePath(job.Id);
        var temporary = path + ".tmp";
        lock (_gate)
        {
            File.WriteAllText(temporary, JsonSerializer.Serialize(job, OperationsJson.Options));
            File.Move(temporary, path, overwrite: true);
        }
    }

    public BulkJob? Find(string id) =>
        IsJobId(id) && File.Exists(StatePath(id)) ? Read(StatePath(id)) : null;

    /// <summary>Every job, the newest first.</summary>
    public IReadOnlyList<BulkJob> List() =>
        [.. Directory.EnumerateFiles(_folder, "*.json").Select(Read).OfType<BulkJob>().OrderByDescending(j => j.StartedAt)];

    public void Append(string id, MoveOutcome outcome)
    {
        lock (_gate)
            File.AppendAllText(ResultsPath(id), JsonSerializer.Serialize(outcome, OperationsJson.Options) + "\n");
    }

    /// <summary>What the job did to each message, in order.</summary>
    public IReadOnlyList<MoveOutcome> Results(string id)
    {
        if (!IsJobId(id) || !File.Exists(ResultsPath(id)))
            return [];
        lock (_gate)
            return [.. File.ReadAllLines(ResultsPath(id)).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<MoveOutcome>(l, OperationsJson.Options)!)];
    }

    /// <summary>Where a purge writes each dead letter before removing it.</summary>
    public string PurgedPath(string id) => Path.Combine(_folder, id + ".purged.ndjson");

    /// <summary>Ids are made here (<see cref="NewId"/>); anything else is refused before it becomes a path.</summary>
    public static bool IsJobId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    public static string NewId() => Guid.NewGuid().ToString("N");

    string StatePath(string id) => Path.Combine(_folder, id + ".json");

    string ResultsPath(string id) => Path.Combine(_folder, id + ".results.ndjson");

    static BulkJob? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<BulkJob>(File.ReadAllText(path), OperationsJson.Options);
        }
        catch (JsonException)
        {
            return null; // not a job's state (the folder is ours, but be tolerant of a stray file)
        }
    }
}
