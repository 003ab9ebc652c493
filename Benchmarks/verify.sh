#!/usr/bin/env bash
# `SyncEngine.verify()` beside a full sync (issue "`convosync verify`": peak memory on a
# 10,000-conversation tenant within 20% of a sync's, the time within 1.3x a full sync's).
# Starts the emulator in its own process with CONVERSATIONS conversations x 10 turns, then,
# per dialect, RUNS times, each in its own process:
#   sync    the engine's initial sync into a fresh replica (as in sync.sh)
#   verify  verify() of that replica, just synced, by a new engine in a new process
# and prints the medians of both and verify/sync for time and peak memory (VmHWM).
#
#   Benchmarks/verify.sh [CONVERSATIONS] [RUNS] [DIALECTS]   (defaults 10000, 3, "agentflow knowrithm v2 turns")
#
# Setup, build and helpers are sync.sh's (sourced). Work files go to a fresh temp folder.
set -euo pipefail
# shellcheck source=sync.sh
source "$(dirname "${BASH_SOURCE[0]}")/sync.sh" "$@"

echo "== load at the start: $(uptime)"
echo "== emulator: $count conversations x 10 turns, in its own process"
start_server "$count"
for d in $dialects; do
    for r in $(seq 1 "$runs"); do
        echo "== $d, run $r of $runs: initial sync, then verify of that replica"
        rm -f "$work/$d.convosync"*
        # shellcheck disable=SC2086
        run "$d" sync --dialect "$d" --replica "$work/$d.convosync" $remote
        # shellcheck disable=SC2086
        run "$d" verify --dialect "$d" --replica "$work/$d.convosync" $remote
    done
done
stop_server
echo "== load at the end: $(uptime)"

echo
echo "== verify beside the initial sync (medians of $runs runs; tenant $count conversations x 10 turns)"
printf "%-10s %8s %8s %7s %5s %9s %9s %6s %5s %8s %8s %11s %11s %6s\n" dialect "sync s" "verify s" "v/s" "≤1.3" \
    "sync MiB" "verif MiB" "v/s" "≤1.2" "sync req" "verif req" "cpu c/s sync" "cpu c/s ver" equal
for d in $dialects; do
    st=$(median "$d.sync.seconds"); vt=$(median "$d.verify.seconds")
    sm=$(median "$d.sync.peak_rss"); vm=$(median "$d.verify.peak_rss")
    tr=$(ratio "$vt" "$st"); mr=$(ratio "$vm" "$sm")
    tok=$(awk -v r="$tr" 'BEGIN { print (r <= 1.3 ? "ok" : "MISS") }')
    mok=$(awk -v r="$mr" 'BEGIN { print (r <= 1.2 ? "ok" : "MISS") }')
    equal=$(awk -v k="$d.verify.equal" '$1 == k { n++; if ($2 == 1) e++ } END { printf "%d/%d", e, n }' "$work/figures")
    printf "%-10s %8.2f %8.2f %7s %5s %9.1f %9.1f %6s %5s %8.0f %8.0f %5.2f/%5.2f %5.2f/%5.2f %6s\n" "$d" "$st" "$vt" "$tr" "$tok" \
        "$sm" "$vm" "$mr" "$mok" "$(median "$d.sync.requests")" "$(median "$d.verify.requests")" \
        "$(median "$d.sync.client_cpu_s")" "$(median "$d.sync.server_cpu_s")" \
        "$(median "$d.verify.client_cpu_s")" "$(median "$d.verify.server_cpu_s")" "$equal"
done
