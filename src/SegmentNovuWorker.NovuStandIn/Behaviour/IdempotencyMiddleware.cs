using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Novu's <c>Idempotency-Key</c>: within 24 h the same key replays the first answer with
/// <c>Idempotency-Replay: true</c>; while the first request is still in flight it answers 409 with
/// <c>Retry-After: 1</c>; the same key with a different body gets 422. Server errors are not remembered,
/// so a retry after a 5xx is processed again.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, TimeProvider clock)
{
    static readonly TimeSpan Window = TimeSpan.FromHours(24);

    sealed record Entry(string BodyHash, DateTimeOffset At, int? Status = null, string? ContentType = null, byte[]? Body = null);

    readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0 || !(HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method)))
        {
            await next(context);
            return;
        }

        context.Request.EnableBuffering();
        var hash = Convert.ToHexString(await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted));
        context.Request.Body.Position = 0;

        var now = clock.GetUtcNow();
        var mine = new Entry(hash, now);
        var entry = _entries.AddOrUpdate(key, mine, (_, old) => now - old.At > Window ? mine : old);
        if (!ReferenceEquals(entry, mine))
        {
            if (entry.BodyHash != hash)
            {
                await NovuErrors.WriteAsync(context, 422, "Request with the same idempotency key but a different body");
                return;
            }
            if (entry.Status is null)
            {
                context.Response.Headers.RetryAfter = "1";
                await NovuErrors.WriteAsync(context, 409, "Request with the same idempotency key is being processed");
                return;
            }
            context.Response.StatusCode = entry.Status.Value;
            context.Response.ContentType = entry.ContentType;
            context.Response.Headers["Idempotency-Key"] = key;
            context.Response.Headers["Idempotency-Replay"] = "true";
            await context.Response.Body.WriteAsync(entry.Body);
            return;
        }

        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, mine));
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        var bytes = buffer.ToArray();
        if (context.Response.StatusCode >= 500)
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, mine));
        else
            _entries[key] = mine with { Status = context.Response.StatusCode, ContentType = context.Response.ContentType, Body = bytes };
        context.Response.Headers["Idempotency-Key"] = key;
        await original.WriteAsync(bytes);
    }
}
