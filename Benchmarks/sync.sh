#!/usr/bin/env bash
# The sync engine's benchmark (issue: "Performance (benchmark)"). Starts the emulator in its
# own process with a tenant of CONVERSATIONS conversations x 10 turns, then, per dialect, RUNS
# times, each in its own process:
#   sync    the engine's initial sync into a fresh replica (fragments/s, requests, CPU, peak RSS)
#   fetch   reference (a): the same listing pages and reads as bytes, no decoding, same concurrency
#   import  reference (b): the synced rows (the replica's JSONL export) imported into a fresh replica
#   write   reference (b'): the same rows through the engine's own write call (applyListingPage),
#           pages fetched and decoded beforehand, only the writes timed; then the limit (w):
#           the same rows into plain tables + FTS5 through the C API, one transaction
# and prints sync / a and sync / max(a, w) (the issue's targets), sync / (a + b) and
# sync / max(a, b), and the same with b'. Where the time goes: the CPU of client and emulator
# in the sync and in (a), the cores each kept busy, and the least sync / a all cores allow. Then the second sync after 10 appends and after
# 10 renames (admin routes) against the idle second sync and the initial sync (agentflow and
# knowrithm), the watch's snapshot -> committed row latency (agentflow), and the peak memory of
# the initial sync again with a tenant 10x smaller. Medians of RUNS; one run of this script.
#
#   Benchmarks/sync.sh [CONVERSATIONS] [RUNS] [DIALECTS]   (defaults 10000, 3, "agentflow knowrithm v2 turns")
#
# Work files go to a fresh temp folder, removed at the end. verify.sh sources the setup and
# helpers (everything above the "sourced" check).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
count="${1:-10000}"
runs="${2:-3}"
dialects="${3:-agentflow knowrithm v2 turns}"
small=$((count / 10))
work="$(mktemp -d)"
server=""

stop_server() {
    if [ -n "$server" ]; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}
trap 'stop_server; rm -rf "$work"' EXIT

echo "building (release)..." >&2
(cd "$here" && swift build -c release --product SyncBenchmark >/dev/null)
bench="$here/.build/release/SyncBenchmark"

# Starts the emulator with $1 conversations; sets $server and $remote (the client options).
start_server() {
    : > "$work/serve.out"
    "$bench" serve --conversations "$1" > "$work/serve.out" &
    server=$!
    until grep -q '^ready ' "$work/serve.out"; do
        kill -0 "$server" 2>/dev/null || { echo "the emulator did not start" >&2; exit 1; }
        sleep 0.5
    done
    read -r _ origin agents < <(grep '^ready ' "$work/serve.out")
    remote="--origin $origin --agents $agents --server-pid $server"
    grep '^serve\.' "$work/serve.out" | sed "s/^/tenant$1./" | tee -a "$work/figures"
}

# Runs one mode in its own process; its figures are kept under the prefix $1.
run() {
    local prefix="$1"
    shift
    "$bench" "$@" | sed "s/^/$prefix./" | tee -a "$work/figures"
}

# The median of the figure named $1 over the runs so far.
median() {
    awk -v k="$1" '$1 == k { print $2 }' "$work/figures" | sort -g | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "nan" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# Benchmarks/verify.sh sources the setup and helpers above and runs its own measurements.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    return 0
fi

echo "== load at the start: $(uptime)"
echo "== emulator: $count conversations x 10 turns, in its own process"
start_server "$count"
for d in $dialects; do
    for r in $(seq 1 "$runs"); do
        echo "== $d, run $r of $runs: initial sync, fetch only (a), import only (b), write only (b')"
        rm -f "$work/$d.convosync"* "$work/$d.imported.convosync"* "$work/$d.written.convosync"*
        export_option=""
        [ "$r" = 1 ] && export_option="--export $work/$d.jsonl"
        # shellcheck disable=SC2086
        run "$d" sync --dialect "$d" --replica "$work/$d.convosync" $export_option $remote
        # shellcheck disable=SC2086
        run "$d" fetch --dialect "$d" $remote
        run "$d" import --jsonl "$work/$d.jsonl" --replica "$work/$d.imported.convosync" --server-pid "$server"
        # shellcheck disable=SC2086
        run "$d" write --dialect "$d" --replica "$work/$d.written.convosync" $remote
    done
done
for d in agentflow knowrithm; do
    case " $dialects " in *" $d "*) ;; *) continue ;; esac
    echo "== $d: second sync of the last run's replica: idle, after 10 appends, after 10 renames (3 rounds)"
    # shellcheck disable=SC2086
    run "$d" second --dialect "$d" --replica "$work/$d.convosync" $remote
done
echo "== agentflow: watch snapshot -> committed row, 50 samples"
# shellcheck disable=SC2086
run agentflow latency --replica "$work/latency.convosync" $remote
stop_server

echo "== emulator: $small conversations x 10 turns (peak memory of a tenant 10x smaller)"
start_server "$small"
for d in $dialects; do
    for r in $(seq 1 "$runs"); do
        rm -f "$work/$d.small.convosync"*
        # shellcheck disable=SC2086
        run "$d.small" sync --dialect "$d" --replica "$work/$d.small.convosync" $remote
    done
done
stop_server
echo "== load at the end: $(uptime)"

echo
echo "== summary (medians of $runs runs; tenant $count conversations x 10 turns; emulator in its own process)"
printf "%-10s %9s %12s %9s %9s %9s %9s %11s %11s %9s %9s\n" \
    dialect "sync s" "fragments/s" "(a) s" "(b) s" "sync/a+b" "sync/max" "requests" "(a) reqs" "cli cpu" "srv cpu"
for d in $dialects; do
    s=$(median "$d.sync.seconds"); a=$(median "$d.fetch.seconds"); b=$(median "$d.import.seconds")
    sum=$(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')
    max=$(awk -v a="$a" -v b="$b" 'BEGIN { print (a > b ? a : b) }')
    printf "%-10s %9.2f %12.0f %9.2f %9.2f %9s %9s %11.0f %11.0f %9.2f %9.2f\n" "$d" "$s" "$(median "$d.sync.fragments_per_s")" \
        "$a" "$b" "$(ratio "$s" "$sum")" "$(ratio "$s" "$max")" "$(median "$d.sync.requests")" "$(median "$d.fetch.requests")" \
        "$(median "$d.sync.client_cpu_s")" "$(median "$d.sync.server_cpu_s")"
done
echo "against the limits: (a) the plain fetch, (w) the lean write of the same rows (C API, plain tables + FTS5)"
printf "%-10s %9s %9s %9s %9s %12s   %s\n" dialect "sync s" "(a) s" "(w) s" "sync/a" "sync/max(a,w)" "target"
for d in $dialects; do
    s=$(median "$d.sync.seconds"); a=$(median "$d.fetch.seconds"); w=$(median "$d.write.lean_seconds")
    max=$(awk -v a="$a" -v b="$w" 'BEGIN { print (a > b ? a : b) }')
    target="sync/a <= 1.2"; [ "$d" = turns ] && target="sync/a <= 1.5"
    printf "%-10s %9.2f %9.2f %9.2f %9s %12s   %s\n" "$d" "$s" "$a" "$w" "$(ratio "$s" "$a")" "$(ratio "$s" "$max")" "$target"
done
cores=$(nproc)
echo "where the time goes: the CPU of both processes (client + emulator; sums of medians) against the wall time."
echo "cpu ratio: what sync/a would be if the sync kept the cores as busy as the fetch does; floor: the sync's CPU"
echo "spread over all $cores cores, as a ratio to (a), the least sync/a this machine allows for that work"
printf "%-10s %9s %9s %10s %11s %10s %9s %9s\n" dialect "sync cpu" "(a) cpu" "cpu ratio" "sync cores" "(a) cores" "floor/a" "sync/a"
for d in $dialects; do
    s=$(median "$d.sync.seconds"); a=$(median "$d.fetch.seconds")
    sc=$(awk -v c="$(median "$d.sync.client_cpu_s")" -v e="$(median "$d.sync.server_cpu_s")" 'BEGIN { print c + e }')
    ac=$(awk -v c="$(median "$d.fetch.client_cpu_s")" -v e="$(median "$d.fetch.server_cpu_s")" 'BEGIN { print c + e }')
    floor=$(awk -v c="$sc" -v n="$cores" 'BEGIN { print c / n }')
    printf "%-10s %9.2f %9.2f %10s %11s %10s %9s %9s\n" "$d" "$sc" "$ac" "$(ratio "$sc" "$ac")" "$(ratio "$sc" "$s")" \
        "$(ratio "$ac" "$a")" "$(ratio "$floor" "$a")" "$(ratio "$s" "$a")"
done
echo "with (b') the engine's own write call instead of the JSONL import"
printf "%-10s %9s %9s %9s %9s   %s\n" dialect "(b') s" "sync/a+b'" "sync/max'" "frags" "CPU s: (a) client / server, (b) import, (b') write"
for d in $dialects; do
    s=$(median "$d.sync.seconds"); a=$(median "$d.fetch.seconds"); w=$(median "$d.write.seconds")
    sum=$(awk -v a="$a" -v b="$w" 'BEGIN { print a + b }')
    max=$(awk -v a="$a" -v b="$w" 'BEGIN { print (a > b ? a : b) }')
    printf "%-10s %9.2f %9s %9s %9.0f   %.2f / %.2f, %.2f, %.2f\n" "$d" "$w" "$(ratio "$s" "$sum")" "$(ratio "$s" "$max")" \
        "$(median "$d.sync.fragments")" "$(median "$d.fetch.client_cpu_s")" "$(median "$d.fetch.server_cpu_s")" \
        "$(median "$d.import.client_cpu_s")" "$(median "$d.write.client_cpu_s")"
done
echo "peak memory of the initial sync (VmHWM), $small vs $count conversations"
for d in $dialects; do
    printf "%-10s %8.1f MiB  %8.1f MiB  (x%s for 10x the tenant)\n" "$d" "$(median "$d.small.sync.peak_rss")" \
        "$(median "$d.sync.peak_rss")" "$(ratio "$(median "$d.sync.peak_rss")" "$(median "$d.small.sync.peak_rss")")"
done
echo "second sync (medians of 3 rounds of 10 changes each)"
for d in agentflow knowrithm; do
    case " $dialects " in *" $d "*) ;; *) continue ;; esac
    initial=$(median "$d.sync.seconds")
    for kind in idle appends renames; do
        t=$(median "$d.second.$kind.seconds")
        printf "%-10s %-8s %8.3f s  %6.0f requests  %5.0f read  %4.0f pages  full passes %s  (initial sync / this: %s)\n" \
            "$d" "$kind" "$t" "$(median "$d.second.$kind.requests")" "$(median "$d.second.$kind.read")" \
            "$(median "$d.second.$kind.pages")" "$(median "$d.second.$kind.full_passes")" "$(ratio "$initial" "$t")"
    done
done
echo "watch snapshot -> committed row (agentflow, $(median agentflow.latency.samples) samples)"
printf "new user turn   p50 %7.2f ms  p95 %7.2f ms\n" "$(median agentflow.latency.user_turn.p50)" "$(median agentflow.latency.user_turn.p95)"
printf "finished reply  p50 %7.2f ms  p95 %7.2f ms\n" "$(median agentflow.latency.reply_done.p50)" "$(median agentflow.latency.reply_done.p95)"
printf "admin append round trip (part of both) p50 %7.2f ms\n" "$(median agentflow.latency.admin_roundtrip.p50)"
