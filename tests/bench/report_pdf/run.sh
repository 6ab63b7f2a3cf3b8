#!/usr/bin/env bash
# run.sh - issue 20, the PDF route: prints report.html (the sample consolidated
# executive report, from gen_report.py) with headless Chromium and prints the
# figures table of docs/reports.md. Run: tests/bench/report_pdf/run.sh [RUNS]
# (default 10) from anywhere; needs the Debian packages chromium, nodejs,
# poppler-utils, qpdf and time. REPORT_PDF_CAIRO=/path/to/binary also times a
# cairo + pango program that writes its PDF to the path given as its argument.
#   cli    `chromium --headless --print-to-pdf`, a cold browser for each pass
#   cdp    one long-lived browser over --remote-debugging-pipe (cdp_pipe.js),
#          a fresh browser context per pass; cdp-reuse: one tab for all
# A report is two passes: pass 1 with "00" for the pages of the table of
# contents, whose PDF outline (qpdf) gives the page of each section; pass 2
# with them filled in. Time: wall clock per report, median (min–max).
# Memory: peak PSS summed over the browser's processes (treemem.py), in
# separate runs (the sampler costs CPU).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${1:-10}
OUT=$(mktemp -d /tmp/report-pdf.XXXXXX)
trap 'rm -rf "$OUT"' EXIT
mapfile -t FLAGS < <(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))))' "$HERE/flags.json")
# --no-pdf-header-footer only for --print-to-pdf: over the pipe it makes the
# renderer die ("Render process gone").
CLI=(/usr/bin/chromium "${FLAGS[@]}" --no-pdf-header-footer --generate-pdf-document-outline)

page_html() { # SRC SIZE DEST [PAGES_JSON]: the report for a paper size, pages filled in (or 00)
    python3 - "$@" <<'PY'
import json, re, sys
src, size, dest = sys.argv[1:4]
pages = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
h = open(src, encoding="utf-8").read()
if size == "letter":
    h = h.replace("size: A4;", "size: letter;").replace('<html lang="en">', '<html lang="en" class="letter">')
h = re.sub(r"\{\{page\.(s\d+)\}\}", lambda m: str(pages.get(m.group(1), "00")), h)
open(dest, "w", encoding="utf-8").write(h)
PY
}
outline() { # PDF: {"s1": page, ...} from the numbered sections of the outline
    qpdf --json=2 --json-key=outlines "$1" | python3 -c '
import json, re, sys
p = {}
def walk(os):
    for o in os:
        m = re.match(r"(\d+)\. ", o["title"])
        if m: p["s" + m.group(1)] = o["destpageposfrom1"]
        walk(o["kids"])
walk(json.load(sys.stdin)["outlines"]); print(json.dumps(p))'
}
cli_report() { # SIZE DEST.pdf: two cold passes
    page_html "$HERE/report.html" "$1" "$OUT/p1-$1.html"
    "${CLI[@]}" --user-data-dir="$OUT/udd1" --print-to-pdf="$OUT/p1-$1.pdf" "file://$OUT/p1-$1.html" >/dev/null 2>&1
    page_html "$HERE/report.html" "$1" "$OUT/p2-$1.html" "$(outline "$OUT/p1-$1.pdf")"
    "${CLI[@]}" --user-data-dir="$OUT/udd2" --print-to-pdf="$2" "file://$OUT/p2-$1.html" >/dev/null 2>&1
    rm -rf "$OUT/udd1" "$OUT/udd2"
}
stats() { python3 -c '
import statistics, sys
v = [float(x) for x in sys.stdin.read().split()]
print(f"{statistics.median(v):.2f} s ({min(v):.2f}–{max(v):.2f}, n={len(v)})")'; }
ms2s() { awk '{ print $1 / 1000 }'; }

export -f page_html outline cli_report
declare -A T M S P

# cli: two cold starts per report; one pass alone too.
: > "$OUT/cli.t"; : > "$OUT/cli1.t"
for _ in $(seq "$RUNS"); do
    s=$(date +%s.%N); cli_report A4 "$OUT/cli-A4.pdf"; e=$(date +%s.%N)
    echo "$e - $s" | bc >> "$OUT/cli.t"
    s=$(date +%s.%N)
    "${CLI[@]}" --user-data-dir="$OUT/udd" --print-to-pdf="$OUT/one.pdf" "file://$OUT/p2-A4.html" >/dev/null 2>&1
    e=$(date +%s.%N); rm -rf "$OUT/udd"
    echo "$e - $s" | bc >> "$OUT/cli1.t"
done
T[cli]=$(stats < "$OUT/cli.t"); T[cli1]=$(stats < "$OUT/cli1.t")
M[cli1]=$(python3 "$HERE/treemem.py" "${CLI[@]}" --user-data-dir="$OUT/udd" --print-to-pdf="$OUT/one.pdf" "file://$OUT/p2-A4.html" 2>/dev/null | tail -1)
rm -rf "$OUT/udd"
M[cli]=${M[cli1]}
cli_report letter "$OUT/cli-letter.pdf"

# cdp: one browser, RUNS reports (the first one, with the browser's start, counted apart).
for mode in cdp cdp-reuse; do
    reuse=0; [ "$mode" = cdp-reuse ] && reuse=1
    CDP_REUSE=$reuse node "$HERE/cdp_pipe.js" "$HERE/report.html" "$OUT" $((RUNS + 1)) A4 2>/dev/null > "$OUT/$mode.lines"
    M[$mode]=$(CDP_REUSE=$reuse python3 "$HERE/treemem.py" node "$HERE/cdp_pipe.js" "$HERE/report.html" "$OUT" 3 A4 2>/dev/null | tail -1)
    T[$mode-first]=$(head -1 "$OUT/$mode.lines" | awk '{ printf "%.2f s", $1 / 1000 }')
    T[$mode]=$(tail -n +2 "$OUT/$mode.lines" | awk '{ print $1 }' | ms2s | stats)
    T[$mode-pass]=$(tail -n +2 "$OUT/$mode.lines" | awk '{ print $2; print $3 }' | ms2s | stats)
    [ "$mode" = cdp ] || cp "$OUT/cdp-A4.pdf" "$OUT/$mode-A4.pdf"
done

# The PDFs: pages, paper, fonts, rasters, text, and the table of contents.
check() { # PDF: "pages | paper | fonts embedded | raster images | text | toc"
    local f=$1 pages size fonts notemb imgs text toc
    pages=$(pdfinfo "$f" | awk '/^Pages:/ { print $2 }')
    size=$(pdfinfo "$f" | sed -n 's/^Page size: *//p')
    fonts=$(pdffonts "$f" | tail -n +3 | awk '{ print $1 }' | sed 's/^[A-Z]*+//' | sort -u | paste -sd, -)
    notemb=$(pdffonts "$f" | tail -n +3 | awk '$(NF-4) != "yes"' | wc -l)
    imgs=$(pdfimages -list "$f" | tail -n +3 | wc -l)
    text=$(pdftotext "$f" - | grep -c -e 'Vulnerabilities by account' -e 'Gringotts Credit Union' -e 'Cobalt Strike beacon' || true)
    toc=$(python3 - "$f" "$(outline "$f")" <<'PY'
import json, re, subprocess, sys
f, want = sys.argv[1], json.loads(sys.argv[2])
t = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-layout", f, "-"], capture_output=True, text=True).stdout
got = {"s" + m.group(1): int(m.group(2)) for m in re.finditer(r"^\s*(\d+)\. .*?(\d+)\s*$", t, re.M)}
print("right" if got == want and want else f"WRONG toc {got} outline {want}")
PY
)
    echo "$pages | $size | $fonts ($notemb not embedded) | $imgs | $text hits | $toc"
}
for f in cli-A4 cli-letter cdp-A4 cdp-reuse-A4; do
    S[$f]=$(stat -c %s "$OUT/$f.pdf"); P[$f]=$(check "$OUT/$f.pdf")
done

# No network: a page that asks for http://127.0.0.1:<free port> and a name
# must leave the listener untouched (the proxy to nowhere, the resolver rule).
PORT=$("$HERE/../../lib/free_port")
python3 -c '
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8)
c, _ = s.accept(); print("CONNECTED", flush=True)' "$PORT" > "$OUT/listener" &
LPID=$!
printf '<!doctype html><html><body><img src="http://127.0.0.1:%s/x.png"><img src="http://localhost:%s/y.png"><link rel="stylesheet" href="https://fonts.example.com/a.css"><p>net</p></body></html>' "$PORT" "$PORT" > "$OUT/net.html"
"${CLI[@]}" --user-data-dir="$OUT/udd" --print-to-pdf="$OUT/net.pdf" "file://$OUT/net.html" >/dev/null 2>&1
sleep 1; kill "$LPID" 2>/dev/null || true; wait "$LPID" 2>/dev/null || true
NET=$(cat "$OUT/listener"); NET=${NET:-none}

if [ -n "${REPORT_PDF_CAIRO:-}" ]; then
    : > "$OUT/cairo.t"
    for _ in $(seq "$RUNS"); do
        s=$(date +%s.%N); "$REPORT_PDF_CAIRO" "$OUT/cairo.pdf"; e=$(date +%s.%N); echo "$e - $s" | bc >> "$OUT/cairo.t"
    done
    T[cairo]=$(stats < "$OUT/cairo.t")
    M[cairo]="— $(/usr/bin/time -f %M "$REPORT_PDF_CAIRO" "$OUT/cairo.pdf" 2>&1 >/dev/null | awk '{ printf "%.0f", $1 / 1024 }') 1"
    S[cairo]=$(stat -c %s "$OUT/cairo.pdf"); P[cairo]=$(check "$OUT/cairo.pdf" | cut -d'|' -f1-5)
fi

echo "$(date -u +%F) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(/usr/lib/chromium/chromium --version 2>/dev/null || true), runs $RUNS"
echo
echo "| route | per report (2 passes) | one pass | peak PSS / RSS MB (procs) | PDF bytes | pages | paper | fonts | raster images | text | TOC |"
echo "|---|---:|---:|---:|---:|---:|---|---|---:|---|---|"
row() { echo "| $1 | $2 | $3 | $4 | $5 | $(echo "$6" | sed 's/ | /|/g; s/|/ | /g') |"; }
mem() { set -- $1; echo "$1 / $2 (${3:-1})"; }
row "cli, A4 (cold browser per pass)" "${T[cli]}" "${T[cli1]}" "$(mem "${M[cli]}")" "${S[cli-A4]}" "${P[cli-A4]}"
row "cli, Letter" "—" "—" "—" "${S[cli-letter]}" "${P[cli-letter]}"
row "cdp pipe, context per pass (first report ${T[cdp-first]})" "${T[cdp]}" "${T[cdp-pass]}" "$(mem "${M[cdp]}")" "${S[cdp-A4]}" "${P[cdp-A4]}"
row "cdp pipe, one tab (first report ${T[cdp-reuse-first]})" "${T[cdp-reuse]}" "${T[cdp-reuse-pass]}" "$(mem "${M[cdp-reuse]}")" "${S[cdp-reuse-A4]}" "${P[cdp-reuse-A4]}"
if [ -n "${REPORT_PDF_CAIRO:-}" ]; then
    row "cairo + pango (2-page piece)" "—" "${T[cairo]}" "$(mem "${M[cairo]}")" "${S[cairo]}" "${P[cairo]} | —"
fi
echo
echo "network requests that reached a listener on 127.0.0.1:$PORT: $NET"
