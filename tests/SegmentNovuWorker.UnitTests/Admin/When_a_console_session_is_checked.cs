using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Admin.Sessions;

namespace SegmentNovuWorker.UnitTests.Admin;

public sealed class When_a_console_session_is_checked
{
    const string Key = "operator-key-0123456789abcdef0123456";
    readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
    readonly AdminOptions _options = new() { ApiKeys = { ["alice"] = Key }, SessionAbsoluteLifetime = TimeSpan.FromHours(12) };

    ConsoleSessions Sessions(out AdminKeys keys)
    {
        keys = new AdminKeys(Options.Create(_options), NullLogger<AdminKeys>.Instance);
        return new ConsoleSessions(keys, Options.Create(_options), _clock);
    }

    [Fact]
    public void Should_end_a_session_at_its_absolute_lifetime_however_much_it_is_used()
    {
        var sessions = Sessions(out var keys);
        var check = keys.Check(Key, new Microsoft.AspNetCore.Http.DefaultHttpContext(), "a test sign-in");
        var session = sessions.Open("alice", check.KeyFingerprint!);

        _clock.Advance(TimeSpan.FromHours(12) - TimeSpan.FromSeconds(1));
        Assert.Null(sessions.Ended(session));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("older than Admin:SessionAbsoluteLifetime", sessions.Ended(session));
    }
}
