#!/usr/bin/env bash
# `npm run bench:node24`: the whole of `npm run bench` again on Node 24 — the service, the bench and
# bare json-rules-engine alike — from the copy of the project .ci/node24.sh prepares (Node 24 from
# the npm registry, better-sqlite3 rebuilt for it; the checkout's own node_modules is never touched).
# The same environment knobs apply. Figures go to bench/results/latest-node24.json.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../.ci/node24.sh
source .ci/node24.sh
node24_prepare
trap node24_cleanup EXIT
(cd "$NODE24_WORKDIR" && PATH="$NODE24_BIN_DIR:$PATH" npm run bench)
mkdir -p bench/results
cp "$NODE24_WORKDIR/bench/results/latest.json" bench/results/latest-node24.json
echo "figures written to bench/results/latest-node24.json"
