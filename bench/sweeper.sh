#!/usr/bin/env bash
# Sweeper benchmark: 10,000 sessions due within one minute, provider latency 20 ms, two gateway instances
# sharing one redis-server (or a 3-master, 3-replica Redis Cluster) started by the benchmark, real clock.
# Needs redis-server and redis-cli (see test.sh).
# Usage: bench/sweeper.sh [sessions] [provider latency ms] [single|cluster] [window seconds]
#   bench/sweeper.sh 100000 20 cluster 300     # issue 15: 100,000 sessions due within five minutes, on a cluster
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet run -c Release --project bench/SweeperBench -- "${1:-10000}" "${2:-20}" "${3:-single}" "${4:-60}"
