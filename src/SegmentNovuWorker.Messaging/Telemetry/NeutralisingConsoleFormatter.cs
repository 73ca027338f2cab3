using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace SegmentNovuWorker.Messaging.Telemetry;

/// <summary>
/// A plain-text console format (<c>simple</c>, <c>systemd</c>) whose messages and scopes are <see cref="UntrustedText"/>:
/// a newline in an event name cannot forge a log line. The JSON format escapes them already and is left as it is.
/// </summary>
sealed class NeutralisingConsoleFormatter(ConsoleFormatter inner) : ConsoleFormatter(inner.Name)
{
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var format = logEntry.Formatter;
        var safe = new LogEntry<TState>(logEntry.LogLevel, logEntry.Category, logEntry.EventId, logEntry.State, logEntry.Exception,
            (state, exception) => UntrustedText.Neutralise(format(state, exception)));
        inner.Write(safe, scopeProvider is null ? null : new Scopes(scopeProvider), textWriter);
    }

    /// <summary>Replaces each plain-text formatter the console logger registered with its neutralising wrapper.</summary>
    public static void Wrap(IServiceCollection services)
    {
        foreach (var descriptor in services.Where(d => d.ServiceType == typeof(ConsoleFormatter)
                     && d.ImplementationType is { Name: "SimpleConsoleFormatter" or "SystemdConsoleFormatter" }).ToList())
        {
            var type = descriptor.ImplementationType!;
            services.Remove(descriptor);
            services.AddSingleton<ConsoleFormatter>(sp => new NeutralisingConsoleFormatter((ConsoleFormatter)ActivatorUtilities.CreateInstance(sp, type)));
        }
    }

    sealed class Scopes(IExternalScopeProvider inner) : IExternalScopeProvider
    {
        public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
            inner.ForEachScope((scope, s) => callback(scope is null ? null : new Scope(scope), s), state);

        public IDisposable Push(object? state) => inner.Push(state);
    }

    sealed record Scope(object Inner)
    {
        public override string ToString() => UntrustedText.Neutralise(Inner.ToString());
    }
}
