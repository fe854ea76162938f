#!/usr/bin/env bash
# Runs every test of Orleans.PayApi on a fresh Debian machine with the .NET SDK.
# Installs what the tests need, idempotently: Debian's Chromium (the service's scraper and the browser
# tests drive it through Playwright), tinyproxy (proxy rotation tests), Node.js and the npm packages dynalite
# (the DynamoDB tests run a real dynalite on loopback) and s3rver (the S3 artifact store tests run a real s3rver),
# then NuGet restore. Prints each test project's summary
# and a total line.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "The .NET SDK is required (dotnet not found on PATH)." >&2; exit 1; }

# shellcheck source=lib/install.sh
. scripts/lib/install.sh
ensure_debian_packages chromium:/usr/bin/chromium tinyproxy:/usr/bin/tinyproxy curl:/usr/bin/curl  # curl: the README walkthrough test
ensure_dynalite
ensure_s3rver
ensure_redocly
ensure_axe # axe-core: the browser tests' accessibility audit of the Connect page

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore Orleans.PayApi.slnx --nologo -v quiet
dotnet build Orleans.PayApi.slnx --no-restore --nologo -v quiet -clp:ErrorsOnly

results=$(mktemp -d)
status=0
# One project at a time: the machine has two cores, and the integration tests run real silos.
# deploy/tests: the CDK app's template tests (jsii runs on the Node.js installed above) and the image's entry point.
for project in $(find tests deploy/tests -name '*.csproj' | sort); do
  grep -q 'Include="Microsoft.NET.Test.Sdk"' "$project" || continue
  name=$(basename "$project" .csproj)
  echo "== $name"
  if ! dotnet test "$project" --no-build --nologo --logger "trx;LogFileName=$name.trx" --results-directory "$results" "$@"; then
    status=1
  fi
done

# Sum the counters of every TRX file into one closing line (plain shell: nothing beyond coreutils and grep).
passed=0; failed=0; skipped=0; runs=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*' "$trx" | head -n 1 || true)
  [ -n "$counters" ] || continue
  runs=$((runs + 1))
  count() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9][0-9]*' || echo 0; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
done
echo "Total: $passed passed, $failed failed, $skipped skipped ($runs test projects)"
if [ "$runs" -eq 0 ] || [ "$passed" -eq 0 ]; then
  echo "No test ran." >&2
  status=1
fi
exit $status
