#!/usr/bin/env bash
# Runs Orleans.PayApi on its embedded default: one silo on localhost clustering, SQLite storage and
# reminders, a local master key and the sandbox providers, all under ./data.
# Needs the .NET SDK; installs Debian's Chromium when missing and restores NuGet packages itself. Extra arguments go to the service
# (e.g. --urls http://127.0.0.1:9090).
# Settings keep their documented precedence: command line > environment (PayApi__DataDir, ...) > appsettings.json > defaults.
# This script adds no setting of its own: the data dir is the service's default ./data (this folder), PayApi__DataDir,
# PAYAPI_DATA_DIR (a shorthand for PayApi__DataDir) or --PayApi:DataDir=... among the arguments.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "The .NET SDK is required (dotnet not found on PATH)." >&2; exit 1; }

# Web-login providers (the sandbox bank among them) are driven in Debian's Chromium.
# shellcheck source=lib/install.sh
. scripts/lib/install.sh
[ -n "${PayApi__Scraper__ChromiumPath:-}" ] || ensure_debian_packages chromium:/usr/bin/chromium

if [ -z "${PayApi__DataDir:-}" ] && [ -n "${PAYAPI_DATA_DIR:-}" ]; then
  export PayApi__DataDir="$PAYAPI_DATA_DIR"
fi

# A first build takes a minute or two: say so, and show each project as it is built.
echo "run.sh: restoring NuGet packages..." >&2
dotnet restore Orleans.PayApi.slnx --nologo -v quiet
echo "run.sh: building src/PayApi.Host (Release); each project is listed when done..." >&2
dotnet build src/PayApi.Host/PayApi.Host.csproj -c Release --no-restore --nologo -v minimal -clp:NoSummary
echo "run.sh: starting the service..." >&2
exec dotnet src/PayApi.Host/bin/Release/net10.0/PayApi.Host.dll "$@"
