namespace Harness.Tests.Estimation;

/// <summary>Locates shared anchor data: ../shared/anchors/ beside the folder that holds Harness.sln.</summary>
internal static class AnchorFiles
{
    public const string Chinchilla = "chinchilla_svg_extracted_data.csv";

    public static string? Find(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Harness.sln"))) continue;
            var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "anchors", name));
            return File.Exists(path) ? path : null;
        }
        return null;
    }
}

/// <summary>A fact that is skipped, with a message, when an anchor data file is absent.</summary>
public sealed class AnchorFactAttribute : FactAttribute
{
    public AnchorFactAttribute(string fileName)
    {
        if (AnchorFiles.Find(fileName) is null)
            Skip = $"anchor file {fileName} not found in ../shared/anchors/ beside Harness.sln";
    }
}
