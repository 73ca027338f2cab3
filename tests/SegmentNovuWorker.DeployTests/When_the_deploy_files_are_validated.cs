using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace SegmentNovuWorker.DeployTests;

/// <summary>
/// What can be checked here of the containers and manifests without a registry or a cluster: the compose file as
/// docker-compose reads it, the Dockerfiles by a linter, each image's project published, the Kubernetes objects
/// rendered by kustomize and checked against their schemas (deploy/validate, installed by deploy/test.sh).
/// </summary>
public sealed class When_the_deploy_files_are_validated
{
    static readonly Dictionary<string, string?> ComposeSecrets = new()
    {
        ["RABBITMQ_PASSWORD"] = "compose-check",
        ["NOVU_API_KEY"] = "compose-check",
    };

    [Fact]
    public async Task Should_render_the_kubernetes_manifests_that_match_their_schemas()
    {
        var (rendered, output) = await Tool.RunAsync("kubectl", ["kustomize", "deploy/k8s"]);
        Assert.True(rendered == 0, output);
        var file = Path.Combine(Path.GetTempPath(), $"snw-k8s-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, output);
        try
        {
            var (valid, report) = await Tool.RunAsync("node", ["deploy/validate/validate-manifests.mjs", file]);
            Assert.True(valid == 0, report);
            foreach (var kind in new[] { "Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "PersistentVolumeClaim", "ScaledObject", "TriggerAuthentication", "RabbitmqCluster" })
                Assert.Contains($"ok   {kind} ", report);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Should_never_scale_workers_beyond_the_partitions()
    {
        var (_, output) = await Tool.RunAsync("kubectl", ["kustomize", "deploy/k8s"]);
        var max = System.Text.RegularExpressions.Regex.Match(output, @"maxReplicaCount: (\d+)");
        Assert.True(max.Success, "no maxReplicaCount in the ScaledObject");
        Assert.InRange(int.Parse(max.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, new Messaging.TopologyOptions().Partitions);
        Assert.Contains("queueName: ^segment-events-\\d{2}$", output);
    }

    [Fact]
    public async Task Should_pass_the_dockerfile_linter()
    {
        var (code, output) = await Tool.RunAsync(Tool.PathOf("deploy", "validate", "node_modules", ".bin", "dockerfilelint"), ["deploy/Dockerfile", "deploy/segment-novu.Dockerfile"]);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Should_be_a_compose_file_docker_compose_accepts_with_every_profile()
    {
        var (code, output) = await Tool.RunAsync("docker-compose",
            ["--profile", "sandbox", "--profile", "observability", "config", "--services"], ComposeSecrets);
        Assert.True(code == 0, output);
        foreach (var service in new[] { "rabbitmq", "ingest", "admin", "worker-1", "worker-2", "novu-standin", "prometheus", "grafana" })
            Assert.Contains(service, output.Split('\n'));
    }

    [Fact]
    public async Task Should_refuse_to_start_the_stack_without_its_secrets()
    {
        var (code, output) = await Tool.RunAsync("docker-compose", ["config", "-q"],
            new Dictionary<string, string?> { ["RABBITMQ_PASSWORD"] = null, ["NOVU_API_KEY"] = null });
        Assert.NotEqual(0, code);
        Assert.Contains("set RABBITMQ_PASSWORD", output);
    }

    [Fact]
    public async Task Should_give_every_container_a_stop_grace_above_the_30_second_stop_timeout()
    {
        var (_, output) = await Tool.RunAsync("docker-compose", ["config"], ComposeSecrets);
        var graces = System.Text.RegularExpressions.Regex.Matches(output, @"stop_grace_period: (\d+)s");
        Assert.True(graces.Count >= 4, output);
        Assert.All(graces, g => Assert.True(int.Parse(g.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 30, g.Value));
    }

    [Fact]
    public async Task Should_serve_the_admin_from_its_own_service_on_the_hosts_loopback_only()
    {
        var services = (await ComposeAsync()).GetProperty("services");
        var admin = services.GetProperty("admin");
        Assert.Equal("SegmentNovuWorker.Admin", admin.GetProperty("build").GetProperty("args").GetProperty("PROJECT").GetString());
        // Inside the container it listens on the image's ASPNETCORE_URLS (:8080), where the image's health check asks.
        Assert.Equal(["127.0.0.1:8090:8080"], Ports(admin));
        Assert.Equal("service_healthy", admin.GetProperty("depends_on").GetProperty("rabbitmq").GetProperty("condition").GetString());
        // Without ADMIN_API_KEY it refuses to start: a bounded restart, so the rest of the stack runs on.
        Assert.Matches(@"^on-failure:\d+$", admin.GetProperty("restart").GetString());

        var environment = admin.GetProperty("environment");
        foreach (var key in new[] { "ConnectionStrings__RabbitMq", "Admin__ApiKey", "Admin__WorkerUrls__0", "Admin__WorkerUrls__1" })
            Assert.True(environment.TryGetProperty(key, out _), $"the admin service has no {key}");
        Assert.False(environment.TryGetProperty("Admin__Urls", out _), "Admin__Urls is ignored where ASPNETCORE_URLS is set (the image sets it)");
        Assert.Equal("http://worker-1:8080", environment.GetProperty("Admin__WorkerUrls__0").GetString());
        Assert.Equal("http://worker-2:8080", environment.GetProperty("Admin__WorkerUrls__1").GetString());

        // The jobs' folder is on a named volume (the image's /data, owned by its app user), not in the container.
        var jobs = environment.GetProperty("Admin__JobsPath").GetString()!;
        var volume = Strings(admin.GetProperty("volumes")).Select(v => v.Split(':')).Single(v => jobs.StartsWith(v[1], StringComparison.Ordinal));
        Assert.Equal("/data", volume[1]);
        Assert.True((await ComposeAsync()).GetProperty("volumes").TryGetProperty(volume[0], out _), $"{volume[0]} is not a named volume");
        Assert.Contains("RUN mkdir /data && chown app:app /data", await File.ReadAllTextAsync(Tool.PathOf("deploy", "Dockerfile")));

        // The ingest serves no /admin: no admin keys, no admin port.
        var ingest = services.GetProperty("ingest");
        Assert.DoesNotContain(ingest.GetProperty("environment").EnumerateObject(), e => e.Name.StartsWith("Admin__", StringComparison.Ordinal));
        Assert.Equal(["8080:8080"], Ports(ingest));
    }

    [Fact]
    public async Task Should_publish_only_the_ingest_beyond_the_hosts_loopback()
    {
        var services = (await ComposeAsync("--profile", "sandbox", "--profile", "observability")).GetProperty("services");
        var open = from service in services.EnumerateObject()
                   where service.Name != "ingest"
                   from port in Ports(service.Value)
                   where !port.StartsWith("127.0.0.1:", StringComparison.Ordinal)
                   select $"{service.Name}: {port}";
        Assert.Empty(open);
    }

    [Fact]
    public async Task Should_keep_the_admin_inside_the_cluster_with_its_own_key_and_a_volume_for_its_jobs()
    {
        var (rendered, output) = await Tool.RunAsync("kubectl", ["kustomize", "deploy/k8s"]);
        Assert.True(rendered == 0, output);
        var objects = (await YamlAsync(output)).EnumerateArray().ToList();
        JsonElement Named(string kind, string name) => objects.Single(o => o.GetProperty("kind").GetString() == kind
            && o.GetProperty("metadata").GetProperty("name").GetString() == name);

        Assert.DoesNotContain(objects, o => o.GetProperty("kind").GetString() is "Ingress" or "Route" or "Gateway" or "HTTPRoute");
        var service = Named("Service", "segment-novu-admin").GetProperty("spec");
        Assert.Equal("ClusterIP", service.GetProperty("type").GetString());

        var deployment = Named("Deployment", "segment-novu-admin").GetProperty("spec");
        Assert.Equal(1, deployment.GetProperty("replicas").GetInt32());
        var pod = deployment.GetProperty("template").GetProperty("spec");
        var container = pod.GetProperty("containers")[0];
        Assert.Equal("registry.example.com/segment-novu-admin:1.0.0", container.GetProperty("image").GetString());
        Assert.True(container.GetProperty("securityContext").GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.True(pod.GetProperty("securityContext").GetProperty("runAsNonRoot").GetBoolean());
        foreach (var probe in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            Assert.True(container.TryGetProperty(probe, out _), $"the admin has no {probe}");

        // The key comes from a Secret only the admin reads; the ingest's and workers' Secret (Novu's key) is not its.
        var secrets = container.GetProperty("envFrom").EnumerateArray().Where(e => e.TryGetProperty("secretRef", out _))
            .Select(e => e.GetProperty("secretRef").GetProperty("name").GetString()).ToList();
        Assert.Equal(["segment-novu-admin"], secrets);
        Assert.True(Named("Secret", "segment-novu-admin").GetProperty("stringData").TryGetProperty("Admin__ApiKey", out _));

        // Admin:JobsPath is on the PersistentVolumeClaim.
        var jobs = container.GetProperty("env").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "Admin__JobsPath").GetProperty("value").GetString()!;
        var mount = container.GetProperty("volumeMounts").EnumerateArray().Single(m => jobs.StartsWith(m.GetProperty("mountPath").GetString() + "/", StringComparison.Ordinal));
        var volume = pod.GetProperty("volumes").EnumerateArray().Single(v => v.GetProperty("name").GetString() == mount.GetProperty("name").GetString());
        Named("PersistentVolumeClaim", volume.GetProperty("persistentVolumeClaim").GetProperty("claimName").GetString()!);
    }

    [Theory]
    [InlineData("deploy/Dockerfile")]
    [InlineData("deploy/segment-novu.Dockerfile")]
    public async Task Should_copy_every_project_an_image_builds_into_its_restore_layer(string dockerfile)
    {
        var text = await File.ReadAllTextAsync(Tool.PathOf(dockerfile));
        var copied = Regex.Matches(text, @"^COPY (src/\S+\.csproj) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
        // deploy/Dockerfile: every project its header's PROJECT list names; segment-novu.Dockerfile: the one it restores.
        var header = Regex.Match(text, @"^# PROJECT: (.+)$", RegexOptions.Multiline);
        var projects = header.Success
            ? header.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries).Select(p => $"src/{p}/{p}.csproj").ToList()
            : [Regex.Match(text, @"^RUN dotnet restore (\S+)$", RegexOptions.Multiline).Groups[1].Value];
        if (header.Success)
            Assert.Contains("src/SegmentNovuWorker.Admin/SegmentNovuWorker.Admin.csproj", projects);
        var missing = projects.SelectMany(ReferenceClosure).Distinct().Where(p => !copied.Contains(p)).ToList();
        Assert.True(missing.Count == 0, $"{dockerfile}'s restore layer lacks: {string.Join(", ", missing)}");
    }

    /// <summary>The project and every project it references, directly or not, as repository paths.</summary>
    static IEnumerable<string> ReferenceClosure(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
                continue;
            var file = Tool.PathOf(next);
            Assert.True(File.Exists(file), $"{next} does not exist");
            foreach (var reference in XDocument.Load(file).Descendants("ProjectReference").Select(r => (string)r.Attribute("Include")!))
            {
                var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, reference.Replace('\\', '/')));
                pending.Push(Path.GetRelativePath(Tool.RepositoryRoot, full).Replace('\\', '/'));
            }
        }
        return seen;
    }

    static async Task<JsonElement> ComposeAsync(params string[] profiles)
    {
        var (code, output) = await Tool.RunAsync("docker-compose", [.. profiles, "config"], ComposeSecrets);
        Assert.True(code == 0, output);
        return (await YamlAsync(output))[0];
    }

    /// <summary>YAML's documents as a JSON array (deploy/validate/yaml-to-json.mjs).</summary>
    static async Task<JsonElement> YamlAsync(string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"snw-yaml-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            var (code, json) = await Tool.RunAsync("node", ["deploy/validate/yaml-to-json.mjs", file]);
            Assert.True(code == 0, json);
            return JsonDocument.Parse(json).RootElement.Clone();
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>A service's published ports as <c>[host_ip:]published:target</c>, from either form docker-compose renders.</summary>
    static string[] Ports(JsonElement service) =>
        service.TryGetProperty("ports", out var ports)
            ? [.. ports.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String
                ? Regex.Replace(p.GetString()!, "/tcp$", "")
                : (p.TryGetProperty("host_ip", out var ip) ? ip.GetString() + ":" : "") + $"{p.GetProperty("published")}:{p.GetProperty("target")}")]
            : [];

    static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    [Theory]
    [InlineData("src/SegmentNovuWorker.Ingest/SegmentNovuWorker.Ingest.csproj")]
    [InlineData("src/SegmentNovuWorker.Worker/SegmentNovuWorker.Worker.csproj")]
    [InlineData("src/SegmentNovuWorker.Admin/SegmentNovuWorker.Admin.csproj", "wwwroot/console/console.css", "appsettings.json")]
    [InlineData("src/SegmentNovuWorker.NovuStandIn/SegmentNovuWorker.NovuStandIn.csproj")]
    [InlineData("src/SegmentNovuWorker.Cli/SegmentNovuWorker.Cli.csproj")]
    public async Task Should_publish_each_images_project(string project, params string[] files)
    {
        // What the Dockerfiles' publish step does, from this test run's build (an image itself cannot be built here).
        var output = Path.Combine(Path.GetTempPath(), $"snw-publish-{Guid.NewGuid():N}");
        try
        {
            var (code, log) = await Tool.RunAsync("dotnet",
                ["publish", project, "--configuration", "Release", "--no-build", "--output", output, "-p:UseAppHost=false"],
                timeout: TimeSpan.FromMinutes(10));
            Assert.True(code == 0, log);
            Assert.NotEmpty(Directory.GetFiles(output, "*.runtimeconfig.json"));
            // What the process serves beside its code (the admin's console: its static files; its Razor Pages are compiled in).
            foreach (var file in files)
                Assert.True(File.Exists(Path.Combine(output, file)), $"{project}'s publish has no {file}");
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }
}
