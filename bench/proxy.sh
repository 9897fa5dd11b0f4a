#!/usr/bin/env bash
# Proxy benchmark: authenticated GET through the gateway (in-memory and Redis stores) against bare YARP, nginx
# and the backend itself, each server in its own process; wrk -t2 -c32, each target warmed up and then run
# between runs of bare YARP, medians and each run's ratio to the bare YARP runs either side. Installs wrk,
# nginx and redis-server when missing (Debian, as root).
# Usage: bench/proxy.sh [seconds per round] [rounds] [many sessions] [only targets matching this regex]
#   bench/proxy.sh 5 8 100000                      # every row, the many-session ones with 100,000 sessions
#   bench/proxy.sh 5 4 100000 'sessions|script'    # bare YARP, the many-session rows and their wrk-script baseline
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in wrk nginx redis-server; do
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx redis-server >/dev/null; break; }
done
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB"
# Debian's nginx package starts a system instance on port 80; the benchmark runs its own.
systemctl stop nginx 2>/dev/null || service nginx stop 2>/dev/null || true
dotnet run -c Release --project bench/ProxyBench -- "$@"
