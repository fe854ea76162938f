# Sourced by the scripts in scripts/: installs what they need when it is missing, and nothing else.

# ensure_debian_packages PACKAGE:COMMAND ... — installs each PACKAGE whose COMMAND (a name or a path) is missing.
ensure_debian_packages() {
  local missing=() spec
  for spec in "$@"; do
    command -v "${spec#*:}" >/dev/null 2>&1 || missing+=("${spec%%:*}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing Debian packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# ensure_dynalite — Node.js, and dynalite with its LevelDB binding (a prebuilt linux-x64 binary ships in the
# package) in tests/tools/dynalite, pinned by its lock file.
ensure_dynalite() {
  ensure_debian_packages nodejs:node npm:npm
  if [ ! -f tests/tools/dynalite/node_modules/dynalite/package.json ]; then
    echo "Installing dynalite (npm ci in tests/tools/dynalite)"
    npm ci --prefix tests/tools/dynalite --no-audit --no-fund --loglevel=error
  fi
}

# ensure_s3rver — Node.js, and s3rver (an S3 server whose objects are plain files) in tests/tools/s3rver,
# pinned by its lock file. Pure JavaScript: no native build.
ensure_s3rver() {
  ensure_debian_packages nodejs:node npm:npm
  if [ ! -f tests/tools/s3rver/node_modules/s3rver/package.json ]; then
    echo "Installing s3rver (npm ci in tests/tools/s3rver)"
    npm ci --prefix tests/tools/s3rver --no-audit --no-fund --loglevel=error
  fi
}

# ensure_redocly — Node.js, and the OpenAPI linter @redocly/cli (one bundled package) in tests/tools/redocly,
# pinned by its lock file; the OpenAPI document test lints the document a running host serves with it.
ensure_redocly() {
  ensure_debian_packages nodejs:node npm:npm
  if [ ! -f tests/tools/redocly/node_modules/@redocly/cli/package.json ]; then
    echo "Installing @redocly/cli (npm ci in tests/tools/redocly)"
    npm ci --prefix tests/tools/redocly --no-audit --no-fund --loglevel=error
  fi
}

# ensure_axe — axe-core (the accessibility engine the browser tests inject into the Connect page) in
# tests/tools/axe, pinned by its lock file. Pure JavaScript: no native build.
ensure_axe() {
  ensure_debian_packages nodejs:node npm:npm
  if [ ! -f tests/tools/axe/node_modules/axe-core/axe.min.js ]; then
    echo "Installing axe-core (npm ci in tests/tools/axe)"
    npm ci --prefix tests/tools/axe --no-audit --no-fund --loglevel=error
  fi
}
