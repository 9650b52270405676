#!/bin/bash
# Benchmark: the same `jemput plan` from two source trees at the same moment, side by side, so a busy
# shared machine loads both alike (issue 13: before/after a change). Prints expected recordings, the
# plan's solve line, wall and CPU seconds (user+system, worker processes included) of each.
# Run: bench/side_by_side.sh BEFORE_TREE AFTER_TREE SCENARIO LIMIT WORKERS TAG
#   e.g. git archive 549d700 | tar -x -C /tmp/before
#        .venv/bin/jemput example jambi --out /tmp/jb
#        bench/side_by_side.sh /tmp/before . /tmp/jb/scenario.yaml 60 1 jb60w1
# Results: bench/results/time_share_side_by_side.md
set -u
BEFORE=$(cd "$1" && pwd); AFTER=$(cd "$2" && pwd); S=$3; L=$4; W=$5; T=$6
P=${PY:-.venv/bin/python}; PY=$(cd "$(dirname "$P")" && pwd)/$(basename "$P")  # absolute, venv kept
OUT=${OUT:-/tmp/side_by_side}; mkdir -p "$OUT"
for v in before after; do
  tree=$BEFORE; [ $v = after ] && tree=$AFTER
  ( cd "$tree" && /usr/bin/time -f "$v %e s wall %U+%S cpu" env PYTHONPATH="$tree" "$PY" -m jemput.cli plan "$S" \
      --time-limit "$L" --workers "$W" --seed 0 --no-maps --out "$OUT/$T-$v" > "$OUT/$T-$v.log" 2>&1 ) &
done
wait
for v in before after; do
  echo "$T $v: $(grep -E 'expected recordings' "$OUT/$T-$v.log" | tr -s ' │' ' ') | $(grep -E '^ *│ solve' "$OUT/$T-$v.log" | tr -s ' │' ' ') | $(tail -1 "$OUT/$T-$v.log") | load $(cut -d' ' -f1 /proc/loadavg)"
done
