#!/usr/bin/env bash
# tests/stress/compare.sh LABEL MODULE.out ORACLE.out [MIN-OPS] — compare the digests
# mseal_stress printed ("# STRESS seed=S ops=N digest=D chunks=C,...") in
# the module's run and in the oracle's (a kernel with native mseal) for
# every seed both ran.  Prints, last, `stress LABEL: N ops, N mismatches`
# (N ops: those of the compared seeds in the module's run); before it, for
# each mismatching seed, its first diverging chunk and how to get the full
# trace.  Exit 1 on a mismatch, a seed that died, or fewer than MIN-OPS
# (default 1) ops compared.
set -euo pipefail
label=$1 mod=$2 ora=$3 min=${4:-1}
ext() { sed -n 's/.*# STRESS \(seed=[0-9]* .*\)$/\1/p' "$1" | tr -d '\r'; }
declare -A od
# the first line of a seed counts (a later `mseal_stress -T SEED` repeats it)
while read -r s rest; do [[ -n ${od[$s]:-} ]] || od[$s]=$rest; done < <(ext "$ora")
declare -A seen
ops=0 mism=0 seeds=0 died=0
while read -r s rest; do
    [[ -n ${seen[$s]:-} ]] && continue
    seen[$s]=1
    if [[ $rest == died* || $rest == setup* ]]; then
        echo "stress $label: $s $rest" >&2
        died=$((died + 1))
        continue
    fi
    [[ -n ${od[$s]:-} ]] || continue
    seeds=$((seeds + 1))
    n=${rest#ops=}
    n=${n%% *}
    ops=$((ops + n))
    [[ $rest == "${od[$s]}" ]] && continue
    mism=$((mism + 1))
    IFS=, read -ra a <<<"${rest##*chunks=}"
    IFS=, read -ra b <<<"${od[$s]##*chunks=}"
    for i in "${!a[@]}"; do [[ ${a[$i]} == "${b[$i]:-}" ]] || break; done
    len=${rest#*len=}
    len=${len%% *}
    # the ops of the seed's own process up to the end of that chunk: the
    # shortest prefix of the sequence that still shows the difference
    pre=$(((i + 1) * len / ${#a[@]}))
    echo "stress $label: $s differs from chunk $i on (of ${#a[@]}); module: $rest; oracle: ${od[$s]}" >&2
    echo "  reproduce: mseal_stress -T ${s#seed=} -o $pre on both kernels (its first $pre ops), diff the traces" >&2
done < <(ext "$mod")
((seeds)) || echo "stress $label: no seed ran on both kernels" >&2
((ops >= min)) || echo "stress $label: only $ops ops compared, fewer than $min" >&2
echo "stress $label: $ops ops, $((mism + died)) mismatches"
((seeds && !mism && !died && ops >= min))
