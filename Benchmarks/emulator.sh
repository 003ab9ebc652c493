#!/usr/bin/env bash
# The emulator's benchmark (issue: "The emulator"): full listing passes of 100-item pages of a
# CONVERSATIONS-conversation tenant per dialect over loopback (median of RUNS), and the SSE
# delta throughput of one streamed reply.
#
#   Benchmarks/emulator.sh [CONVERSATIONS] [RUNS]      (defaults 10000 and 5)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
echo "building (release)..." >&2
(cd "$here" && swift build -c release --product EmulatorBenchmark >/dev/null)
"$here/.build/release/EmulatorBenchmark" "${1:-10000}" "${2:-5}"
