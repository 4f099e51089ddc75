#!/usr/bin/env bash
# Renders a report in headless Chromium and checks it: every figure arrives as an <svg>, nothing is fetched from the
# network, the first screen opens with the headline, a screenshot of the first screen is produced, and the printed
# report (PDF, A4/Letter as Chromium defaults) has at most MAX_PAGES pages (default 15).
#
#   tests/render-report.sh RESULTS_DIR [SCREENSHOT.png]
#
# RESULTS_DIR is a folder the pipeline wrote (e.g. by `harness run` on a tiny config); it is required.  Needs Chromium
# (Debian: apt-get install -y chromium); without it the script says so and exits 0 unless REQUIRE_CHROMIUM=1.
# The page count needs pdfinfo (Debian: poppler-utils) or python3.  HARNESS="dotnet path/to/harness.dll" skips the build.
# KEEP=DIR keeps the rendered report, the PDF and the screenshots in DIR.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

results="${1:-}"
if [[ -z "$results" ]]; then
    echo "usage: tests/render-report.sh RESULTS_DIR [SCREENSHOT.png] (a results folder the pipeline wrote)" >&2
    exit 2
fi
results="$(cd "$results" && pwd)"   # Chromium needs an absolute file:// URL
shot="${2:-$results/report-screenshot.png}"
max_pages="${MAX_PAGES:-15}"

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
    echo "render-report: no chromium on PATH (apt-get install -y chromium); skipped." >&2
    [[ "${REQUIRE_CHROMIUM:-0}" == "1" ]] && exit 1 || exit 0
fi

if [[ -z "${HARNESS:-}" ]]; then
    dotnet build "$root/src/Harness.Cli" -v q -nologo >/dev/null
    HARNESS="dotnet $root/src/Harness.Cli/bin/Debug/net10.0/harness.dll"
fi
# A fresh folder: `report` never replaces a results folder's existing report.
$HARNESS report "$results" --out "$work/report" >/dev/null

html="$work/report/report.html"
expected=$(find "$work/report/report_files" -name '*.svg' | wc -l)
[[ "$expected" -gt 0 ]] || { echo "render-report: FAIL: no figures in $work/report/report_files" >&2; exit 1; }

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync
       --no-first-run --user-data-dir="$work/profile")
# The DOM as Chromium parsed it: counts <svg> elements the browser actually built (not just text in the file).
"$browser" "${flags[@]}" --dump-dom "file://$html" 2>/dev/null > "$work/dom.html"
found=$(grep -o '<svg[ >]' "$work/dom.html" | wc -l)
if [[ "$found" -ne "$expected" ]]; then
    echo "render-report: FAIL: page has $found <svg> elements, expected $expected (one per figure)" >&2
    exit 1
fi
if grep -Eq '(src|href)="https?:' "$html"; then
    echo "render-report: FAIL: $html references the network" >&2
    exit 1
fi
# The answer first: the headline paragraph comes before any section heading.
lead=$(grep -bo '<p class="lead">' "$work/dom.html" | head -1 | cut -d: -f1)
h2=$(grep -bo '<h2' "$work/dom.html" | head -1 | cut -d: -f1)
if [[ -z "$lead" ]] || { [[ -n "$h2" ]] && [[ "$lead" -gt "$h2" ]]; }; then
    echo "render-report: FAIL: the page does not open with the headline sentence" >&2
    exit 1
fi

rm -f "$shot"
"$browser" "${flags[@]}" --hide-scrollbars --screenshot="$shot" --window-size=1280,900 "file://$html" 2>/dev/null || true
if [[ ! -s "$shot" ]] || [[ $(stat -c %s "$shot") -lt 20000 ]]; then
    echo "render-report: FAIL: no screenshot (or a blank one) at $shot" >&2
    exit 1
fi

pdf="$work/report.pdf"
"$browser" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$pdf" "file://$html" 2>/dev/null || true
[[ -s "$pdf" ]] || { echo "render-report: FAIL: Chromium printed no PDF" >&2; exit 1; }
if command -v pdfinfo >/dev/null; then
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
else
    pages=$(python3 -c 'import re,sys; print(len(re.findall(rb"/Type\s*/Page[^s]", open(sys.argv[1],"rb").read())))' "$pdf")
fi
if [[ "$pages" -gt "$max_pages" ]]; then
    echo "render-report: FAIL: the printed report has $pages pages (at most $max_pages)" >&2
    exit 1
fi
if [[ -n "${KEEP:-}" ]]; then
    mkdir -p "$KEEP"; cp -r "$work/report" "$pdf" "$KEEP/"; cp "$shot" "$KEEP/first-screen.png"
fi
echo "render-report: OK: $found/$expected figures rendered as <svg>; printed $pages page(s); first screen $shot ($(stat -c %s "$shot") bytes)"
