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
            foreach (var kind in new[] { "Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget", "ScaledObject", "TriggerAuthentication", "RabbitmqCluster" })
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
        foreach (var service in new[] { "rabbitmq", "ingest", "worker-1", "worker-2", "novu-standin", "prometheus", "grafana" })
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

    [Theory]
    [InlineData("src/SegmentNovuWorker.Ingest/SegmentNovuWorker.Ingest.csproj")]
    [InlineData("src/SegmentNovuWorker.Worker/SegmentNovuWorker.Worker.csproj")]
    [InlineData("src/SegmentNovuWorker.NovuStandIn/SegmentNovuWorker.NovuStandIn.csproj")]
    [InlineData("src/SegmentNovuWorker.Cli/SegmentNovuWorker.Cli.csproj")]
    public async Task Should_publish_each_images_project(string project)
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
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }
}
