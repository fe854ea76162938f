#!/usr/bin/env bash
# Runs s3rver (an S3 server whose objects are plain files, the npm package the tests use) on 127.0.0.1, for a local
# cluster whose silos share failure bundles (and large provider data chunks) in one bucket:
#   scripts/s3rver.sh [port]      (default 4568; its files go to $PAYAPI_S3RVER_DIR, default ./data/s3rver)
# then run each member with --PayApi:Artifacts:Provider=S3 --PayApi:Artifacts:Bucket=payapi-local
#   --PayApi:S3:ServiceUrl=http://127.0.0.1:4568 --PayApi:S3:CreateBucket=true
# Installs Node.js and s3rver when missing, as scripts/test.sh does.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib/install.sh
. scripts/lib/install.sh
ensure_s3rver

dir="${PAYAPI_S3RVER_DIR:-$PWD/data/s3rver}"
mkdir -p "$dir"
echo "s3rver on http://127.0.0.1:${1:-4568}, files in $dir"
exec node tests/tools/s3rver/server.js --port "${1:-4568}" --directory "$dir"
