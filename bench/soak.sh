#!/usr/bin/env bash
# Soak run (not part of the default test run): 2 gateway processes, 500 sessions, 5-second access tokens,
# 10 minutes of load with random graceful restarts. Needs redis-server (see test.sh).
# Usage: bench/soak.sh [seconds] [sessions]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Bff.Tests -c Release -nologo -v quiet
dotnet run -c Release --project bench/Soak -- "${1:-600}" "${2:-500}"
