namespace Harness.Reporting;

// The report's content, independent of its format: ReportWriter builds it from the section builders (HeadlineSection,
// TaskSection, MultiplierSection, RepetitionSection, WarningsSection, ProvenanceSection), HtmlRenderer and MarkdownRenderer print it.

/// <summary>A table: header and rows of cells, already formatted.</summary>
internal sealed record Table(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>A piece of a section: text, a warning, a table, a figure, a link to a file, or a collapsed group.</summary>
internal abstract record Block;
internal sealed record Para(string Text, bool Lead = false) : Block;
internal sealed record Warn(string Text) : Block;
internal sealed record TableBlock(Table Table) : Block;
internal sealed record FigureBlock(ReportFigure Figure) : Block;
internal sealed record FileLink(string File, string Text) : Block;
/// <summary>Collapsed (&lt;details&gt;) unless <see cref="Open"/>; printed closed, so the page count stays small.</summary>
internal sealed record Details(string Summary, IReadOnlyList<Block> Blocks, bool Open = false) : Block;

/// <summary>A section: its anchor id, its heading and its blocks.</summary>
internal sealed record Section(string Id, string Title, IReadOnlyList<Block> Blocks);

/// <summary>The report: a title, the headline (no heading of its own, first on the page), then the listed sections.</summary>
internal sealed record Report(string Title, Section Headline, IReadOnlyList<Section> Sections)
{
    public IEnumerable<ReportFigure> Figures => new[] { Headline }.Concat(Sections).SelectMany(s => FiguresOf(s.Blocks));

    static IEnumerable<ReportFigure> FiguresOf(IEnumerable<Block> blocks) =>
        blocks.SelectMany(b => b switch
        {
            FigureBlock f => [f.Figure],
            Details d => FiguresOf(d.Blocks),
            _ => Array.Empty<ReportFigure>(),
        });
}
