#!/usr/bin/env bash
# Installs n8n into its own folder, outside this project's dependencies, and reuses it when present.
# Why the override: n8n 2.8.4 depends on an `xlsx` tarball hosted outside the package registries;
# the registry package @e965/xlsx is the same library at 0.20.2.
set -euo pipefail
N8N_VERSION="${N8N_VERSION:-2.8.4}"
DIR="${N8N_INSTALL_DIR:-$HOME/.cache/self-healing/n8n-$N8N_VERSION}"
BIN="$DIR/node_modules/.bin/n8n"
if [ -x "$BIN" ] && [ -f "$DIR/.installed" ]; then
  echo "$BIN"
  exit 0
fi
mkdir -p "$DIR"
cat > "$DIR/package.json" <<JSON
{
  "name": "self-healing-n8n-runtime",
  "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "xlsx": "npm:@e965/xlsx@0.20.2" }
}
JSON
(cd "$DIR" && npm install --no-audit --no-fund --loglevel=error >&2)
touch "$DIR/.installed"
echo "$BIN"
