#!/bin/sh
# Builds RemoteBenchmark in release and prints dialect decode and SSE parse throughput.
# Usage: Benchmarks/remote.sh   (from anywhere)
set -eu
cd "$(dirname "$0")"
swift build -c release --product RemoteBenchmark
"$(swift build -c release --show-bin-path)/RemoteBenchmark"
