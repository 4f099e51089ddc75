using System.Net;
using System.Text;

namespace Harness.Reporting;

/// <summary>report.html: self-contained (inline SVG figures, inline CSS, no scripts or network fetches), printable.</summary>
internal static class HtmlRenderer
{
    const string Css = """
        body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 24px auto; max-width: 1200px; color: #222; padding: 0 16px; }
        h1 { font-size: 1.5em; margin-bottom: 0.3em; } h2 { border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 1.6em; }
        p.lead { font-size: 1.15em; line-height: 1.45; background: #eef5ff; border-left: 5px solid #2a6ebb; padding: 10px 14px; }
        table { border-collapse: collapse; margin: 10px 0; font-size: 0.82em; }
        th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
        th { background: #f2f2f2; } tr:nth-child(even) td { background: #fafafa; }
        td { max-width: 520px; overflow-wrap: anywhere; }
        figure { margin: 12px 0; } figcaption { font-size: 0.82em; color: #555; max-width: 960px; }
        svg { max-width: 100%; height: auto; }
        details { margin: 8px 0; } summary { cursor: pointer; font-weight: 600; color: #2a4a7a; }
        .warn { background: #fff4e5; border-left: 4px solid #f0a020; padding: 4px 10px; margin: 3px 0; font-size: 0.9em; }
        nav.toc { font-size: 0.92em; } nav.toc ol { margin: 4px 0; padding-left: 1.4em; columns: 2; }
        p.file { font-size: 0.9em; margin: 4px 0; }
        @media print { body { margin: 0; max-width: none; } figure, table, tr { break-inside: avoid; } h2 { break-after: avoid; } }
        """;

    static string H(string s) => WebUtility.HtmlEncode(s);

    internal static string RenderHtml(Report report, IReadOnlyDictionary<string, string> svgs)
    {
        var b = new StringBuilder();
        b.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(H(report.Title)).Append("</title>\n<style>\n")
         .Append(Css).Append("</style>\n</head>\n<body>\n<h1>").Append(H(report.Title)).Append("</h1>\n");
        b.Append("<section id=\"headline\">\n");
        foreach (var block in report.Headline.Blocks) RenderBlock(b, block, svgs);
        b.Append("</section>\n<nav class=\"toc\" id=\"contents\"><strong>Contents</strong><ol>");
        foreach (var s in report.Sections) b.Append($"<li><a href=\"#{s.Id}\">").Append(H(s.Title)).Append("</a></li>");
        b.Append("</ol></nav>\n");
        foreach (var s in report.Sections)
        {
            b.Append($"<section id=\"{s.Id}\">\n<h2>").Append(H(s.Title)).Append("</h2>\n");
            foreach (var block in s.Blocks) RenderBlock(b, block, svgs);
            b.Append("</section>\n");
        }
        b.Append("</body>\n</html>\n");
        return b.ToString();
    }

    static void RenderBlock(StringBuilder b, Block block, IReadOnlyDictionary<string, string> svgs)
    {
        switch (block)
        {
            case Para p:
                b.Append(p.Lead ? "<p class=\"lead\">" : "<p>").Append(H(p.Text)).Append("</p>\n");
                break;
            case Warn w:
                b.Append("<div class=\"warn\">").Append(H(w.Text)).Append("</div>\n");
                break;
            case FileLink f:
                b.Append("<p class=\"file\">→ <a href=\"").Append(H(f.File)).Append("\">").Append(H(f.File)).Append("</a>: ").Append(H(f.Text)).Append("</p>\n");
                break;
            case TableBlock { Table: var t }:
                b.Append("<table>\n<tr>");
                foreach (var h in t.Header) b.Append("<th>").Append(H(h)).Append("</th>");
                b.Append("</tr>\n");
                foreach (var row in t.Rows)
                {
                    b.Append("<tr>");
                    foreach (var cell in row) b.Append("<td>").Append(H(cell)).Append("</td>");
                    b.Append("</tr>\n");
                }
                b.Append("</table>\n");
                break;
            case FigureBlock { Figure: var f }:
                b.Append($"<figure id=\"{f.Id}\">\n").Append(InlineSvg(svgs[f.Id], f.Width, f.Height)).Append("\n<figcaption>").Append(H(f.Caption)).Append("</figcaption>\n</figure>\n");
                break;
            case Details d:
                b.Append(d.Open ? "<details open>" : "<details>").Append("<summary>").Append(H(d.Summary)).Append("</summary>\n");
                foreach (var inner in d.Blocks) RenderBlock(b, inner, svgs);
                b.Append("</details>\n");
                break;
        }
    }

    /// <summary>
    /// The SVG for inlining: no XML declaration, and a viewBox from its width and height, so CSS can scale it to the
    /// page (without one a printed 960-px figure is cut at the paper's edge).
    /// </summary>
    internal static string InlineSvg(string svg, int width, int height)
    {
        var t = svg.TrimStart();
        if (t.StartsWith("<?xml", StringComparison.Ordinal)) t = t[(t.IndexOf("?>", StringComparison.Ordinal) + 2)..].TrimStart();
        var open = t.IndexOf('>');
        if (t.StartsWith("<svg", StringComparison.Ordinal) && open > 0 && !t[..open].Contains("viewBox", StringComparison.Ordinal))
            t = t[..open] + FormattableString.Invariant($" viewBox=\"0 0 {width} {height}\" preserveAspectRatio=\"xMinYMin meet\"") + t[open..];
        return t;
    }
}
