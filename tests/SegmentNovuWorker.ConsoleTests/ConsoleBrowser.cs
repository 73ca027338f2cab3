using Microsoft.Playwright;
using SegmentNovuWorker.Testing;

namespace SegmentNovuWorker.ConsoleTests;

/// <summary>
/// A real Chromium (Debian's, <c>/usr/bin/chromium</c>; Playwright's own download is never used) on the console of a
/// stack, with a fresh profile, flags that keep it off the network, and 1280×800 unless told otherwise.
/// </summary>
public sealed class ConsoleBrowser : IAsyncDisposable
{
    /// <summary><c>SNW_CHROMIUM</c>, else Debian's package.</summary>
    static readonly string Chromium = Environment.GetEnvironmentVariable("SNW_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    readonly IPlaywright _playwright;
    readonly string _profile;

    ConsoleBrowser(IPlaywright playwright, IBrowserContext context, IPage page, string profile)
    {
        _playwright = playwright;
        Context = context;
        Page = page;
        _profile = profile;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>What the page's scripts tried that a user would notice: a dialog opened, an uncaught error.</summary>
    public List<string> Alarms { get; } = [];

    public static async Task<ConsoleBrowser> OpenAsync(SegmentNovuStack stack, int width = 1280, int height = 800)
    {
        if (!File.Exists(Chromium))
            throw new InvalidOperationException($"No Chromium at {Chromium}: apt-get install -y chromium (deploy/test.sh does), or set SNW_CHROMIUM.");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var profile = Directory.CreateTempSubdirectory("snw-chromium-").FullName;
        // Run as root on a closed network: no sandbox (it needs a user namespace), and nothing that phones home and stalls.
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            ChromiumSandbox = false,
            Args = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = stack.AdminUrl!.ToString().TrimEnd('/'),
            Timeout = 120_000, // generous: the machine is shared and a cold Chromium start is slow under load
        });
        context.SetDefaultTimeout(60_000);
        var page = context.Pages.Count > 0 ? context.Pages[0] : await context.NewPageAsync();
        var browser = new ConsoleBrowser(playwright, context, page, profile);
        page.Dialog += async (_, dialog) =>
        {
            browser.Alarms.Add("dialog: " + dialog.Message);
            await dialog.DismissAsync();
        };
        page.PageError += (_, error) => browser.Alarms.Add("page error: " + error);
        return browser;
    }

    public async Task SignInAsync(string key = DeadLetterStack.AdminKey)
    {
        var response = await Page.GotoAsync("/console/login");
        if (await Page.Locator("#key").CountAsync() == 0)
            throw new InvalidOperationException(
                $"No sign-in form at {Page.Url} (HTTP {response?.Status}): {(await Page.ContentAsync())[..Math.Min(2000, (await Page.ContentAsync()).Length)]}");
        await Page.FillAsync("#key", key);
        await Page.ClickAsync("form.login button[type=submit]");
    }

    /// <summary>
    /// A full-page screenshot, named for the docs: into <c>SNW_CONSOLE_SCREENSHOTS</c> when set (the docs' <c>docs/console/</c>
    /// are made so), else beside the test binaries.
    /// </summary>
    public async Task ScreenshotAsync(string name)
    {
        var folder = Environment.GetEnvironmentVariable("SNW_CONSOLE_SCREENSHOTS") is { Length: > 0 } f ? f : Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be letting go of its profile; it is a temporary folder.
        }
    }
}
