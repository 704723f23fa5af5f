# tap-results.awk: turn bats' TAP output into one tab-separated line per test:
#   STATUS <tab> NAME <tab> OUTPUT
# STATUS is pass, fail or skip; OUTPUT is the diagnostic text bats printed for
# a failed test (or the reason for a skip), with newlines written as \n and
# tabs as spaces. A last line "plan <tab> N <tab> SEEN" lets the caller see a
# broken run (bats planned N tests and reported SEEN).
# With -v start=USEC, each input line begins with the time it arrived in
# microseconds and a tab (grade.sh's stamp_lines), and each test's line gets
# a fourth field: the microseconds since the previous test's line (or since
# START, for the first): the time the test took.
function flush() {
  if (have) {
    gsub(/\t/, " ", out); printf "%s\t%s\t%s", status, name, out
    if (start != "") printf "\t%d", dur
    printf "\n"
  }
  have = 0; out = ""
}
start != "" { t = $0; sub(/\t.*/, "", t); sub(/^[0-9]*\t/, "") }
/^1\.\.[0-9]+$/ { plan = substr($0, 4); next }
/^(not )?ok [0-9]+ / {
  flush(); seen++; have = 1
  if (start != "") { dur = t - (prev == "" ? start : prev); prev = t }
  status = ($0 ~ /^not ok/) ? "fail" : "pass"
  name = $0; sub(/^(not )?ok [0-9]+ /, "", name)
  if (name ~ / # skip/) {
    status = "skip"; out = name; sub(/^.* # skip ?/, "", out); sub(/ # skip.*$/, "", name)
  }
  next
}
/^# ?/ { if (have && status == "fail") { line = $0; sub(/^# ?/, "", line); out = out (out == "" ? "" : "\\n") line }; next }
{ if (have && status == "fail") out = out (out == "" ? "" : "\\n") $0 }
END { flush(); printf "plan\t%d\t%d\n", plan, seen }
