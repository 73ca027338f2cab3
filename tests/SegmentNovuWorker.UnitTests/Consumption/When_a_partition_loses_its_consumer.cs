using System.Net;
using System.Net.Sockets;
using System.Reflection;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SegmentNovuWorker.Messaging;
using SegmentNovuWorker.Messaging.Telemetry;
using SegmentNovuWorker.Worker;
using SegmentNovuWorker.Worker.Consumption;

namespace SegmentNovuWorker.UnitTests.Consumption;

/// <summary>
/// The owner of consumption on a fake clock, with endpoints that do what MassTransit's did after broker restarts: a
/// partition whose consumer is gone is restarted after <c>Worker:ConsumerRecovery</c> and named unhealthy after
/// <c>Worker:UnconsumedAlarm</c>; a stop that never ends is let go and the partition started afresh within its bound.
/// </summary>
public sealed class When_a_partition_loses_its_consumer : IAsyncDisposable
{
    const string Queue = "segment-events-00";
    readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    readonly WorkerOptions _options = new()
    {
        ConsumerRecovery = TimeSpan.FromSeconds(10),
        UnconsumedAlarm = TimeSpan.FromSeconds(30),
        ConsumerStopTimeout = TimeSpan.FromSeconds(10),
        ConsumptionWatchInterval = TimeSpan.FromSeconds(1),
    };
    readonly SideConnection _noBroker;
    readonly ConsumptionControl _control;
    readonly FakeEndpoint _endpoint = new();

    public When_a_partition_loses_its_consumer()
    {
        // No broker answers: the probe says nothing, and what MassTransit reports is all the owner knows.
        var rabbitMq = Options.Create(new RabbitMqOptions { ConnectionString = new Uri($"amqp://guest:guest@127.0.0.1:{ClosedPort()}/") });
        _noBroker = new SideConnection(new BrokerConnections(rabbitMq), "test");
        _control = new ConsumptionControl(Options.Create(new TopologyOptions { Partitions = 1 }), Options.Create(_options),
            new BrokerConsumerProbe(_noBroker, NullLogger<BrokerConsumerProbe>.Instance), new PartitionChannels(), new NoLifetime(),
            new SegmentNovuMetrics(new TestMeterFactory()), _clock, NullLogger<ConsumptionControl>.Instance);
    }

    async Task ConsumingAsync()
    {
        await _control.StartAsync(CancellationToken.None);
        await _control.Ready(Event<ReceiveEndpointReady>());
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync()).Status);
    }

    [Fact]
    public async Task Should_restart_it_after_the_recovery_time_and_call_it_unhealthy_after_the_alarm()
    {
        await ConsumingAsync();
        _endpoint.StopsEnd = true;
        await _control.Faulted(Event<ReceiveEndpointFaulted>());

        await AdvanceUntilAsync(() => _endpoint.Starts >= 1, "the partition was restarted");
        Assert.Equal(1, _endpoint.Stops);
        Assert.True(_clock.GetUtcNow() - Start >= _options.ConsumerRecovery, "not restarted before Worker:ConsumerRecovery");
        Assert.Equal(HealthStatus.Degraded, (await HealthAsync()).Status); // briefly without a consumer: not yet alarming

        // It still gets no consumer: past the alarm the check is unhealthy and names it.
        await AdvanceUntilAsync(() => _clock.GetUtcNow() - Start >= _options.UnconsumedAlarm, "the alarm time passed");
        var health = await HealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Equal("broker-connection-lost", health.Data[Queue]);

        // Its consumer comes: healthy again.
        await _control.Ready(Event<ReceiveEndpointReady>());
        Assert.Equal(HealthStatus.Healthy, (await HealthAsync()).Status);
    }

    [Fact]
    public async Task Should_let_go_of_a_stop_that_never_ends_and_start_it_afresh_within_the_stop_bound()
    {
        await ConsumingAsync();
        _endpoint.StopsEnd = false; // MassTransit's stop waits for something that never comes
        await _control.Faulted(Event<ReceiveEndpointFaulted>());

        await AdvanceUntilAsync(() => _endpoint.Stops >= 1, "the restart began");
        var stopBegan = _clock.GetUtcNow();
        await AdvanceUntilAsync(() => _endpoint.Starts >= 1, "the partition was started afresh");
        Assert.True(_clock.GetUtcNow() - stopBegan <= _control.StopBound, $"started {_clock.GetUtcNow() - stopBegan} after the stop began");
        Assert.Equal(2, _endpoint.Stops); // the second stop lets go of MassTransit's handle
    }

    static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Moves the fake clock on in small steps, letting the owner's loop run between them, until <paramref name="done"/>.</summary>
    async Task AdvanceUntilAsync(Func<bool> done, string what)
    {
        for (var step = 0; !done(); step++)
        {
            Assert.True(step < 2_000, $"on the fake clock, {what} did not happen within 200 s");
            _clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }
    }

    Task<HealthCheckResult> HealthAsync() => _control.CheckHealthAsync(new HealthCheckContext());

    T Event<T>()
        where T : class, ReceiveEndpointEvent => Proxy<T>.Create(new Dictionary<string, object?>
        {
            [nameof(ReceiveEndpointEvent.InputAddress)] = new Uri($"rabbitmq://localhost/{Queue}"),
            [nameof(ReceiveEndpointEvent.ReceiveEndpoint)] = _endpoint.Proxy,
            [nameof(ReceiveEndpointReady.IsStarted)] = true,
            [nameof(ReceiveEndpointFaulted.Exception)] = new IOException("connection lost"),
        });

    public async ValueTask DisposeAsync()
    {
        await _control.StopAsync(CancellationToken.None);
        _control.Dispose();
        await _noBroker.DisposeAsync();
    }

    static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A receive endpoint that counts its starts and stops; its stops end, or never do.</summary>
    sealed class FakeEndpoint
    {
        int _starts;
        int _stops;

        public FakeEndpoint() => Proxy = Proxy<IReceiveEndpoint>.Create(new Dictionary<string, object?>(), (method, _) => method switch
        {
            nameof(IReceiveEndpoint.Start) => Started(),
            nameof(IReceiveEndpoint.Stop) => Stopped(),
            _ => throw new NotSupportedException(method),
        });

        public IReceiveEndpoint Proxy { get; }
        public bool StopsEnd { get; set; } = true;
        public int Starts => Volatile.Read(ref _starts);
        public int Stops => Volatile.Read(ref _stops);

        object? Started()
        {
            Interlocked.Increment(ref _starts);
            return null; // MassTransit's handle: not read by the owner
        }

        object Stopped()
        {
            Interlocked.Increment(ref _stops);
            return StopsEnd ? Task.CompletedTask : new TaskCompletionSource().Task;
        }
    }

    /// <summary>An interface answered from a table of property values, or a function for methods.</summary>
    public class Proxy<T> : DispatchProxy
        where T : class
    {
        IReadOnlyDictionary<string, object?> _properties = new Dictionary<string, object?>();
        Func<string, object?[]?, object?>? _methods;

        public static T Create(IReadOnlyDictionary<string, object?> properties, Func<string, object?[]?, object?>? methods = null)
        {
            var proxy = DispatchProxy.Create<T, Proxy<T>>();
            var self = (Proxy<T>)(object)proxy;
            (self._properties, self._methods) = (properties, methods);
            return proxy;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var name = targetMethod!.Name;
            if (name.StartsWith("get_", StringComparison.Ordinal) && _properties.TryGetValue(name[4..], out var value))
                return value;
            return _methods is null ? throw new NotSupportedException(name) : _methods(name, args);
        }
    }

    sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;
        public void StopApplication()
        {
        }
    }

    sealed class TestMeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);
        public void Dispose()
        {
        }
    }
}
