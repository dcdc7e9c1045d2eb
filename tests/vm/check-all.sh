#!/usr/bin/env bash
# tests/vm/check-all.sh ARCH... — the suite on every guest architecture, one
# QEMU guest per architecture (tests/vm/check.sh), run side by side: each
# guest is a single-threaded TCG process, so two of them use two host cores.
#
# Each guest's whole output goes to build/vm/ARCH/check-all.out and is
# printed when all are done, one architecture after the other, then one
# line per architecture and, last, the sum:
#   x86_64: 161 passed, 0 failed
#   arm64: 161 passed, 0 failed
#   322 passed, 0 failed
# Exit status: 0 only if every guest exited 0 and reported 0 failed.
# MSEAL_CHECK_SERIAL=1 runs the guests one after the other instead.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
(($#)) || set -- x86_64
arches=("$@")

declare -A pid out
for a in "${arches[@]}"; do
    out[$a]="$root/build/vm/$a/check-all.out"
    mkdir -p "${out[$a]%/*}"
    bash "$root/tests/vm/check.sh" "$a" >"${out[$a]}" 2>&1 &
    pid[$a]=$!
    [[ ${MSEAL_CHECK_SERIAL:-0} == 1 ]] && wait "${pid[$a]}"
done

declare -A rc
for a in "${arches[@]}"; do
    wait "${pid[$a]}"
    rc[$a]=$?
done

status=0 passed=0 failed=0 skipped=0 lines=()
for a in "${arches[@]}"; do
    echo "===== $a ====="
    cat "${out[$a]}"
    last=$(tail -n 1 "${out[$a]}")
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
        passed=$((passed + BASH_REMATCH[1]))
        failed=$((failed + BASH_REMATCH[2]))
        skipped=$((skipped + ${BASH_REMATCH[4]:-0}))
        lines+=("$a: $last")
    else
        lines+=("$a: no summary line (guest exit status ${rc[$a]})")
        failed=$((failed + 1))
    fi
    ((rc[$a] == 0)) || status=1
done
((failed == 0)) || status=1

printf '%s\n' "${lines[@]}"
if ((skipped)); then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
exit "$status"
