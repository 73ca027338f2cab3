using System.Reflection;
using System.Text.RegularExpressions;
using SegmentNovuWorker.Cli;

namespace SegmentNovuWorker.DeployTests;

/// <summary>The docs stay true: every <c>segment-novu</c> command they show parses, every key configuration.md names exists.</summary>
public sealed partial class When_the_docs_are_checked
{
    static IEnumerable<string> MarkdownFiles() =>
        Directory.GetFiles(Tool.PathOf("docs"), "*.md").Append(Tool.PathOf("README.md"));

    /// <summary>Every <c>segment-novu …</c> in a code block (<c>$ </c> lines) or in inline code.</summary>
    static IEnumerable<(string File, string Command)> ShownCommands() =>
        from file in MarkdownFiles()
        from line in File.ReadLines(file)
        from match in CommandPattern().Matches(line)
        let command = match.Groups["cmd"].Value.Trim()
        // Placeholders (…, [optional], test|check) are a reader's shorthand, not a command to run.
        where !command.Contains('…') && !command.Contains('[') && !Regex.IsMatch(command, @"\w\|\w")
        select (Path.GetFileName(file), command);

    [Fact]
    public void Should_parse_every_segment_novu_command_the_docs_show()
    {
        var commands = ShownCommands().ToList();
        Assert.True(commands.Count >= 10, $"only {commands.Count} commands found: the pattern no longer matches the docs");
        var failures = commands
            .Select(c => (c.File, c.Command, Errors: SegmentNovuCli.Parse([.. Words(c.Command).Skip(1)]).Errors))
            // A command group named in prose (`segment-novu mapping`) is not a command line.
            .Where(c => c.Errors.Count > 0 && !(c.Errors.Count == 1 && c.Errors[0].Message.StartsWith("Required command was not provided", StringComparison.Ordinal)))
            .Select(c => $"{c.File}: '{c.Command}': {string.Join("; ", c.Errors.Select(e => e.Message))}")
            .ToList();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Should_name_only_keys_an_options_class_binds_in_the_configuration_reference()
    {
        var keys = ConfigurationKeys().ToList();
        Assert.True(keys.Count >= 30, $"only {keys.Count} keys found in docs/configuration.md");
        var sections = OptionsSections();
        var unknown = keys.Where(k => !Binds(sections, k)).ToList();
        Assert.True(unknown.Count == 0, "docs/configuration.md names keys no options class binds: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Should_map_every_project_and_folder_of_src_and_every_test_project_in_the_readme()
    {
        var readme = File.ReadAllLines(Tool.PathOf("README.md"));
        // The layout table: each row's first cell names a project, the rest of the row its folders as `Folder/`.
        var rows = readme.SkipWhile(l => l != "## Layout").Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .ToDictionary(l => l.Split('|')[1].Trim().Trim('`'), l => string.Join('|', l.Split('|').Skip(2)), StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var project in Directory.GetDirectories(Tool.PathOf("src")).Order(StringComparer.Ordinal))
        {
            var name = "src/" + Path.GetFileName(project);
            if (!rows.TryGetValue(name, out var row))
            {
                missing.Add($"{name} (no row in the Layout table)");
                continue;
            }
            missing.AddRange(Directory.GetDirectories(project)
                .Select(Path.GetFileName)
                .Where(folder => folder is not ("bin" or "obj") && !row.Contains($"`{folder}/`", StringComparison.Ordinal))
                .Select(folder => $"{name}/{folder}/ (not in its row)"));
        }
        missing.AddRange(Directory.GetDirectories(Tool.PathOf("tests"))
            .Where(t => Directory.EnumerateFiles(t, "*.csproj").Any())
            .Select(t => "tests/" + Path.GetFileName(t))
            .Where(t => !readme.Any(l => l.StartsWith($"| `{t}`", StringComparison.Ordinal)))
            .Select(t => $"{t} (no row in the Tests table)"));
        Assert.True(missing.Count == 0, "README.md's map of the code lacks: " + string.Join(", ", missing));
    }

    /// <summary>The first column of each table row: <c>`A:B:C`</c>, or <c>`A:B:C` / `D`</c> for siblings of <c>C</c>.</summary>
    static IEnumerable<string> ConfigurationKeys()
    {
        foreach (var line in File.ReadLines(Tool.PathOf("docs", "configuration.md")))
        {
            if (!line.StartsWith("| `", StringComparison.Ordinal))
                continue;
            var names = KeyPattern().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value).ToList();
            var parent = names[0].Contains(':') ? names[0][..names[0].LastIndexOf(':')] : "";
            foreach (var name in names)
                yield return name.Contains(':') || parent.Length == 0 ? name : parent + ":" + name;
        }
    }

    /// <summary>Section → the options types bound to it (<c>Section</c> constants of the service's assemblies).</summary>
    static Dictionary<string, List<Type>> OptionsSections() =>
        new[] { typeof(Ingest.IngestApplication), typeof(Worker.WorkerApplication), typeof(NovuStandIn.NovuStandInApp), typeof(Messaging.TopologyOptions),
                typeof(Novu.NovuClient), typeof(Mapping.WorkflowMappingOptions), typeof(Admin.Api.AdminOptions) }
            .Select(t => t.Assembly).Distinct()
            .SelectMany(a => a.GetTypes())
            .Select(t => (Type: t, Section: t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string))
            .Where(t => t.Section is not null)
            .GroupBy(t => t.Section!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(t => t.Type).ToList(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Keys with no options class of their own section: the mapping's rule sections (MappingLoader), the tool's management URL, and the broker hosts (bound with the connection string by AddRabbitMqOptions).</summary>
    static readonly string[] ReadDirectly = ["Novu:Workflows", "Novu:Pages", "Novu:Screens", Operations.Broker.BrokerSettings.ManagementUrlKey, Messaging.RabbitMqOptions.HostsKey];

    static bool Binds(Dictionary<string, List<Type>> sections, string key)
    {
        if (key.Equals($"ConnectionStrings:{Messaging.RabbitMqOptions.ConnectionStringName}", StringComparison.OrdinalIgnoreCase)
            || key.StartsWith("Logging:", StringComparison.Ordinal) || key.StartsWith("OTEL_", StringComparison.Ordinal))
            return true; // bound by the host itself (connection strings, logging, OpenTelemetry's variables)
        if (ReadDirectly.Any(k => key.Equals(k, StringComparison.OrdinalIgnoreCase) || key.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase)))
            return true;
        var parts = key.Split(':');
        for (var cut = parts.Length - 1; cut >= 1; cut--)
        {
            if (sections.TryGetValue(string.Join(':', parts[..cut]), out var types) && types.Any(t => HasPath(t, parts[cut..])))
                return true;
        }
        return false;
    }

    static bool HasPath(Type type, string[] path)
    {
        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null)
            return false;
        var next = property.PropertyType;
        // Past a dictionary, an array or a scalar the rest of the key is data (event names, list indexes), not a property.
        if (path.Length == 1 || next == typeof(string) || next.IsPrimitive || next.IsArray
            || next.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)))
            return true;
        return HasPath(next, path[1..]);
    }

    /// <summary>Splits a shell command line into words, honouring quotes; stops at <c>;</c>, <c>|</c> and <c>&amp;&amp;</c>.</summary>
    static IEnumerable<string> Words(string command)
    {
        foreach (Match word in WordPattern().Matches(command))
        {
            var text = word.Value;
            if (text is ";" or "|" or "&&" || text.EndsWith(';'))
            {
                if (text.Length > 1)
                    yield return text.TrimEnd(';');
                yield break;
            }
            yield return text.Length >= 2 && text[0] is '"' or '\'' && text[^1] == text[0] ? text[1..^1] : text;
        }
    }

    [GeneratedRegex(@"(?:^\$ (?:[A-Za-z_]+=\S+ )*|`)(?<cmd>segment-novu [^`]*?)(?:`|$)")]
    private static partial Regex CommandPattern();

    [GeneratedRegex(@"`([A-Za-z][\w:]*)`")]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"""[^""]*""|'[^']*'|\S+")]
    private static partial Regex WordPattern();
}
