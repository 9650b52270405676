#!/bin/bash
# Benchmark (issue 13): `jemput plan` with half a CPU — the plan (--workers 1) and a spinning process pinned to
# one core; BEFORE on core BC (0), AFTER on core AC (1), at once. Prints wall and CPU seconds, recordings.
# Run: BEFORE=/tmp/before AFTER=/tmp/after bench/half_cpu.sh SCENARIO LIMIT TAG   (results: results/fixed_work.md)
S=$1; L=$2; TAG=$3
run() { # tree core name
  taskset -c $2 /work/main/.venv/bin/python -c "while True: pass" & SP=$!
  ( cd $1 && /usr/bin/time -f "$3 %e s wall %U+%S cpu" taskset -c $2 env PYTHONPATH=$1 /work/main/.venv/bin/python -m jemput.cli plan $S --time-limit $L --seed 0 --workers 1 --no-maps --out ${OUT:-/tmp}/half-$TAG-$3 > ${OUT:-/tmp}/half-$TAG-$3.log 2>&1 )
  kill $SP
}
run $BEFORE ${BC:-0} before & run $AFTER ${AC:-1} after & wait
for v in before after; do echo "$TAG $v: $(tail -1 ${OUT:-/tmp}/half-$TAG-$v.log) | $(grep -E 'expected recordings' ${OUT:-/tmp}/half-$TAG-$v.log | tr -s ' │' ' ') | load $(cut -d' ' -f1 /proc/loadavg)"; done
