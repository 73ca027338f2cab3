using Microsoft.Extensions.Options;
using SegmentNovuWorker.Admin.Api;
using SegmentNovuWorker.Admin.DeliveryLog;
using SegmentNovuWorker.Operations;

namespace SegmentNovuWorker.Admin.Extensions;

public static class AdminServiceExtensions
{
    /// <summary>The <c>Admin</c> section (validated at start, naming the key), the operations library and the admin keys.</summary>
    public static WebApplicationBuilder AddAdminServices(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>()
            .BindConfiguration(AdminOptions.Section)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidation>();
        builder.Services.AddSingleton<AdminKeys>();
        builder.Services.AddSegmentNovuOperations();
        builder.Services.AddDeliveryLogIndex();
        builder.Services.AddHealthChecks();

        // Listens on Admin:Urls unless the host was told where (--urls, ASPNETCORE_URLS): never on a public default.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
            builder.WebHost.UseUrls((builder.Configuration[$"{AdminOptions.Section}:{nameof(AdminOptions.Urls)}"] ?? new AdminOptions().Urls)
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return builder;
    }
}
