#!/bin/sh
# Opens a failsim report in a real browser (headless Chromium from Debian's packages), takes a
# screenshot and prints it to PDF, and checks that the page is self-contained.
#
#   Tests/browser/check-report.sh [REPORT.html] [OUT-FOLDER]
#
# Defaults: notebooks-output/trigger-table/report.html, screenshots into /tmp/failsim-browser-check.
# Exit status: 0 checked; 1 a check failed; 77 no browser could be found or installed (skipped).
# Environment: CHROMIUM (the browser to use), WINDOW (width,height; default 1280,2600),
# NO_INSTALL=1 (never try apt-get).
set -eu

report=${1:-notebooks-output/trigger-table/report.html}
out=${2:-/tmp/failsim-browser-check}
window=${WINDOW:-1280,2600}

if [ ! -f "$report" ]; then
    echo "check-report: $report does not exist (run notebooks-output/regenerate.sh or failsim report first)" >&2
    exit 1
fi

find_browser() {
    for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
        [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 && { command -v "$candidate"; return 0; }
    done
    return 1
}

browser=$(find_browser || true)
if [ -z "$browser" ] && [ "${NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "check-report: installing chromium from Debian's packages" >&2
    if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 \
        || { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1; }; then
        browser=$(find_browser || true)
    fi
fi
if [ -z "$browser" ]; then
    echo "check-report: no Chromium found and none could be installed (apt-get install chromium); skipped" >&2
    exit 77
fi

mkdir -p "$out"
absolute=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
name=$(basename "$(dirname "$absolute")")
failed=0
fail() { echo "check-report: FAIL: $*" >&2; failed=1; }

# 1. Self-contained: the only URL in the page is the SVG namespace; nothing has a src.
remote=$(grep -o 'https\{0,1\}://[^"'"'"' )<]*' "$absolute" | grep -v '^http://www.w3.org/2000/svg$' | sort -u || true)
[ -z "$remote" ] || fail "the page names remote resources: $remote"
if grep -q ' src=' "$absolute"; then fail "the page loads something (src=)"; fi
if grep -q '@import\|url(' "$absolute"; then fail "the style sheet loads something"; fi

# The browser runs with the network cut (every host name fails to resolve), so a page that
# needed the network would render broken rather than quietly fetch.
run_browser() {
    "$browser" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
        --disable-background-networking "--host-resolver-rules=MAP * ~NOTFOUND" --force-device-scale-factor=1 "$@"
}

# 2. The DOM as the browser built it: every figure present as an SVG with a title.
dom="$out/$name.dom.html"
run_browser --dump-dom "file://$absolute" >"$dom" 2>/dev/null || fail "the browser could not load the page"
svgs=$(grep -o '<svg ' "$dom" | wc -l | tr -d ' ')
figures=$(grep -o '<figure ' "$dom" | wc -l | tr -d ' ')
[ "$svgs" -gt 0 ] || fail "no SVG in the rendered page"
[ "$svgs" = "$figures" ] || fail "$figures figures but $svgs SVGs in the rendered page"
grep -q '<table>' "$dom" || fail "no table in the rendered page"

# 3. A screenshot of the top of the page, and the page printed to PDF (print style sheet).
png="$out/$name.png"
pdf="$out/$name.pdf"
rm -f "$png" "$pdf"
run_browser --window-size="$window" --screenshot="$png" "file://$absolute" >/dev/null 2>&1 || true
run_browser --no-pdf-header-footer --print-to-pdf="$pdf" "file://$absolute" >/dev/null 2>&1 || true
[ -s "$png" ] || fail "no screenshot written"
[ -s "$pdf" ] || fail "no PDF written"
pages=$(pdfinfo "$pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
size=$(wc -c <"$pdf" | tr -d ' ')

echo "browser:    $("$browser" --version 2>/dev/null | head -n 1)"
echo "report:     $absolute"
echo "figures:    $figures (all rendered as SVG)"
echo "screenshot: $png ($window)"
echo "printed:    $pdf ($size bytes${pages:+, $pages pages})"
[ "$failed" = 0 ] && echo "check-report: OK"
exit "$failed"
