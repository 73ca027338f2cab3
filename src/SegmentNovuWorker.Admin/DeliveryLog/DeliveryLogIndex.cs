using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using SegmentNovuWorker.Messaging.DeliveryLog;
using SegmentNovuWorker.Operations.DeliveryLog;

namespace SegmentNovuWorker.Admin.DeliveryLog;

/// <summary>
/// The admin process's index of the delivery log: an SQLite file on its volume (<c>Admin:DeliveryLogIndexPath</c>) with
/// every step read from the stream and, per event, who it is about, its event name and workflows. The stream is the
/// record; this is a copy made to be searched, so a lost or deleted file is simply read again from the stream's start.
/// Steps that fell out of the stream's retention are deleted here too (<see cref="Prune"/>).
/// </summary>
public sealed class DeliveryLogIndex : IDisposable
{
    readonly string _connectionString;
    readonly SqliteConnection _writer;

    public DeliveryLogIndex(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Private }.ToString();
        _writer = new SqliteConnection(_connectionString);
        _writer.Open();
        Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS steps (
                stream_offset INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL, message_id TEXT NOT NULL,
                step TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (stream_offset, seq));
            CREATE INDEX IF NOT EXISTS steps_by_message ON steps (message_id, at);
            CREATE INDEX IF NOT EXISTS steps_by_time ON steps (at);
            CREATE TABLE IF NOT EXISTS events (
                message_id TEXT PRIMARY KEY, user_key TEXT, user_id TEXT, anonymous_id TEXT, event TEXT, steps TEXT);
            CREATE INDEX IF NOT EXISTS events_by_user_key ON events (user_key);
            CREATE INDEX IF NOT EXISTS events_by_user_id ON events (user_id);
            CREATE INDEX IF NOT EXISTS events_by_anonymous_id ON events (anonymous_id);
            CREATE INDEX IF NOT EXISTS events_by_event ON events (event);
            CREATE TABLE IF NOT EXISTS event_workflows (workflow TEXT NOT NULL, message_id TEXT NOT NULL, PRIMARY KEY (workflow, message_id)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
    }

    /// <summary>The stream offset to read from next; null when the index is new (read the stream from its start).</summary>
    public long? NextOffset
    {
        get
        {
            using var command = _writer.CreateCommand();
            command.CommandText = "SELECT value FROM meta WHERE key = 'next_offset'";
            return command.ExecuteScalar() is string text ? long.Parse(text, CultureInfo.InvariantCulture) : null;
        }
    }

    /// <summary>The newest step indexed.</summary>
    public DateTimeOffset? IndexedThrough
    {
        get
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT max(at) FROM steps";
            return command.ExecuteScalar() is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
        }
    }

    /// <summary>Adds the steps of one stream message and moves the offset past it, in one transaction.</summary>
    public void Add(long offset, IReadOnlyList<DeliveryStep> steps)
    {
        using var transaction = _writer.BeginTransaction();
        var seq = 0;
        foreach (var step in steps)
        {
            if (step.Step == DeliverySteps.Marker)
                continue;
            Execute("""
                INSERT OR IGNORE INTO steps (stream_offset, seq, at, message_id, step, json) VALUES ($offset, $seq, $at, $message, $step, $json);
                INSERT INTO events (message_id, user_key, user_id, anonymous_id, event, steps)
                VALUES ($message, $userKey, $userId, $anonymousId, $event, ',' || $step || ',')
                ON CONFLICT (message_id) DO UPDATE SET
                    user_key = coalesce(user_key, excluded.user_key),
                    user_id = coalesce(user_id, excluded.user_id),
                    anonymous_id = coalesce(anonymous_id, excluded.anonymous_id),
                    event = coalesce(event, excluded.event),
                    steps = CASE WHEN instr(steps, ',' || $step || ',') > 0 THEN steps ELSE steps || $step || ',' END;
                INSERT OR IGNORE INTO event_workflows (workflow, message_id) SELECT $workflow, $message WHERE $workflow IS NOT NULL;
                """, transaction,
                ("$offset", offset), ("$seq", seq++), ("$at", step.At.ToUnixTimeMilliseconds()), ("$message", step.MessageId),
                ("$step", step.Step), ("$json", JsonSerializer.Serialize(step with { Offset = offset }, DeliveryLogStream.Json)),
                ("$userKey", step.UserKey), ("$userId", step.UserId), ("$anonymousId", step.AnonymousId), ("$event", step.Event),
                ("$workflow", step.Workflow));
        }
        Execute("INSERT INTO meta (key, value) VALUES ('next_offset', $next) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            transaction, ("$next", (offset + 1).ToString(CultureInfo.InvariantCulture)));
        transaction.Commit();
    }

    /// <summary>Forgets steps older than <paramref name="before"/> (the stream's retention has dropped them too).</summary>
    public void Prune(DateTimeOffset before)
    {
        using var transaction = _writer.BeginTransaction();
        Execute("""
            DELETE FROM steps WHERE at < $before;
            DELETE FROM events WHERE NOT EXISTS (SELECT 1 FROM steps WHERE steps.message_id = events.message_id);
            DELETE FROM event_workflows WHERE NOT EXISTS (SELECT 1 FROM events WHERE events.message_id = event_workflows.message_id);
            """, transaction, ("$before", before.ToUnixTimeMilliseconds()));
        transaction.Commit();
    }

    public DeliveryLogPage Search(DeliveryLogFilter filter)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        // Only the conditions asked for, so SQLite can use its indexes (an "$x IS NULL OR …" would keep it from them).
        var events = new List<string>();
        if (filter.User is not null)
            events.Add("""
                e.message_id IN (SELECT message_id FROM events WHERE user_key = $user
                                 UNION SELECT message_id FROM events WHERE user_id = $user
                                 UNION SELECT message_id FROM events WHERE anonymous_id = $user)
                """);
        if (filter.MessageId is not null)
            events.Add("e.message_id = $message");
        if (filter.Event is not null)
            events.Add("e.event = $event");
        if (filter.Workflow is not null)
            events.Add("e.message_id IN (SELECT message_id FROM event_workflows WHERE workflow = $workflow)");
        if (filter.Outcome is not null)
            events.Add("instr(e.steps, ',' || $outcome || ',') > 0");
        if (filter.Since is not null)
            events.Add("s.at >= $since");
        if (filter.Until is not null)
            events.Add("s.at < $until");
        command.CommandText = $"""
            SELECT s.json FROM steps s JOIN events e ON e.message_id = s.message_id
            {(events.Count == 0 ? "" : "WHERE " + string.Join(" AND ", events))}
            ORDER BY s.at DESC, s.stream_offset DESC, s.seq DESC
            LIMIT $limit
            """;
        Bind(command, ("$user", filter.User), ("$message", filter.MessageId), ("$event", filter.Event), ("$workflow", filter.Workflow),
            ("$outcome", filter.Outcome), ("$since", filter.Since?.ToUnixTimeMilliseconds()), ("$until", filter.Until?.ToUnixTimeMilliseconds()),
            ("$limit", filter.BoundedLimit));
        var steps = new List<DeliveryStep>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
                steps.Add(JsonSerializer.Deserialize<DeliveryStep>(reader.GetString(0), DeliveryLogStream.Json)!);
        }
        return new DeliveryLogPage(steps, IndexedThrough);
    }

    SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    void Execute(string sql, SqliteTransaction? transaction = null, params (string Name, object? Value)[] parameters)
    {
        using var command = _writer.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        Bind(command, parameters);
        command.ExecuteNonQuery();
    }

    static void Bind(SqliteCommand command, params (string Name, object? Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
    }

    public void Dispose() => _writer.Dispose();
}
