#!/usr/bin/env bash
# Runs the whole test suite: unit, functional (real Kestrel, real OpenIddict provider) and Redis tests.
# Installs what the tests need when it is missing (Debian, as root): redis-server, and chromium for the
# browser tests (driven by Playwright .NET at /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: please install: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

log=$(mktemp)
publish=$(mktemp -d)
trap 'rm -rf "$log" "$publish"' EXIT

# The Dockerfile's build stage, as it runs there (no Docker engine here): operators run the published output.
dotnet restore src/Bff/Bff.csproj --nologo -v quiet
dotnet publish src/Bff/Bff.csproj -c Release -o "$publish" --no-restore --nologo -v quiet
test -f "$publish/Bff.dll" && test -f "$publish/appsettings.json"
grep -q '^FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build' Dockerfile && grep -q '^FROM mcr.microsoft.com/dotnet/aspnet:10.0' Dockerfile

status=0
dotnet test Bff.sln -c Release --nologo 2>&1 | tee "$log" || status=$?

# One plain summary line ("N passed, N failed") for CI, summed over the test assemblies.
awk '/^(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) } }
     END { gsub(",", "", p); printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
