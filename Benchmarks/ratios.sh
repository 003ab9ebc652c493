#!/usr/bin/env bash
# The store against the lean reference, with thresholds (issue "The sync at the machine's limit").
# Runs the package-benchmark target StoreRatios once (40,000 fragments for the write and import
# ratios, a 200,000-fragment replica for one-term search), prints its figures, then checks the
# run against the static thresholds in Thresholds/ (see BENCHMARKS.md for what each guards).
#
#   Benchmarks/ratios.sh
#
# Exit status: 0 when the run is within the thresholds or better than them (the script says
# which), 2 when a checked figure regressed past its threshold, 1 when the run or check failed.
# The run is stored as the package-benchmark baseline "ratios" (in .benchmarkBaselines, ignored
# by git), so `swift package benchmark baseline read ratios` shows it again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

echo "== running StoreRatios (release build, then a few minutes)" >&2
swift package --allow-writing-to-package-directory benchmark baseline update ratios \
    --target StoreRatios --no-progress >"$log" 2>&1 || { cat "$log"; exit 1; }

table="$(swift package benchmark baseline read ratios --target StoreRatios 2>/dev/null)"
echo "$table" | sed -n '/^StoreRatios$/,$p'

# p50 of a metric from the table: columns are Metric | p0 | p25 | p50 | ...
p50() {
    echo "$table" | awk -F'│' -v m="$1" '{ name = $2; gsub(/^ +| +$/, "", name); sub(/ \(.*\)$/, "", name) }
        name == m { v = $5; gsub(/ /, "", v); print v; exit }'
}
times() { awk -v v="$1" 'BEGIN { printf "%.3f", v / 1000 }'; }
write=$(p50 writeVsLeanMedianPermille)
import=$(p50 importVsLeanMedianPermille)
echo
echo "== summary (ratios are medians of this run's lean/store pairs, wall clock)"
printf "sync write path (applyListingPage) %sx lean  target >= 0.5x: %s  (check fails below 0.640x, a regression from 2026-12-07)\n" \
    "$(times "$write")" "$([ "$write" -ge 500 ] && echo met || echo MISSED)"
printf "JSONL import                       %sx lean  target >= 0.5x: %s  (check fails below 0.500x, the target)\n" \
    "$(times "$import")" "$([ "$import" -ge 500 ] && echo met || echo MISSED)"
printf "one-term search, 200,000 fragments p50 of batch p50s %s us, of batch p99s %s us  (check fails 75%% above 1,600 / 5,800 us)\n" \
    "$(p50 searchOneTermP50Micros)" "$(p50 searchOneTermP99Micros)"

echo
echo "== thresholds check (Thresholds/*.p90.json)"
# The plugin exits 1 for both a regression and an improvement, so the verdict is read from its output.
check="$(swift package benchmark thresholds check ratios --target StoreRatios 2>&1 || true)"
echo "$check" | sed -n '/^Reading thresholds/,$p' | grep -v '^error: \|^$\|^=*$'
if echo "$check" | grep -q "is WORSE than the defined thresholds"; then
    echo "thresholds: FAIL (a checked figure regressed past its threshold)"; exit 2
elif echo "$check" | grep -q "is BETTER than the defined thresholds"; then
    echo "thresholds: PASS (better than the recorded values by more than the tolerance: consider raising them, see BENCHMARKS.md)"
elif echo "$check" | grep -q "is EQUAL to the defined thresholds"; then
    echo "thresholds: PASS (within every threshold)"
else
    echo "$check"; echo "thresholds: the check did not run"; exit 1
fi
