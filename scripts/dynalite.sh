#!/usr/bin/env bash
# Runs dynalite (a DynamoDB on LevelDB, the npm package the tests use) on 127.0.0.1, for a local cluster:
#   scripts/dynalite.sh [port]      (default 4567; its files go to $PAYAPI_DYNALITE_DIR, default ./data/dynalite)
# Installs Node.js and dynalite when missing, as scripts/test.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v node >/dev/null || need_apt+=(nodejs)
command -v npm >/dev/null || need_apt+=(npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -f tests/tools/dynalite/node_modules/dynalite/package.json ]; then
  echo "Installing dynalite (npm ci in tests/tools/dynalite)"
  npm ci --prefix tests/tools/dynalite --no-audit --no-fund --loglevel=error
fi

dir="${PAYAPI_DYNALITE_DIR:-$PWD/data/dynalite}"
mkdir -p "$dir"
echo "dynalite on http://127.0.0.1:${1:-4567}, files in $dir"
exec node tests/tools/dynalite/server.js --port "${1:-4567}" --path "$dir"
