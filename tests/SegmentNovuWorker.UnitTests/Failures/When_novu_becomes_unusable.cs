using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SegmentNovuWorker.Novu;
using SegmentNovuWorker.Worker;
using SegmentNovuWorker.Worker.Failures;

namespace SegmentNovuWorker.UnitTests.Failures;

/// <summary>
/// The one owner of "is Novu usable now", on a fake clock: attempts that fail as an outage does open the breaker, waiting
/// deliveries stay asleep, one of them probes each break, and all go on when Novu answers; a refused account holds them
/// until the account probe passes; a delivery that waits past its limit is told to park.
/// </summary>
public sealed class When_novu_becomes_unusable : IAsyncDisposable
{
    static readonly TimeSpan Long = TimeSpan.FromMinutes(20);
    readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    readonly AccountAnswers _account = new();
    readonly ServiceProvider _services;
    readonly NovuAvailability _novu;

    public When_novu_becomes_unusable()
    {
        var services = new ServiceCollection();
        services.AddSingleton(new NovuClient(new HttpClient(_account) { BaseAddress = new Uri("http://novu.invalid/") }));
        _services = services.BuildServiceProvider();
        _novu = new NovuAvailability(_services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new RetryOptions
            {
                KillSwitch = new OutageOptions
                {
                    ActivationThreshold = 4,
                    TripThreshold = 50,
                    TrackingPeriod = TimeSpan.FromSeconds(30),
                    RestartTimeout = TimeSpan.FromSeconds(5),
                },
            }),
            Options.Create(new WorkerOptions { AccountProbeInterval = TimeSpan.FromSeconds(10) }), _clock, NullLogger<NovuAvailability>.Instance);
    }

    static readonly NovuRetryableException Outage = new("503 from Novu", HttpStatusCode.ServiceUnavailable, "Service Unavailable", null);

    async Task AttemptAsync(Exception? failure)
    {
        try
        {
            await _novu.RunAsync(f => f is null ? Task.CompletedTask : Task.FromException(f), failure, CancellationToken.None);
        }
        catch (Exception exception) when (ReferenceEquals(exception, failure))
        {
        }
    }

    async Task TripAsync()
    {
        for (var i = 0; i < 4; i++)
            await AttemptAsync(Outage);
        Assert.False(_novu.IsUsable);
    }

    [Fact]
    public async Task Should_let_every_attempt_through_while_novu_answers()
    {
        await AttemptAsync(new NovuRejectedException("422", HttpStatusCode.UnprocessableEntity, "bad payload"));
        await AttemptAsync(new NovuRetryableException("429", HttpStatusCode.TooManyRequests, "API rate limit exceeded", TimeSpan.FromSeconds(1)));
        await AttemptAsync(null);

        Assert.True(_novu.IsUsable);
        Assert.True(await _novu.WaitUsableAsync(Long, CancellationToken.None));
    }

    [Fact]
    public async Task Should_hold_waiters_asleep_until_one_probe_finds_novu_back_then_release_them_all()
    {
        await _novu.StartAsync(CancellationToken.None);
        await TripAsync();
        var waiters = Enumerable.Range(0, 3).Select(_ => _novu.WaitUsableAsync(Long, CancellationToken.None).AsTask()).ToList();
        Assert.All(waiters, w => Assert.False(w.IsCompleted));
        Assert.Equal(3, _novu.Waiting);

        // A break later, exactly one of them is let through to probe.
        _clock.Advance(TimeSpan.FromSeconds(5));
        var probe = await Task.WhenAny(waiters).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await probe);
        Assert.Equal(2, waiters.Count(w => !w.IsCompleted));

        // The probe fails: the others stay asleep, and the next break lets the next one probe.
        await AttemptAsync(Outage);
        Assert.False(_novu.IsUsable);
        var rest = waiters.Where(w => !w.IsCompleted).ToList();
        _clock.Advance(TimeSpan.FromSeconds(5));
        var secondProbe = await Task.WhenAny(rest).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(await secondProbe);

        // It succeeds: the circuit closes and the last waiter goes on at once.
        await AttemptAsync(null);
        Assert.True(_novu.IsUsable);
        Assert.True(await rest.Single(w => w != secondProbe).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, _novu.Waiting);
    }

    [Fact]
    public async Task Should_tell_a_waiter_to_park_once_its_limit_has_passed()
    {
        await TripAsync();
        var waiter = _novu.WaitUsableAsync(TimeSpan.FromMinutes(20), CancellationToken.None).AsTask();
        _clock.Advance(TimeSpan.FromMinutes(19));
        Assert.False(waiter.IsCompleted);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await waiter.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Should_count_an_attempt_that_fails_while_novu_is_down_as_a_wait_not_a_failure()
    {
        Assert.False(_novu.Absorbs(Outage)); // Novu is up: this event failed, the retry layers take it
        await TripAsync();
        Assert.True(_novu.Absorbs(Outage)); // Novu is down: the attempt waits at the gate
        Assert.False(_novu.Absorbs(new NovuRejectedException("422", HttpStatusCode.UnprocessableEntity, "bad payload")));
    }

    [Fact]
    public async Task Should_hold_everything_while_the_account_is_refused_and_go_on_once_the_probe_passes()
    {
        await _novu.StartAsync(CancellationToken.None);
        _account.Status = HttpStatusCode.Unauthorized;
        Assert.True(_novu.Absorbs(new NovuAccountException("401", HttpStatusCode.Unauthorized, "API Key not found")));
        Assert.Equal(HttpStatusCode.Unauthorized, (HttpStatusCode)_novu.Refused!.HttpStatus!);
        var waiter = _novu.WaitUsableAsync(TimeSpan.FromHours(1), CancellationToken.None).AsTask();

        // No outage probe for a refused account: breaks pass and nobody is let through; the account probe still fails.
        _clock.Advance(TimeSpan.FromSeconds(10));
        await _account.Probed.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(waiter.IsCompleted);

        _account.Status = HttpStatusCode.NotFound; // the probe subscriber does not exist: the account works
        _account.Reset();
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(await waiter.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(_novu.Refused);
        Assert.True(_novu.IsUsable);
    }

    public async ValueTask DisposeAsync()
    {
        await _novu.StopAsync(CancellationToken.None);
        _novu.Dispose();
        await _services.DisposeAsync();
    }

    /// <summary>Novu as the account probe sees it: every call answered <see cref="Status"/>.</summary>
    sealed class AccountAnswers : HttpMessageHandler
    {
        TaskCompletionSource _probed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;
        public Task Probed => _probed.Task;
        public void Reset() => _probed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(Status)
            {
                Content = new StringContent($$"""{"statusCode":{{(int)Status}},"message":"{{Status}}"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            _probed.TrySetResult();
            return Task.FromResult(response);
        }
    }
}
