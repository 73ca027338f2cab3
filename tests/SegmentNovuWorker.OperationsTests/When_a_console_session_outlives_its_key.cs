using System.Net;
using System.Text.RegularExpressions;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.OperationsTests;

/// <summary>
/// A console session is tied to the key that opened it: a key removed ends its sessions at their next request, and a
/// sign-out ends the session on the server, so a copy of its cookie opens nothing afterwards.
/// </summary>
public sealed partial class When_a_console_session_outlives_its_key : IAsyncLifetime
{
    const string AliceKey = "alice-admin-key-0123456789abcdef0123";
    const string BobKey = "bob-admin-key-0123456789abcdef012345";
    SegmentNovuStack _stack = null!;

    public async Task InitializeAsync() => _stack = await SegmentNovuStack.StartAsync(new Dictionary<string, string?>
    {
        ["Admin:ApiKeys:alice"] = AliceKey,
        ["Admin:ApiKeys:bob"] = BobKey,
    }, startWorker: false);

    public async Task DisposeAsync() => await _stack.DisposeAsync();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    /// <summary>A browser: keeps its cookies, does not follow redirects so that a test sees where it is sent.</summary>
    HttpClient Browser() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = _stack.AdminUrl };

    static async Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string page, string path, params (string Name, string Value)[] fields)
    {
        var token = AntiforgeryToken().Match(await browser.GetStringAsync(page)).Groups[1].Value;
        return await browser.PostAsync(path, new FormUrlEncodedContent([.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value)),
            KeyValuePair.Create("__RequestVerificationToken", token)]));
    }

    /// <summary>Signs in; the session cookie as a browser sends it (<c>snw-console=…</c>), to be copied.</summary>
    async Task<string> SignInAsync(HttpClient browser, string key)
    {
        using var response = await PostFormAsync(browser, "/console/login", "/console/login", ("key", key));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("snw-console=", StringComparison.Ordinal));
        return cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
    }

    /// <summary>What <c>/console</c> answers to a request carrying only <paramref name="cookie"/>: 200, or a redirect to the sign-in.</summary>
    async Task<HttpResponseMessage> ConsoleWithAsync(string cookie)
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = _stack.AdminUrl };
        var request = new HttpRequestMessage(HttpMethod.Get, "/console");
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Should_send_a_removed_keys_session_back_to_the_sign_in()
    {
        using var browser = Browser();
        var alice = await SignInAsync(browser, AliceKey);
        using (var before = await ConsoleWithAsync(alice))
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await _stack.StopAdminAsync();
        _stack.Settings.Remove("Admin:ApiKeys:alice");
        await _stack.StartAdminAsync();

        using var after = await ConsoleWithAsync(alice);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/console/login", after.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Should_refuse_a_copy_of_the_cookie_after_sign_out()
    {
        using var browser = Browser();
        var copied = await SignInAsync(browser, BobKey);

        using (var signOut = await PostFormAsync(browser, "/console", "/console/login?handler=SignOut"))
            Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        using var replayed = await ConsoleWithAsync(copied);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith("/console/login", replayed.Headers.Location?.PathAndQuery, StringComparison.Ordinal);
    }
}
