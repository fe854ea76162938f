#!/usr/bin/env bash
# Runs dynalite (a DynamoDB on LevelDB, the npm package the tests use) on 127.0.0.1, for a local cluster:
#   scripts/dynalite.sh [port]      (default 4567; its files go to $PAYAPI_DYNALITE_DIR, default ./data/dynalite)
# Installs Node.js and dynalite when missing, as scripts/test.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib/install.sh
. scripts/lib/install.sh
ensure_dynalite

dir="${PAYAPI_DYNALITE_DIR:-$PWD/data/dynalite}"
mkdir -p "$dir"
echo "dynalite on http://127.0.0.1:${1:-4567}, files in $dir"
exec node tests/tools/dynalite/server.js --port "${1:-4567}" --path "$dir"
