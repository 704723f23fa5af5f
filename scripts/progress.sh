#!/usr/bin/env bash
# progress.sh [RESULTS.json]: how far a student is, chapter by chapter, from
# the last grade run's results (default $WB_BUILD/grade/results.json, the
# copy grade.sh keeps of its latest run), without grading anything again.
#
# One line per chapter of the book: exercises passed (every test of the
# exercise passed; a skipped test neither helps nor hurts) over exercises,
# points over points, and a bar. A chapter the last run did not grade (a
# run narrowed with CH= or EX=) says so. Exits 0; 2 when there are no
# results yet (or they cannot be read).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
WB_BUILD=${WB_BUILD:-build}
[[ $WB_BUILD == /* ]] || WB_BUILD=$ROOT/$WB_BUILD
res=${1:-$WB_BUILD/grade/results.json}
if [ ! -s "$res" ]; then
  echo "progress: no grade results yet (${res#"$ROOT"/} is missing): run make grade (or make watch EX=...) first" >&2
  exit 2
fi
command -v jq >/dev/null || { echo "progress: jq is missing (make setup installs it)" >&2; exit 2; }

# Which submission the latest run graded: the run's own copy beside it.
who=""
if [ -z "${1:-}" ]; then
  for f in "$WB_BUILD"/grade/*/results.json; do
    if [ -f "$f" ] && cmp -s "$f" "$res"; then who=$(basename "$(dirname "$f")"); break; fi
  done
fi
when=$(date -r "$res" '+%Y-%m-%d %H:%M')

# Each test of the results: chapter <tab> exercise <tab> got <tab> max <tab> failed(0/1).
if ! rows=$(jq -r '.tests[] | (.name | capture("^(?<ch>[^/]+)/(?<ex>[^:]+):")) as $n
            | [$n.ch, $n.ex, .score, .max_score, (if .status == "failed" then 1 else 0 end)] | @tsv' "$res" 2>/dev/null); then
  echo "progress: ${res#"$ROOT"/} is not a grade run's results.json" >&2
  exit 2
fi

# The book's chapters and exercises, in order (exercises/NN-slug/exK_name.c).
book=$(for src in exercises/*/*.c; do
  printf '%s\t%s\n' "$(basename "$(dirname "$src")")" "$(basename "$src" .c)"
done)

echo "progress${who:+ of $who}: the grade run of $when (${res#"$ROOT"/}$([ -n "${1:-}" ] || echo "; make grade updates it"))"
awk -F'\t' -v width=20 '
  FNR == 1 { file++ }
  file == 1 { if (!($1 in nex)) order[++nch] = $1; nex[$1]++; next }
  NF < 5 { next }
  { k = $1 "\t" $2; if (!(k in seen)) { seen[k] = 1; graded[$1]++ }
    got[$1] += $3; max[$1] += $4; bad[k] += $5 }
  END {
    for (k in seen) { split(k, a, "\t"); if (!bad[k]) passed[a[1]]++ }
    printf "  %-22s %9s %9s\n", "chapter", "exercises", "points"
    for (i = 1; i <= nch; i++) {
      c = order[i]
      if (!graded[c]) { printf "  %-22s %9s %9s  (not graded in this run)\n", c, "-/" nex[c], "-"; continue }
      f = max[c] ? got[c] / max[c] : 0; n = int(f * width + 0.5)
      bar = ""; for (j = 0; j < width; j++) bar = bar (j < n ? "#" : ".")
      printf "  %-22s %9s %9s  [%s] %3d%%\n", c, (passed[c] + 0) "/" nex[c], got[c] "/" max[c], bar, int(f * 100 + 0.5)
      G += got[c]; M += max[c]; P += passed[c]; E += nex[c]
    }
    for (i = 1; i <= nch; i++) T += nex[order[i]]
    printf "  %-22s %9s %9s\n", "total", (P + 0) "/" T, (G + 0) "/" (M + 0)
  }' <(printf '%s\n' "$book") <(printf '%s\n' "$rows")
