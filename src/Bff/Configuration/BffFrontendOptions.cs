namespace Bff.Configuration;

/// <summary><c>Bff:Frontend</c>: an optional folder of static SPA files served anonymously at <c>/</c>.</summary>
public sealed class BffFrontendOptions
{
    /// <summary>Absolute, or relative to the content root. Empty: the gateway serves no files.</summary>
    public string? Path { get; set; }

    internal string ResolvePath(string contentRoot) => System.IO.Path.GetFullPath(Path ?? "", contentRoot);
}
