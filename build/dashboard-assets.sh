#!/usr/bin/env bash
# Vendors the dashboard's chart library (uPlot, MIT) at build time: `npm ci` from the pinned
# lockfile in native/Fast.Node/Rpc/Dashboard/web, then copies its minified script, its stylesheet
# and its LICENSE into web/vendor/, which Fast.Node.csproj embeds in the binary as resources (the
# page loads nothing from outside the node). Called by build/deps.sh and, when vendor/ is missing,
# by the build itself. Idempotent: vendor/ is kept while it matches the lockfile; after it exists the
# build needs no network. node_modules/ and vendor/ are not committed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
web="$root/native/Fast.Node/Rpc/Dashboard/web"
vendor="$web/vendor"
stamp="$vendor/.fast-lock-sha256"
lock_sha="$(sha256sum "$web/package-lock.json" | cut -d' ' -f1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sha" ] \
   && [ -f "$vendor/uPlot.iife.min.js" ] && [ -f "$vendor/uPlot.min.css" ] && [ -f "$vendor/uPlot.LICENSE" ]; then
    echo "dashboard-assets: $vendor (matches package-lock.json)"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "dashboard-assets: npm is needed to vendor the dashboard's chart library (apt-get install npm), then run ./build.sh deps" >&2
    exit 1
fi

echo "dashboard-assets: npm ci in $web"
(cd "$web" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
dist="$web/node_modules/uplot/dist"
mkdir -p "$vendor"
cp "$dist/uPlot.iife.min.js" "$vendor/uPlot.iife.min.js"
cp "$dist/uPlot.min.css" "$vendor/uPlot.min.css"
cp "$web/node_modules/uplot/LICENSE" "$vendor/uPlot.LICENSE"
echo "$lock_sha" > "$stamp"
echo "dashboard-assets: vendored uPlot $(node -p "require('$web/node_modules/uplot/package.json').version" 2>/dev/null || echo '?') into $vendor"
