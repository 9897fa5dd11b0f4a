#!/usr/bin/env bash
# Memory: Redis bytes per session against the raw token bytes, and the gateway's RSS with 1k, 10k and 100k
# sessions in Redis (each used once through it). Usage: bench/memory.sh [session counts...]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
# dotnet-gcdump reports the gateway's live heap after each step (a forced full collection).
[ -x "$HOME/.dotnet/tools/dotnet-gcdump" ] || dotnet tool install -g dotnet-gcdump >/dev/null 2>&1 || echo "dotnet-gcdump unavailable: no live-heap column"
echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
dotnet run -c Release --project bench/MemoryBench -- "$@"
