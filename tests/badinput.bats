#!/usr/bin/env bats
# The bad-input matrix: every program under chapters/ and solutions/ (and
# examples/) is run with each kind of bad input that applies to it, as listed
# in tests/badinput.table. Each run must exit 1 or 2 (no signal, no hang) and
# print exactly one line on stderr, `prog: ...`, that names the bad value (the
# option, the path, the number) and the cause.
#
# One test per kind of bad input, so that a failure says which kind; each runs
# every applicable row and lists every offender before it fails. The first
# test fails when a program has no row, so a new program cannot escape.
# The names start with "demo badinput" so that the demo phase of make test and
# make memcheck run them; solutions are run from $WB_BUILD/solutions directly.
#
# The loops run in a subshell without bats' DEBUG trap, which otherwise costs
# more than the programs themselves; the table is read by one awk.

load helper

BI_TABLE=$BATS_TEST_DIRNAME/badinput.table
US=$'\x1f'   # separates the fields of a job: program, bad value, arguments

# bi_table MODE [CASE]: read the table with awk.
#   MODE=jobs: one line per run of CASE: PROGRAM US VALUE [US ARG]...
#   MODE=rows: one line per row: PROGRAM US CASES (blank-separated)
#   MODE=errors: one line per malformed row
bi_table() {
  awk -v mode="$1" -v want="${2:-}" -v US="$US" '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    BEGIN {
      known = " noargs badopt missing dir empty unreadable huge negative nonnumeric none "
      split("missing dir empty unreadable", fcases, " ")
      for (k in fcases) kind[fcases[k]] = "FILE"
      split("huge negative nonnumeric", ncases, " ")
      for (k in ncases) kind[ncases[k]] = "NUM|SIZE"
      bad["missing", "FILE"] = "nosuch/file"
      bad["dir", "FILE"] = "subdir"
      bad["empty", "FILE"] = "blank"
      bad["unreadable", "FILE"] = "locked"
      bad["huge", "NUM"] = "99999999999999999999"
      bad["huge", "SIZE"] = "99999999999999999999"
      bad["negative", "NUM"] = bad["negative", "SIZE"] = "-1"
      bad["nonnumeric", "NUM"] = bad["nonnumeric", "SIZE"] = "abc"
      goodval["FILE"] = "data"; goodval["NUM"] = 1; goodval["SIZE"] = 1
    }
    # ph(word): the placeholder kind of word (FILE, NUM, SIZE) or "";
    # its good value in PHGOOD.
    function ph(w,   m) {
      if (w !~ /^\{(FILE|NUM|SIZE)(=[^}]*)?\}$/) return ""
      m = w; sub(/^\{/, "", m); sub(/\}$/, "", m)
      if (index(m, "=")) { PHGOOD = substr(m, index(m, "=") + 1); m = substr(m, 1, index(m, "=") - 1) }
      else PHGOOD = goodval[m]
      return m
    }
    {
      line = $0; note = ""
      if (index(line, "#")) { note = trim(substr(line, index(line, "#") + 1)); line = substr(line, 1, index(line, "#") - 1) }
      if (line ~ /^[ \t]*$/) next
      nf = split(line, f, "|")
      prog = trim(f[1])
      na = split(f[2], a, " ")
      nc = split(f[3], c, " ")
      if (nf != 3 || prog == "" || nc == 0) {
        if (mode == "errors") print "line " NR ": expected PROGRAM | ARGUMENTS | CASES, got: " $0
        next
      }
      if (mode == "errors") {
        for (j = 1; j <= nc; j++) {
          if (index(known, " " c[j] " ") == 0) { print "line " NR ": unknown case " c[j]; continue }
          if (!(c[j] in kind)) continue
          found = 0
          for (k = 1; k <= na; k++) if (ph(a[k]) != "" && index("|" kind[c[j]] "|", "|" ph(a[k]) "|")) found = 1
          if (!found) print "line " NR ": case " c[j] " needs a {" kind[c[j]] "} placeholder among the arguments"
        }
        if (index(" " trim(f[3]) " ", " none ") && (nc != 1 || note == ""))
          print "line " NR ": none stands alone, with a comment saying why"
        next
      }
      if (mode == "rows") { print prog US trim(f[3]); next }
      listed = 0
      for (j = 1; j <= nc; j++) if (c[j] == want) listed = 1
      if (!listed) next
      if (want == "noargs" || want == "badopt") {
        if (seen[prog]++) next
        print prog US (want == "badopt" ? "-Q" US "-Q" : "")
        next
      }
      for (k = 1; k <= na; k++) {
        t = ph(a[k])
        if (t == "" || !index("|" kind[want] "|", "|" t "|")) continue
        nv = split(bad[want, t], vals, " ")
        for (v = 1; v <= nv; v++) {
          out = prog US vals[v]
          for (j = 1; j <= na; j++) {
            w = a[j]
            if (j == k) w = vals[v]
            else if (ph(w) != "") w = PHGOOD
            out = out US w
          }
          print out
        }
      }
    }' "$BI_TABLE"
}

# bi_cause CASE: what the one error line must say besides the bad value
# itself (an extended regex).
bi_cause() {
  case $1 in
    noargs|badopt) echo 'usage' ;;
    missing) echo 'No such file or directory' ;;
    dir) echo '[Ii]s a directory|not a regular file' ;;
    empty) echo 'empty|[^0-9]0 bytes|[^0-9]0 pages|too (small|short)' ;;
    unreadable) echo 'Permission denied' ;;
    huge) echo 'too large|between|at most|out of range|not a number' ;;
    negative) echo 'non-negative|between|at least|unknown option' ;;
    nonnumeric) echo 'not a number' ;;
  esac
}

# The inputs, in the test's own directory: the good file, and one of each bad
# kind (nosuch/file is missing, directory and all).
bi_fixtures() {
  printf 'line %026d\n' $(seq 0 $((4 * PAGE / 32 - 1))) >data
  mkdir subdir
  : >blank
  printf 'secret\n' >locked
  chmod 000 locked
}

# bi_quiet FUNCTION ARGS...: run it in a subshell without bats' traps.
bi_quiet() {
  (
    trap - DEBUG ERR
    set +eET
    "$@"
  )
}

# bi_run CASE: run every job of CASE, $WB_BADINPUT_JOBS (default: the number
# of CPUs) at a time, and print each offender (nothing if none). The runs only
# read the fixtures, so they may share the directory.
bi_run() {
  local case=$1 cause prog value args status err lines bad=0 i fields
  local max=${WB_BADINPUT_JOBS:-$(nproc)} running=0 todo=()
  cause=$(bi_cause "$case")
  mapfile -t todo < <(bi_table jobs "$case" | awk '!seen[$0]++')
  for i in "${!todo[@]}"; do
    IFS=$US read -r -a fields <<<"${todo[i]}"
    if ((running >= max)); then
      wait -n
      running=$((running - 1))
    fi
    (
      wb_exec "$WB_BUILD/${fields[0]}" "${fields[@]:2}" </dev/null >"out.$i" 2>"err.$i"
      echo $? >"status.$i"
    ) &
    running=$((running + 1))
  done
  wait
  for i in "${!todo[@]}"; do
    IFS=$US read -r -a fields <<<"${todo[i]}"
    prog=${fields[0]} value=${fields[1]}
    args=("${fields[@]:2}")
    status=$(<"status.$i")
    err=$(<"err.$i")
    lines=$(awk 'END { print NR }' "err.$i")
    # The line names the program, the bad value and the cause.
    if [[ $status != [12] || $lines -ne 1 || $err != "${prog##*/}: "* ||
          $err != *"$value"* || ! $err =~ $cause ]]; then
      bad=$((bad + 1))
      echo "$prog ${args[*]}"
      echo "    exit status $status, $lines line(s) on stderr; want 1 or 2, and one line '${prog##*/}: ...' naming '$value' and matching /$cause/:"
      sed 's/^/      | /' "err.$i" | head -5
    fi
  done
  if ((${#todo[@]} == 0)); then
    echo "no row of tests/badinput.table lists '$case'"
  elif ((bad > 0)); then
    echo "$bad of ${#todo[@]} runs with bad input '$case' misbehaved (above)"
  fi
}

bi_check() {
  bi_fixtures
  bi_quiet bi_run "$1" >report
  if [[ -s report ]]; then
    fail <report
  fi
}

# bi_programs: every program the sources promise or the build has, as its
# path without build/ and .c.
bi_programs() {
  local f stem
  {
    for f in "$WB_ROOT"/chapters/*/*.c "$WB_ROOT"/solutions/*/*.c; do
      [[ -e $f ]] || continue
      stem=${f#"$WB_ROOT"/}
      echo "${stem%.c}"
    done
    for f in "$WB_BUILD"/chapters/*/* "$WB_BUILD"/solutions/*/* "$WB_BUILD"/examples/*/*; do
      [[ -f $f && -x $f ]] || continue
      stem=${f#"$WB_BUILD"/}
      # A chapter or solution binary without its source is a stale build.
      [[ $stem == examples/* || -e $WB_ROOT/$stem.c ]] && echo "$stem"
    done
    echo doctor # scripts/doctor.c, built as $WB_BUILD/doctor
  } | sort -u
}

bi_coverage() {
  local p prog cases progs with_badopt=" " listed=" "
  bi_table errors
  while IFS=$US read -r prog cases; do
    listed+="$prog "
    [[ " $cases " == *" badopt "* || $cases == none ]] && with_badopt+="$prog "
  done < <(bi_table rows)
  progs=$(bi_programs)
  for p in $progs; do
    if [[ $listed != *" $p "* ]]; then
      echo "no row for $p: add one (its bad inputs, or 'none' and why)"
    elif [[ $with_badopt != *" $p "* ]]; then
      echo "$p: no row lists badopt (every program takes -h, so it has options to get wrong; else 'none' and why)"
    fi
  done
  for p in $listed; do
    [[ $'\n'$progs$'\n' == *$'\n'$p$'\n'* ]] ||
      echo "a row for $p, which is neither a source nor a built program"
  done
}

@test "demo badinput: every program has a row in tests/badinput.table, and the table is well formed" {
  bi_quiet bi_coverage >report
  if [[ -s report ]]; then
    { echo "tests/badinput.table:"; cat report; } | fail
  fi
}

@test "demo badinput: no arguments where some are required" {
  bi_check noargs
}

@test "demo badinput: an unknown option" {
  bi_check badopt
}

@test "demo badinput: a missing file" {
  bi_check missing
}

@test "demo badinput: a directory for a file" {
  bi_check dir
}

@test "demo badinput: an empty file" {
  bi_check empty
}

@test "demo badinput: an unreadable file" {
  if [[ $(id -u) -eq 0 && -z ${WB_SANDBOX:-} ]]; then
    # Root reads any file: run the programs as nobody. They reach the test's
    # files by relative paths, so this directory needs o+x (not its parents);
    # Valgrind, when it wraps them, needs a TMPDIR that nobody can write.
    command -v setpriv >/dev/null ||
      skip "running as root, where file modes do not bind, and setpriv(1) is missing"
    chmod 755 "$BATS_TEST_TMPDIR"
    mkdir -m 1777 tmp
    local TMPDIR=tmp
    export TMPDIR
    local WB_WRAPPER="setpriv --reuid=nobody --regid=nogroup --clear-groups${WB_WRAPPER:+ $WB_WRAPPER}"
  fi
  bi_check unreadable
}

@test "demo badinput: a huge number or size" {
  bi_check huge
}

@test "demo badinput: a negative number" {
  bi_check negative
}

@test "demo badinput: a number that is not a number" {
  bi_check nonnumeric
}
