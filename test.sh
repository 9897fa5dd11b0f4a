#!/usr/bin/env bash
# Runs the whole test suite: unit, functional (real Kestrel, real OpenIddict provider, real oidc-provider on
# Node), Redis (single, Sentinel, a 3-master/3-replica Cluster) and browser tests.
# Installs what the tests need when it is missing (Debian, as root): redis-server (and redis-tools, whose
# redis-cli creates the cluster), chromium for the browser tests (driven by Playwright .NET at
# /usr/bin/chromium), nginx and openssl for TLS termination in front of the gateways (the tests run their own
# nginx; the package's system instance is not used), Node and npm for the second provider, whose packages
# come from demo/oidc-provider/package-lock.json (npm ci).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: please install: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian's nginx package starts a system instance on port 80; the tests run their own.
  systemctl stop nginx 2>/dev/null || service nginx stop 2>/dev/null || true
fi

npm ci --prefix demo/oidc-provider --no-audit --no-fund --loglevel=error

log=$(mktemp)
publish=$(mktemp -d)
trap 'rm -rf "$log" "$publish"' EXIT

# The Dockerfile's build stage, as it runs there (no Docker engine here): its RUN lines, read from the
# Dockerfile and run from the repository root (what its COPY lines lay out under /src), publishing to a
# temporary folder instead of /app. src/Bff.Tests/Deploy/DockerfileTests.cs checks the stages themselves.
mapfile -t build_stage < <(awk '/^FROM .* AS build/ { inside = 1; next } /^FROM / { inside = 0 }
                                inside && /^RUN / { sub(/^RUN /, ""); print }' Dockerfile)
((${#build_stage[@]} >= 2))
for command in "${build_stage[@]}"; do
  echo "Dockerfile build stage: $command"
  eval "${command//\/app/$publish} --nologo -v quiet" </dev/null
done
test -f "$publish/Bff.dll" && test -f "$publish/appsettings.json"

status=0
dotnet test Bff.sln -c Release --nologo 2>&1 | tee "$log" || status=$?

# One plain summary line ("N passed, N failed") for CI, summed over the test assemblies.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { gsub(",", "", p); printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
