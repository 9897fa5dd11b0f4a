#!/usr/bin/env bash
# Sweeper benchmark: 10,000 sessions due within one minute, provider latency 20 ms, two gateway instances
# sharing one redis-server (started by the benchmark), real clock. Needs redis-server (see test.sh).
# Usage: bench/sweeper.sh [sessions] [provider latency ms]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/SweeperBench -- "${1:-10000}" "${2:-20}"
