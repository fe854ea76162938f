#!/usr/bin/env bash
# Runs Orleans.PayApi on its embedded default: one silo on localhost clustering, SQLite storage and
# reminders, a local master key and the sandbox providers, all under ./data.
# Needs the .NET SDK; installs Debian's Chromium when missing and restores NuGet packages itself. Extra arguments go to the service
# (e.g. --urls http://127.0.0.1:9090).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "The .NET SDK is required (dotnet not found on PATH)." >&2; exit 1; }

# Web-login providers (the sandbox bank among them) are driven in Debian's Chromium.
# shellcheck source=lib/install.sh
. scripts/lib/install.sh
[ -n "${PayApi__Scraper__ChromiumPath:-}" ] || ensure_debian_packages chromium:/usr/bin/chromium

dotnet restore Orleans.PayApi.slnx --nologo -v quiet
dotnet build src/PayApi.Host/PayApi.Host.csproj -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly
exec dotnet src/PayApi.Host/bin/Release/net10.0/PayApi.Host.dll --PayApi:DataDir="${PAYAPI_DATA_DIR:-$PWD/data}" "$@"
