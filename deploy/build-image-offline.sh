#!/usr/bin/env bash
# Builds deploy/Dockerfile on a Debian machine that reaches Debian's and NuGet's package servers but no container
# registry (our build machines), and smoke-tests the image's filesystem. Not part of scripts/test.sh: it takes
# 15-25 minutes. deploy/README.md, "Building the image here", records what it showed.
#
# 1. A Debian bookworm base image made with debootstrap (stands in for debian:bookworm-slim).
# 2. An SDK image: that base plus this machine's .NET SDK and CA bundle (stands in for mcr.microsoft.com/dotnet/sdk:10.0).
# 3. podman build of deploy/Dockerfile with those two as build arguments; RUN steps with chroot isolation (the OCI
#    runtime cannot start containers in our sandbox), the host's NuGet cache mounted to save the downloads.
# 4. The built image's filesystem started the way the image says (ENTRYPOINT, USER, ENV, a read-only root and a
#    writable /tmp), with chroot since no container can run here: /healthz must answer 200, SIGTERM must end it.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${PAYAPI_IMAGE_WORK:-/tmp/payapi-image}
mkdir -p "$work"

. scripts/lib/install.sh
ensure_debian_packages podman:podman debootstrap:debootstrap curl:curl

if ! podman image exists localhost/debian:bookworm-slim; then
  [ -d "$work/rootfs/usr" ] || debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian
  tar -C "$work/rootfs" -c . | podman import - localhost/debian:bookworm-slim
fi

if ! podman image exists localhost/dotnet-sdk:10.0-local; then
  rm -rf "$work/sdk" && mkdir -p "$work/sdk"
  cp -a "$(dirname "$(readlink -f "$(command -v dotnet)")")" "$work/sdk/dotnet"
  cp /etc/ssl/certs/ca-certificates.crt "$work/sdk/host-ca.crt"
  cat > "$work/sdk/Containerfile" <<'CONTAINERFILE'
FROM localhost/debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates libssl3 libstdc++6 zlib1g && rm -rf /var/lib/apt/lists/*
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
COPY host-ca.crt /etc/ssl/certs/ca-certificates.crt
CONTAINERFILE
  podman build --isolation=chroot -t localhost/dotnet-sdk:10.0-local "$work/sdk"
fi

mkdir -p "$HOME/.nuget/packages"
podman build --format docker --isolation=chroot -v "$HOME/.nuget/packages:/root/.nuget/packages" -f deploy/Dockerfile \
  --build-arg SDK_IMAGE=localhost/dotnet-sdk:10.0-local --build-arg RUNTIME_IMAGE=localhost/debian:bookworm-slim \
  -t localhost/payapi:local .

# What the image declares, as podman records it.
podman image inspect localhost/payapi:local --format 'User={{.Config.User}} Entrypoint={{.Config.Entrypoint}} ExposedPorts={{.Config.ExposedPorts}} StopSignal={{.Config.StopSignal}} Healthcheck={{.Config.Healthcheck.Test}}'

# Start it: the image's root read-only (an image mount), /tmp a tmpfs, /proc and /dev from the host, the image's
# environment and user, its entry point.
root=$(podman image mount localhost/payapi:local)
trap 'podman image unmount localhost/payapi:local >/dev/null || true' EXIT
port=${PAYAPI_IMAGE_PORT:-18080}
mapfile -t env < <(podman image inspect localhost/payapi:local --format '{{range .Config.Env}}{{println .}}{{end}}' | sed '/^$/d')
user=$(podman image inspect localhost/payapi:local --format '{{.Config.User}}')
log="$work/run.log"
unshare --mount --fork bash -c "
  set -e
  mount --make-rprivate /
  mount --bind '$root' '$root' && mount -o remount,bind,ro '$root'
  mount -t tmpfs -o mode=1777 tmpfs '$root/tmp'
  mount -t proc proc '$root/proc'
  mount --rbind /dev '$root/dev'
  exec env -i ${env[*]@Q} ASPNETCORE_URLS=http://127.0.0.1:$port chroot --userspec='$user' '$root' /usr/bin/tini -- /app/PayApi.Host
" >"$log" 2>&1 &
runner=$!
for _ in $(seq 1 120); do
  if curl --fail --silent --output /dev/null "http://127.0.0.1:$port/healthz"; then
    echo "healthz: 200 from the image's entry point running as $user on a read-only root"
    break
  fi
  kill -0 "$runner" 2>/dev/null || { echo "the image's entry point exited:"; cat "$log"; exit 1; }
  sleep 1
done
curl --fail --silent --show-error --output /dev/null "http://127.0.0.1:$port/healthz"
# unshare --fork runs one child, which becomes tini (exec all the way); the host is tini's child.
tini=$(pgrep -P "$runner")
host=$(pgrep -P "$tini")
echo "PID $tini runs $(tr '\0' ' ' < /proc/"$tini"/cmdline)as uid $(stat -c %u /proc/"$tini"); its child $(tr '\0' ' ' < /proc/"$host"/cmdline)as uid $(stat -c %u /proc/"$host")"
kill -TERM "$tini"
wait "$runner" && echo "SIGTERM: exited 0" || { echo "SIGTERM: exit $?"; tail -20 "$log"; exit 1; }
