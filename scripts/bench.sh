#!/usr/bin/env bash
# Benchmarks sandbox-bank web logins through the BrowserPool against a browser-per-login baseline, and
# a plain-HTTP keep-alive against a browser re-login, in one run; prints a table and a summary line.
# Usage: scripts/bench.sh [--logins N] [--keepalives M]   (defaults 20 and 20)
# Installs Debian's Chromium if it is missing (as scripts/test.sh does), then builds and runs in Release.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "The .NET SDK is required (dotnet not found on PATH)." >&2; exit 1; }

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian packages: chromium"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
project=bench/PayApi.Benchmarks/PayApi.Benchmarks.csproj
dotnet restore "$project" --nologo -v quiet
dotnet build "$project" -c Release --no-restore --nologo -v quiet -clp:ErrorsOnly
exec dotnet bench/PayApi.Benchmarks/bin/Release/net10.0/PayApi.Benchmarks.dll "$@"
