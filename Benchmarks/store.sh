#!/usr/bin/env bash
# The replica's benchmark (issue: "The replica"). Builds 1,000,000 fragments
# (50,000 conversations x 10 turns x 2 fragments, deterministic English-like text)
# and prints the figures BENCHMARKS.md records, with ratios to the raw-SQLite reference.
#
#   Benchmarks/store.sh [CONVERSATIONS]      (default 50000)
#
# Work files go to a fresh temp folder, removed at the end.
#
# This stays hand-rolled: it measures at the targets' scale (1,000,000 fragments), the import's
# peak memory in a process of its own, list and observation latency and the CLI. The write and
# import ratios to the lean reference, with thresholds a regression fails, are the package-benchmark
# target StoreRatios: run Benchmarks/ratios.sh (a few minutes, 40,000 fragments).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
count="${1:-50000}"
small=$((count / 5))
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "building (release)..." >&2
(cd "$here" && swift build -c release --product StoreBenchmark >/dev/null)
(cd "$root" && swift build -c release --product convosync >/dev/null)
bench="$here/.build/release/StoreBenchmark"
cli="$root/.build/release/convosync"

run() { "$bench" "$@" | tee -a "$work/figures"; }

echo "== the sync's write path (applyListingPage): $count conversations, pages of 100, one transaction a page"
run writes "$count" "$work/written.convosync"
echo "== export to JSONL"
run export "$work/written.convosync" "$work/corpus.jsonl"
head -n "$small" "$work/corpus.jsonl" > "$work/small.jsonl"
echo "== JSONL import, $count conversations (own process: peak memory is the import's)"
run import "$work/corpus.jsonl" "$work/imported.convosync"
echo "== JSONL import, $small conversations (memory must stay flat as the file grows)"
"$bench" import "$work/small.jsonl" "$work/small.convosync" | sed 's/^import\./import_small./' | tee -a "$work/figures"
echo "== raw reference: the same rows through the C API, prepared statements, one transaction"
run raw "$count" "$work/raw.sqlite" "$root/Schema/replica.sql"
echo "== lean reference (the limit): the same rows through the C API into three plain tables and an FTS5 index, one transaction"
run lean "$count" "$work/lean.sqlite"
echo "== queries on the imported replica"
run queries "$work/imported.convosync"

echo "== convosync search on the imported replica ($count conversations)"
"$cli" search --db "$work/imported.convosync" --limit 3 "renewal quote" | head -n 12

figure() { awk -v k="$1" '$1 == k { print $2 }' "$work/figures"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
raw=$(figure raw.fragments_per_s)
lean=$(figure lean.fragments_per_s)
echo
echo "== summary (ratios are this run's, against the lean reference unless named)"
printf "lean reference (the limit)     %12.0f fragments/s\n" "$lean"
printf "store JSONL import             %12.0f fragments/s  = %sx lean (target >= 0.5x)\n" "$(figure import.fragments_per_s)" "$(ratio "$(figure import.fragments_per_s)" "$lean")"
printf "sync write path                %12.0f fragments/s  = %sx lean (target >= 0.5x)\n" "$(figure writes.fragments_per_s)" "$(ratio "$(figure writes.fragments_per_s)" "$lean")"
printf "raw into the replica's schema  %12.0f fragments/s  = %sx lean (what the schema costs)\n" "$raw" "$(ratio "$raw" "$lean")"
printf "raw insert reference           %12.0f fragments/s\n" "$raw"
printf "store JSONL import             %12.0f fragments/s  (raw is %sx faster; target <= 1.5x)\n" "$(figure import.fragments_per_s)" "$(ratio "$raw" "$(figure import.fragments_per_s)")"
printf "  by CPU time (user+system)   raw %.0f, import %.0f fragments/CPU-s  (raw is %sx faster)\n" \
    "$(figure raw.fragments_per_cpu_s)" "$(figure import.fragments_per_cpu_s)" \
    "$(ratio "$(figure raw.fragments_per_cpu_s)" "$(figure import.fragments_per_cpu_s)")"
printf "store sync write path          %12.0f fragments/s  (raw is %sx faster)\n" "$(figure writes.fragments_per_s)" "$(ratio "$raw" "$(figure writes.fragments_per_s)")"
printf "import peak memory             %8.1f MiB for %s conversations, %8.1f MiB for %s (target <= 150 MB, flat)\n" \
    "$(figure import.peak_rss)" "$count" "$(figure import_small.peak_rss)" "$small"
echo "search terms are drawn in proportion to corpus frequency, the 50 most common words (stop words) excluded"
for n in 1 2 3; do
    printf "search %s-term                  p50 %7.3f ms  p99 %7.3f ms  (targets 5 / 25 ms)\n" "$n" "$(figure search.${n}term.p50)" "$(figure search.${n}term.p99)"
done
printf "list page of 50                p50 %7.3f ms  p99 %7.3f ms  (target p50 <= 1 ms)\n" "$(figure list.page50.p50)" "$(figure list.page50.p99)"
printf "observation commit->subscriber p50 %7.3f ms  p99 %7.3f ms  (target p50 <= 3 ms)\n" "$(figure observe.commit_to_subscriber.p50)" "$(figure observe.commit_to_subscriber.p99)"
echo "for the ratios checked against thresholds (package-benchmark, a regression fails): Benchmarks/ratios.sh"
