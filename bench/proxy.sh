#!/usr/bin/env bash
# Proxy benchmark: authenticated GET through the gateway (in-memory and Redis stores) against bare YARP and
# the backend itself, wrk -t2 -c32 in interleaved rounds, medians and ratios to bare YARP. Installs wrk and
# redis-server when missing (Debian, as root).
# Usage: bench/proxy.sh [seconds per round] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk redis-server; do
  command -v "$tool" >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk redis-server >/dev/null; break; }
done
grep -m1 "model name" /proc/cpuinfo || true
dotnet run -c Release --project bench/ProxyBench -- "${1:-10}" "${2:-3}"
