namespace Bff.Tests.Infrastructure;

/// <summary>Files of this repository, for tests that check what ships beside the code (deploy/, Dockerfile).</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Bff.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Bff.sln above {AppContext.BaseDirectory}.");
    }
}
