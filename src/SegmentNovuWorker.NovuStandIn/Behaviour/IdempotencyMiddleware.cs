using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace SegmentNovuWorker.NovuStandIn.Behaviour;

/// <summary>
/// Novu's <c>Idempotency-Key</c>, unkind parts included, when the organization has it switched on
/// (<see cref="StandInState.IdempotencyEnabled"/>): within 24 h the same key replays the first answer with
/// <c>Idempotency-Replay: true</c>, <b>errors included</b> (a 4xx or 5xx from Novu's handler is answered again to every
/// repeat); while the first request is still in flight it answers 409 with <c>Retry-After: 1</c>; the same key with a
/// different body gets 422. Keys are cached per organization, not per environment. Answers from in front of the handler
/// (auth, rate limit, gateway faults) never reach this layer, so they are not kept.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, TimeProvider clock, StandInState state, IOptions<StandInOptions> options)
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayHeader = "Idempotency-Replay";
    static readonly TimeSpan Window = TimeSpan.FromHours(24);

    sealed record Entry(string BodyHash, DateTimeOffset At, int? Status = null, string? ContentType = null, byte[]? Body = null);

    readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers[KeyHeader].ToString();
        if (!state.IdempotencyEnabled || key.Length == 0
            || !(HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method)))
        {
            await next(context);
            return;
        }
        if (key.Length > 255)
        {
            await NovuErrors.WriteAsync(context, 400, $"{KeyHeader} must be at most 255 characters");
            return;
        }

        context.Request.EnableBuffering();
        var hash = Convert.ToHexString(await SHA256.HashDataAsync(context.Request.Body, context.RequestAborted));
        context.Request.Body.Position = 0;

        var now = clock.GetUtcNow();
        var cacheKey = options.Value.OrganizationId + "\n" + key;
        var mine = new Entry(hash, now);
        var entry = _entries.AddOrUpdate(cacheKey, mine, (_, old) => now - old.At > Window ? mine : old);
        if (!ReferenceEquals(entry, mine))
        {
            if (entry.Status is null)
            {
                context.Response.Headers.RetryAfter = "1";
                await NovuErrors.WriteAsync(context, 409, $"Request with key \"{key}\" is currently being processed. Please retry after 1 second");
                return;
            }
            if (entry.BodyHash != hash)
            {
                await NovuErrors.WriteAsync(context, 422, $"Request with key \"{key}\" is being reused for a different body");
                return;
            }
            context.Response.StatusCode = entry.Status.Value;
            context.Response.ContentType = entry.ContentType;
            context.Response.Headers[KeyHeader] = key;
            context.Response.Headers[ReplayHeader] = "true";
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
            // The handler never answered: nothing to replay, the next attempt is processed.
            _entries.TryRemove(new KeyValuePair<string, Entry>(cacheKey, mine));
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        if (context.RequestAborted.IsCancellationRequested && buffer.Length == 0)
        {
            // Connection reset before any answer was produced (a fault at this layer): Novu stored nothing either.
            _entries.TryRemove(new KeyValuePair<string, Entry>(cacheKey, mine));
            return;
        }

        var bytes = buffer.ToArray();
        _entries[cacheKey] = mine with { Status = context.Response.StatusCode, ContentType = context.Response.ContentType, Body = bytes };
        context.Response.Headers[KeyHeader] = key;
        await original.WriteAsync(bytes);
    }
}
