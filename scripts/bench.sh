#!/usr/bin/env bash
# Benchmarks, each against a baseline measured in the same run; prints tables and summary lines.
#   browser: sandbox-bank web logins through the BrowserPool against a browser per login, and a plain-HTTP
#            keep-alive against a browser re-login.
#   cluster: cached reads on one silo against a two-silo cluster (two host processes) on dynalite:
#            requests per second and CPU seconds per 1,000 requests summed over all server processes.
#   data:    memory per active connection (heap and RSS) for 1,000 connections of 150 and of 5,000 items, and the
#            cached read rate of the newest page against a deep page and against GET /v1/connection.
#   hotpath: the cached read (GET /v1/balance) through the gateway in its default configuration (request log, rate
#            limits, usage metering) against a bare Kestrel endpoint returning the same JSON, both under wrk.
#   sync:    an account of 50,000 charges: requests and CPU seconds of the first sync, and of a refresh after 3 new
#            charges against a full re-read of the history.
#   webhooks: events delivered per second to a loopback receiver (4 clients x 250 events through the webhook grains),
#            against plain POSTs of the same body at the same concurrency.
# Usage: scripts/bench.sh [browser|cluster|data|hotpath|sync|webhooks] [--logins N] [--keepalives M] [--seconds S] [--connections C]
#        (default: all; 20, 20, 20, 1000)
# Installs what it needs if missing (as scripts/test.sh does: Chromium, Node.js, dynalite), then builds and runs in Release.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "The .NET SDK is required (dotnet not found on PATH)." >&2; exit 1; }

# shellcheck source=lib/install.sh
. scripts/lib/install.sh
ensure_debian_packages chromium:/usr/bin/chromium wrk:/usr/bin/wrk
ensure_dynalite

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=bench/PayApi.Benchmarks/PayApi.Benchmarks.csproj
dotnet restore "$project" --nologo -v quiet
dotnet build "$project" -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly
# The cluster benchmark starts the host as its own process, from its Release build.
dotnet build src/PayApi.Host/PayApi.Host.csproj -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly
exec dotnet bench/PayApi.Benchmarks/bin/Release/net10.0/PayApi.Benchmarks.dll "$@"
