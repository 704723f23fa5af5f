#!/usr/bin/env bash
# grade-all.sh DIR: grade a class. Every subdirectory of DIR is one student's
# submission (shaped like solutions/); they are graded in parallel across the
# machine's cores, each by scripts/grade.sh with its own build directory,
# temporary directory and sandbox uids, so that no student's programs can
# touch another's results. Writes $OUT/grades.csv (student, each exercise's
# points, total) and keeps each student's log and results.json under $OUT
# (default build/grade-all).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$ROOT/$WB_BUILD
export WB_BUILD

dir=${1:-}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
  echo "grade-all: no such directory '${dir}' (give SUBMISSIONS=DIR, one subdirectory per student)" >&2
  exit 2
fi
dir=$(cd "$dir" && pwd)
out=${WB_GRADE_ALL_OUT:-$WB_BUILD/grade-all}
rm -rf "$out" && mkdir -p "$out"

students=()
for d in "$dir"/*/; do students+=("$(basename "$d")"); done
if [ ${#students[@]} -eq 0 ]; then
  echo "grade-all: no student directories in $dir" >&2
  exit 2
fi

jobs_max=${WB_GRADE_ALL_JOBS:-$(nproc)}
echo "grading ${#students[@]} submissions from $dir, $jobs_max at a time"
SECONDS=0
i=0
for s in "${students[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
  (
    WB_GRADE_JOBS=1 WB_SANDBOX_UID_BASE=$((64000 + i * 100)) \
      scripts/grade.sh -o "$out/$s" "$dir/$s" >"$out/$s.log" 2>&1
    echo "  $s: $(tail -1 "$out/$s.log")"
  ) &
  i=$((i + 1))
done
wait

# The CSV: one column per exercise of the book, in order, then the total.
csv() { local f out=""; for f in "$@"; do out+=\"${f//\"/\"\"}\",; done; echo "${out%,}"; }
keys=()
for src in exercises/*/*.c; do keys+=("$(basename "$(dirname "$src")")/$(basename "$src" .c)"); done
csv student "${keys[@]}" total >"$out/grades.csv"
for s in "${students[@]}"; do
  row=("$s")
  total=0
  for k in "${keys[@]}"; do
    if [ -f "$out/$s/results.tsv" ]; then
      p=$(awk -F'\t' -v k="$k" '$1 "/" $2 == k && $3 == "pass" { p += $4 } END { print p + 0 }' "$out/$s/results.tsv")
    else
      p=""                                  # grading failed: see the log
    fi
    row+=("$p")
    total=$((total + ${p:-0}))
  done
  csv "${row[@]}" "$total" >>"$out/grades.csv"
done
echo "grades: ${out#"$ROOT"/}/grades.csv (${#students[@]} students, ${SECONDS}s); logs and results.json beside it"
