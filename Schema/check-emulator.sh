#!/usr/bin/env bash
# Property-based check of the emulator against the four dialect contracts.
#
# Builds convosync-emulator, starts it on a free loopback port with a fixed seed, runs
# schemathesis against each dialect with its Schema/<dialect>.openapi.json (all checks;
# knowrithm without use_after_free, since it soft-deletes by design; the exceptions
# that conflict with the contracts by design are in Schema/schemathesis.toml and
# Schema/schemathesis_hooks.py), stops the emulator and exits non-zero when any
# dialect fails.
#
# Usage: Schema/check-emulator.sh [max examples per operation, default 10]
#
# Environment:
#   SCHEMATHESIS         a schemathesis executable to use instead of the one found on PATH
#   SCHEMATHESIS_VENV    where to install schemathesis when none is found
#                        (default: a folder under ${TMPDIR:-/tmp}, reused by later runs)
#   CHECK_SEED           the schemathesis seed (default 42), for reproducible runs
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
max_examples="${1:-10}"
seed="${CHECK_SEED:-42}"

# 1. schemathesis: given, on PATH, or installed into a virtualenv outside the repository.
schemathesis="${SCHEMATHESIS:-}"
if [[ -z "$schemathesis" ]]; then
    if command -v schemathesis >/dev/null 2>&1; then
        schemathesis="$(command -v schemathesis)"
    else
        venv="${SCHEMATHESIS_VENV:-${TMPDIR:-/tmp}/convosync-schemathesis-venv}"
        if [[ ! -x "$venv/bin/schemathesis" ]]; then
            echo "check-emulator: installing schemathesis into $venv" >&2
            python3 -m venv "$venv"
            "$venv/bin/pip" install --quiet "schemathesis>=4,<5"
        fi
        schemathesis="$venv/bin/schemathesis"
    fi
fi

# 2. The emulator, built and started on a free port.
swift build --product convosync-emulator >&2
emulator="$(swift build --show-bin-path)/convosync-emulator"
work="$(mktemp -d "${TMPDIR:-/tmp}/convosync-check.XXXXXX")"
"$emulator" --port 0 --seed 42 --conversations 50 --delta-interval-ms 0 >"$work/ready.txt" 2>"$work/emulator.log" &
emulator_pid=$!
stop_emulator() {
    if kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        wait "$emulator_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_emulator EXIT

for _ in $(seq 1 600); do
    grep -qx ready "$work/ready.txt" 2>/dev/null && break
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        echo "check-emulator: the emulator exited before it was ready:" >&2
        cat "$work/emulator.log" >&2
        exit 1
    fi
    sleep 0.1
done
if ! grep -qx ready "$work/ready.txt"; then
    echo "check-emulator: the emulator did not become ready in 60 s" >&2
    exit 1
fi
base_url() { awk -v dialect="$1" '$1 == dialect { print $2 }' "$work/ready.txt"; }

# 3. schemathesis, dialect by dialect.
failed=()
for dialect in agentflow v2 knowrithm turns; do
    url="$(base_url "$dialect")"
    auth=(-H "Authorization: Bearer dev-key")
    exclude=()
    if [[ "$dialect" == knowrithm ]]; then
        auth=(-H "X-API-Key: dev-key" -H "X-API-Secret: dev-secret")
        exclude=(--exclude-checks use_after_free)
    fi
    echo "=== $dialect ($url)"
    if SCHEMATHESIS_HOOKS=Schema/schemathesis_hooks.py "$schemathesis" --config-file Schema/schemathesis.toml run "Schema/$dialect.openapi.json" --url "$url" "${auth[@]}" \
        --checks all "${exclude[@]}" --max-examples "$max_examples" --seed "$seed" \
        --generation-database none --workers 1 --no-color; then
        echo "=== $dialect: passed"
    else
        echo "=== $dialect: FAILED"
        failed+=("$dialect")
    fi
done

if ((${#failed[@]} > 0)); then
    echo "check-emulator: failures in ${failed[*]}" >&2
    exit 1
fi
echo "check-emulator: all four dialects conform"
