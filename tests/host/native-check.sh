#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tests/host/native-check.sh BINARY... — run selftests on this machine's own
# kernel with its native mseal(2) (MSEAL_TEST_BACKEND=syscall), no module
# involved: the expectations the guests hold the module to are checked
# against upstream's implementation. Skipped, saying so, on a kernel without
# mseal(2). Prints one line per binary: "native <kernel>: <name> ok|FAILED".
set -uo pipefail

has_mseal() {
    python3 - <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(462, ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
sys.exit(0 if r == 0 else 1)
PY
}

kernel=$(uname -r)
if ! has_mseal; then
    echo "native $kernel: skipped (this kernel has no mseal(2); the guests still run everything)"
    exit 0
fi
status=0
for bin in "$@"; do
    log=$(mktemp)
    if MSEAL_TEST_BACKEND=syscall "$bin" >"$log" 2>&1; then
        echo "native $kernel: $(basename "$bin") ok ($(grep -c '^ok ' "$log") passed, $(grep -c '# SKIP' "$log") skipped)"
    else
        cat "$log"
        echo "native $kernel: $(basename "$bin") FAILED"
        status=1
    fi
    rm -f "$log"
done
exit "$status"
