using Bff.Tests.Infrastructure;

namespace Bff.Tests.Deploy;

/// <summary>
/// The Dockerfile's stages, parsed: an sdk build stage and an aspnet runtime stage that runs the published
/// gateway as a non-root user on 8080. (test.sh runs the build stage's RUN lines themselves.)
/// </summary>
public sealed class DockerfileTests
{
    private sealed record Stage(string From, string? Name, List<(string Instruction, string Arguments)> Lines);

    [Fact]
    public void an_sdk_build_stage_and_a_non_root_aspnet_runtime_on_8080()
    {
        var stages = Parse(File.ReadAllLines(Repository.PathOf("Dockerfile")));

        Assert.Equal(2, stages.Count);
        var build = stages[0];
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", build.From, StringComparison.Ordinal);
        Assert.Equal("build", build.Name);
        Assert.Contains(build.Lines, l => l.Instruction == "RUN" && l.Arguments.StartsWith("dotnet restore src/Bff/Bff.csproj", StringComparison.Ordinal));
        Assert.Contains(build.Lines, l => l.Instruction == "RUN" && l.Arguments.StartsWith("dotnet publish src/Bff/Bff.csproj -c Release -o /app", StringComparison.Ordinal));

        var runtime = stages[1];
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", runtime.From, StringComparison.Ordinal);
        Assert.Contains(runtime.Lines, l => l.Instruction == "COPY" && l.Arguments == "--from=build /app ./");
        Assert.Contains(runtime.Lines, l => l.Instruction == "EXPOSE" && l.Arguments == "8080");
        Assert.Contains(runtime.Lines, l => l.Instruction == "ENV" && l.Arguments.Contains("ASPNETCORE_URLS=http://+:8080", StringComparison.Ordinal));
        var user = runtime.Lines.Last(l => l.Instruction == "USER").Arguments;
        Assert.NotEqual("root", user);
        Assert.NotEqual("0", user);
        Assert.Equal("""["dotnet", "Bff.dll"]""", runtime.Lines.Single(l => l.Instruction == "ENTRYPOINT").Arguments);
    }

    /// <summary>Stages of a Dockerfile: comments dropped, continuation lines joined.</summary>
    private static List<Stage> Parse(IEnumerable<string> lines)
    {
        var stages = new List<Stage>();
        var pending = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var instruction = (pending + line).Trim();
            pending = "";
            var space = instruction.IndexOf(' ', StringComparison.Ordinal);
            var (keyword, arguments) = (instruction[..space].ToUpperInvariant(), instruction[(space + 1)..].Trim());
            if (keyword == "FROM")
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stages.Add(new Stage(parts[0], parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : null, []));
            }
            else
            {
                stages[^1].Lines.Add((keyword, arguments));
            }
        }

        return stages;
    }
}
