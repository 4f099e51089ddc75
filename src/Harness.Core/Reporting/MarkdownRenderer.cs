using System.Net;
using System.Text;

namespace Harness.Reporting;

/// <summary>report.md: the same blocks as the HTML, figures as PNG (with an SVG link) in <see cref="ReportWriter.FiguresFolder"/>.</summary>
internal static class MarkdownRenderer
{
    static string Md(string s) => s.Replace("|", "\\|").Replace("\n", " ");

    internal static string RenderMarkdown(Report report)
    {
        var b = new StringBuilder();
        b.Append("# ").Append(report.Title).Append("\n\n");
        foreach (var block in report.Headline.Blocks) RenderMarkdownBlock(b, block);
        b.Append("**Contents:** ").Append(string.Join(" · ", report.Sections.Select(s => $"[{s.Title}](#{s.Id})"))).Append("\n\n");
        foreach (var s in report.Sections)
        {
            b.Append($"<a id=\"{s.Id}\"></a>\n\n## ").Append(s.Title).Append("\n\n");
            foreach (var block in s.Blocks) RenderMarkdownBlock(b, block);
        }
        return b.ToString();
    }

    static void RenderMarkdownBlock(StringBuilder b, Block block)
    {
        switch (block)
        {
            case Para p:
                b.Append(p.Lead ? "**" + p.Text + "**" : p.Text).Append("\n\n");
                break;
            case Warn w:
                b.Append("- **warning:** ").Append(w.Text).Append("\n\n");
                break;
            case FileLink f:
                b.Append($"→ [{f.File}]({f.File}): {f.Text}\n\n");
                break;
            case TableBlock { Table: var t }:
                b.Append("| ").Append(string.Join(" | ", t.Header.Select(Md))).Append(" |\n|").Append(string.Concat(t.Header.Select(_ => "---|"))).Append('\n');
                foreach (var row in t.Rows) b.Append("| ").Append(string.Join(" | ", row.Select(Md))).Append(" |\n");
                b.Append('\n');
                break;
            case FigureBlock { Figure: var f }:
                b.Append($"![{Md(f.Title)}]({ReportWriter.FiguresFolder}/{f.Id}.png)\n\n*{f.Caption}* ([SVG]({ReportWriter.FiguresFolder}/{f.Id}.svg))\n\n");
                break;
            case Details d:
                b.Append(d.Open ? "<details open>" : "<details>").Append("<summary>").Append(WebUtility.HtmlEncode(d.Summary)).Append("</summary>\n\n");
                foreach (var inner in d.Blocks) RenderMarkdownBlock(b, inner);
                b.Append("</details>\n\n");
                break;
        }
    }
}
