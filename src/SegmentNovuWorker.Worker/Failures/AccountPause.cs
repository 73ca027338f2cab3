using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker.Consumption;

namespace SegmentNovuWorker.Worker.Failures;

/// <summary>Why consumption is paused: Novu refused the account itself (401, 402, 403).</summary>
public sealed record AccountPauseState(int? HttpStatus, string Reason, DateTimeOffset Since);

/// <summary>Thrown instead of calling Novu while the account is refused; the message goes back to its queue unharmed.</summary>
public sealed class AccountPausedException(AccountPauseState state)
    : Exception($"Consumption is paused: Novu refused the account ({state.HttpStatus}: {state.Reason})")
{
    public AccountPauseState State { get; } = state;
}

/// <summary>
/// Account-level failures stop consumption of every partition (<see cref="ConsumptionReason.NovuAccountRefused"/>) instead of
/// dead-lettering every event: a wrong key refuses all of them alike. Logged at error once; <c>/health/ready</c> is
/// unhealthy while paused; a probe (<see cref="NovuClient.ProbeAccountAsync"/>) every <see cref="WorkerOptions.AccountProbeInterval"/>
/// resumes consumption once Novu accepts the account again (for instance after the key is fixed and configuration reloaded).
/// It decides when; <see cref="ConsumptionControl"/> stops and starts the endpoints.
/// </summary>
public sealed class AccountPause(IServiceScopeFactory scopes, ConsumptionControl consumption, IOptions<WorkerOptions> worker, TimeProvider clock, ILogger<AccountPause> logger)
    : BackgroundService, IHealthCheck
{
    readonly SemaphoreSlim _paused = new(0);
    AccountPauseState? _state;

    /// <summary>The pause in force, or null while Novu accepts the account.</summary>
    public AccountPauseState? Current => Volatile.Read(ref _state);

    /// <summary>Novu refused the account: stop every endpoint (once) and start probing.</summary>
    public void Pause(NovuAccountException failure)
    {
        var state = new AccountPauseState((int?)failure.StatusCode, failure.NovuMessage ?? failure.Message, clock.GetUtcNow());
        if (Interlocked.CompareExchange(ref _state, state, null) is not null)
            return;
        logger.LogError("Novu refused the account ({HttpStatus}: {Reason}). Consumption of every partition is paused, no event is " +
            "dead-lettered for it; it resumes by itself once Novu accepts the account again (fix Novu:ApiKey, the environment or the plan)",
            state.HttpStatus, state.Reason);
        consumption.Stop(ConsumptionReason.NovuAccountRefused);
        _paused.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _paused.WaitAsync(stoppingToken);
                while (Current is { } state)
                {
                    await Task.Delay(worker.Value.AccountProbeInterval, clock, stoppingToken);
                    if (!await ProbeAsync(stoppingToken))
                        continue;
                    Volatile.Write(ref _state, null);
                    logger.LogWarning("Novu accepts the account again after a pause since {Since}; consumption resumes", state.Since);
                    await consumption.Resume(ConsumptionReason.NovuAccountRefused);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        using var scope = scopes.CreateScope();
        try
        {
            await scope.ServiceProvider.GetRequiredService<NovuClient>().ProbeAccountAsync(cancellationToken);
            return true;
        }
        catch (NovuException exception)
        {
            logger.LogDebug("Account probe still fails: {Reason}", exception.Message);
            return false;
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Current is { } state
            ? HealthCheckResult.Unhealthy($"Paused since {state.Since:O}: Novu refused the account ({state.HttpStatus}: {state.Reason})")
            : HealthCheckResult.Healthy());

    public override void Dispose()
    {
        _paused.Dispose();
        base.Dispose();
    }
}

/// <summary>
/// Keeps account failures out of <c>_error</c>. In the error pipe, first: pauses and hands the message back to the broker
/// (the fault leaves the pipe, so MassTransit returns it to its queue, in place) instead of dead-lettering it.
/// </summary>
public sealed class AccountPauseFilter(AccountPause pause) : IFilter<ExceptionReceiveContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("accountPause");

    public Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
    {
        switch (AccountFailureOf(context.Exception))
        {
            case NovuAccountException failure:
                pause.Pause(failure);
                return Task.FromException(context.Exception);
            case AccountPausedException:
                return Task.FromException(context.Exception);
            default:
                return next.Send(context);
        }
    }

    static Exception? AccountFailureOf(Exception exception) => exception switch
    {
        NovuAccountException or AccountPausedException => exception,
        { InnerException: { } inner } => AccountFailureOf(inner),
        _ => null,
    };
}

/// <summary>
/// While paused, a delivery already taken (the endpoints are stopping) does not call Novu: it waits a moment, so that
/// it does not spin through the broker, and goes back to its queue.
/// </summary>
public sealed class AccountPauseGate(AccountPause pause) : IFilter<ConsumeContext>
{
    public void Probe(ProbeContext context) => context.CreateFilterScope("accountPauseGate");

    public async Task Send(ConsumeContext context, IPipe<ConsumeContext> next)
    {
        if (pause.Current is { } state)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            throw new AccountPausedException(state);
        }
        await next.Send(context);
    }
}
