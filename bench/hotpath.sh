#!/usr/bin/env bash
# Hot-path micro-benchmarks (BenchmarkDotNet, in process): session lookup and token attach, with allocations.
# Usage: bench/hotpath.sh [BenchmarkDotNet arguments, e.g. --filter '*ManySessions*'; all by default]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
dotnet run -c Release --project bench/HotPathBench -- "$@"
