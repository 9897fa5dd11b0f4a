#!/usr/bin/env bash
# Refresh storm: 1,000 sessions x 20 concurrent requests, all tokens due at once, two gateway instances,
# provider latency 20 ms; once with every request sent at the same instant, once with the sessions' bursts
# spread over 10 s. Prints provider calls (must equal the sessions), reuses, errors and latency.
# Usage: bench/storm.sh [sessions] [requests per session] [provider latency ms] [spread seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
dotnet run -c Release --project bench/StormBench -- "${1:-1000}" "${2:-20}" "${3:-20}" "${4:-10}"
