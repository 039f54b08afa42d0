#!/usr/bin/env bash
# Fetch the two JavaScript files that show ipywidgets in the static book, with no network at
# reading time: require.js and @jupyter-widgets/html-manager's embed-amd.js (+ its Font Awesome
# fonts). They come from the npm registry at pinned versions, checked against pinned SHA-256
# sums, into web/widgets/ (gitignored; `_config.yml` serves web/ as static files, so they end up
# in _build/html/_static/widgets/). Run by `make book` and `make test`; needs npm.
set -euo pipefail
cd "$(dirname "$0")/widgets"

HTML_MANAGER=@jupyter-widgets/html-manager@1.0.15   # matches ipywidgets 8 (widget protocol 2)
HTML_MANAGER_SHA256=2b9d65cb7913e1c7d671757a10008b32c9c2448d4429513371e55c07d6107638
REQUIREJS=requirejs@2.3.8
REQUIREJS_SHA256=777158e89275e16bd51aec3ef714fbcb5dc45789e7078659933bc814916d7dec

if ! command -v npm >/dev/null 2>&1; then
    echo "error: npm not found. The book's widgets need require.js and" >&2
    echo "  $HTML_MANAGER from the npm registry: install Node.js/npm and retry." >&2
    exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent --no-fund --no-audit "$HTML_MANAGER" "$REQUIREJS" >/dev/null)
(cd "$tmp" && sha256sum --quiet -c - <<SUMS
$HTML_MANAGER_SHA256  jupyter-widgets-html-manager-1.0.15.tgz
$REQUIREJS_SHA256  requirejs-2.3.8.tgz
SUMS
)
mkdir -p "$tmp/hm" "$tmp/rjs"
tar -xzf "$tmp/jupyter-widgets-html-manager-1.0.15.tgz" -C "$tmp/hm"
tar -xzf "$tmp/requirejs-2.3.8.tgz" -C "$tmp/rjs"

# embed-amd.js loads its fonts from beside its AMD module URI; setup.js points that URI here.
cp "$tmp"/hm/package/dist/embed-amd.js "$tmp"/hm/package/dist/*.LICENSE.txt .
cp "$tmp"/hm/package/dist/*.{eot,svg,ttf,woff,woff2} .
cp "$tmp"/rjs/package/require.js .
echo "$HTML_MANAGER (BSD-3-Clause) and $REQUIREJS (MIT), from the npm registry." > VERSIONS.txt
echo "fetched $HTML_MANAGER and $REQUIREJS into web/widgets/"
