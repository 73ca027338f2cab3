using System.Diagnostics;
using System.Globalization;

/// <summary>
/// CPU time spent between two points by this process (the ingest, the in-process worker and the Novu stand-in share it)
/// and by the broker (every <c>beam.smp</c> on the machine: the bench runs one node), so a measure can say which side of
/// the two cores an event's cost falls on. Read from <c>/proc</c>; on a machine without it the broker shows as 0.
/// </summary>
sealed class CpuMeter
{
    readonly Process? _other;
    readonly TimeSpan _otherStart;
    readonly TimeSpan _self = Process.GetCurrentProcess().TotalProcessorTime;
    readonly TimeSpan _broker = BrokerCpu();
    readonly TimeSpan _jit = System.Runtime.JitInfo.GetCompilationTime();
    readonly Stopwatch _clock = Stopwatch.StartNew();

    public CpuMeter() { }

    /// <summary>Also counts <paramref name="other"/> (a worker process of the bench's), reported as "worker process".</summary>
    public CpuMeter(Process other) => (_other, _otherStart) = (other, other.TotalProcessorTime);

    /// <summary>"cpu per event: this process 0.41 ms, broker 0.22 ms (1.3 of 2 cores busy); this process in the JIT 0.01 ms an event"; read before the other process exits.</summary>
    public string PerEvent(int events)
    {
        var self = Process.GetCurrentProcess().TotalProcessorTime - _self;
        var broker = BrokerCpu() - _broker;
        _other?.Refresh();
        var other = _other is null ? TimeSpan.Zero : _other.TotalProcessorTime - _otherStart;
        var cores = (self + broker + other).TotalSeconds / _clock.Elapsed.TotalSeconds;
        var jit = System.Runtime.JitInfo.GetCompilationTime() - _jit;
        var worker = _other is null ? "" : string.Create(CultureInfo.InvariantCulture, $"worker process {other.TotalMilliseconds / events:0.000} ms, ");
        return string.Create(CultureInfo.InvariantCulture,
            $"cpu per event: {worker}this process {self.TotalMilliseconds / events:0.000} ms, broker {broker.TotalMilliseconds / events:0.000} ms ({cores:0.0} of {Environment.ProcessorCount} cores busy); " +
            $"this process in the JIT {jit.TotalMilliseconds / events:0.000} ms an event (wall clock over its threads, so it may exceed CPU on a busy machine)");
    }

    static TimeSpan BrokerCpu()
    {
        if (!Directory.Exists("/proc"))
            return TimeSpan.Zero;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), out _) || File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "beam.smp")
                    continue;
                // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // The process ended between the listing and the read.
            }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ, 100 on Linux
    }
}
