namespace Harness.Cli;

/// <summary>Paths in configs are relative to the repository root (the folder holding Harness.sln), else the working directory.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) return dir.FullName;
        return Directory.GetCurrentDirectory();
    }

    public static string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Root, path));

    /// <summary>A config path as given (relative to the working directory) or, failing that, relative to the repository root.</summary>
    public static string ResolveInput(string path) => File.Exists(path) || Directory.Exists(path) ? Path.GetFullPath(path) : Resolve(path);
}
