#!/usr/bin/env bats
# Tests for chapter 13-performance: its demos ("demo ...") and its exercises ("exN_...").
#
# Timings are never checked: they vary from run to run and machine to
# machine. What is checked is deterministic: the shape of the output, the
# contents, which path a program took, and fault counts within ranges.
#
# Why the ranges are what they are:
# - Natively a page touched for the first time costs exactly the faults the
#   chapter explains; the slack of 2 covers a stray fault of the program's
#   own between the two getrusage calls (a stack page, a lazily bound
#   library call), which we have not seen but cannot rule out.
# - Built with AddressSanitizer (make sanitize), an instrumented access also
#   reads ASan's shadow memory, one shadow page per 8 pages of ours, which
#   faults in on first use: add PAGES/8 + 2. (The measuring loops of five
#   demos, all but scan_file and random_reads, are compiled without ASan
#   checks, so they rarely need it; the exercise solutions are plain code.)
# - Under Valgrind the counts mean nothing: Valgrind's own shadow memory and
#   its translations fault in the same process. The programs still run and
#   their other output is checked; the counts are not.
# - What differs between kernels comes from the machine facts (`fact NAME`,
#   tests/helper.bash, measured by build/doctor before the tests run), never
#   from what the program under test says: whether a read fault of fresh
#   anonymous memory maps the shared zero page (`fact zero_page`) decides
#   whether writing after reading faults again. Where a demo narrates its
#   case, the test checks that the narration agrees with the fact.
# - Fault-around (file mappings) is fault_around_bytes / PAGE pages: read
#   from debugfs when it can be read (debugfs mounted, and the open not
#   refused, as lockdown refuses it even to root), else the kernel's
#   default of 64 KiB, as the demo assumes.
#   It applies in full only when the page cache holds single pages; a memfd
#   does when shmem has no huge pages (shmem_enabled never, advise or deny),
#   which the tests check before they insist on an exact count.

load helper

# slack PAGES: the faults a count may exceed its exact value by (see above).
slack() {
  if on_sanitizer; then echo $(($1 / 8 + 4)); else echo 2; fi
}

# between VALUE LO HI WHAT: LO <= VALUE <= HI, or fail naming WHAT.
between() {
  [[ $1 =~ ^[0-9]+$ ]] || fail "$4: '$1' is not a count"
  (($1 >= $2 && $1 <= $3)) || fail "$4: $1 faults, expected $2..$3"
}

# The fault-around window in pages. [[ -r ]] is no test: root passes it
# where the open then fails with EPERM, so read, and fall back to 64 KiB
# unless the knob gave a size of a page or more (the demo's rule).
window() {
  local b
  b=$(cat /sys/kernel/debug/fault_around_bytes 2>/dev/null) || b=""
  [[ $b =~ ^[0-9]+$ ]] && ((b >= PAGE)) || b=65536
  echo $((b / PAGE))
}

# True when a memfd's page cache holds single pages (no shmem huge pages).
shmem_small() {
  local f
  for f in /sys/kernel/mm/transparent_hugepage/shmem_enabled \
           /sys/kernel/mm/transparent_hugepage/hugepages-*/shmem_enabled; do
    [[ -r $f ]] || continue
    grep -qE '\[(always|within_size|force)\]' "$f" && return 1
  done
  return 0
}

# windows PAGES STRIDE W: how many W-page windows pages 0, STRIDE, ... touch.
windows() {
  local k last=-1 n=0
  for ((k = 0; k < $1; k += $2)); do
    if ((k / $3 != last)); then n=$((n + 1)); last=$((k / $3)); fi
  done
  echo "$n"
}

# The THP setting that decides for 2 MiB pages, from the doctor's facts:
# the size's own switch (hugepages-2048kB/enabled, Linux 6.8 and later) when
# it is not "inherit", else the top-level one; always, madvise, never, or ""
# without THP. With "own" as $1, prints "own" when the size's switch decides
# and nothing when the top-level one does.
thp_2m_mode() {
  local top sizes w own=""
  top=$(fact THP) && sizes=$(fact THP_SIZES) || return 1
  for w in $sizes; do
    [[ $w == 2048:* ]] && own=${w#2048:}
  done
  if [[ -n $own && $own != inherit ]]; then
    [[ ${1:-} == own ]] && echo own || echo "$own"
  elif [[ ${1:-} != own ]]; then
    [[ $top == absent ]] && echo "" || echo "$top"
  fi
}

# True when a THP size smaller than 2 MiB (mTHP, Linux 6.8) may be used in a
# MADV_HUGEPAGE range, from the doctor's facts: its own switch says always or
# madvise, or inherit while the top-level setting is always or madvise
# (thp_vma_allowable_orders() in include/linux/huge_mm.h).
thp_smaller_usable() {
  local top sizes w
  top=$(fact THP) && sizes=$(fact THP_SIZES) || return 1
  for w in $sizes; do
    [[ $w == 2048:* ]] && continue
    case ${w#*:} in
      always | madvise) return 0 ;;
      inherit) [[ $top == always || $top == madvise ]] && return 0 ;;
    esac
  done
  return 1
}

# ---------------------------------------------------------------- fault_cost

@test "demo fault_cost: one fault per page on the first write, none on the second" {
  run_demo fault_cost 64 3
  assert_success
  assert_line "64 pages ($((64 * PAGE / 1024)) KiB) of private anonymous memory, MADV_NOHUGEPAGE"
  local n=0 l
  for l in "${lines[@]}"; do
    [[ $l =~ ^\ +([0-9]+)\ +([0-9]+)\ faults\ +[0-9.]+\ ms\ +([0-9]+)\ faults\ +[0-9.]+\ ms$ ]] || continue
    n=$((n + 1))
    # (copied first: the helpers below run regexes of their own)
    local run=${BASH_REMATCH[1]} first=${BASH_REMATCH[2]} second=${BASH_REMATCH[3]}
    assert_equal "$run" "$n"
    on_valgrind && continue # Valgrind's own memory faults in this process too
    between "$first" 64 $((64 + $(slack 64))) "run $n, first pass"
    between "$second" 0 "$(slack 64)" "run $n, second pass"
  done
  assert_equal "$n" 3
  # (negative when other work slowed the second passes more: then said so)
  assert_line --regexp '^time per fault, \(first pass - second pass\) / faults: median -?[0-9.]+ us$'
  if [[ $output == *"faults: median -"* || $output == *"faults: median 0.00 us"* ]]; then
    assert_line --partial "(not a cost: in most runs the second pass"
  else
    refute_line --partial "(not a cost:"
  fi
  assert_line --regexp '^least disturbed, \(fastest first pass - fastest second pass\) / faults: -?[0-9.]+ us$'
  if [[ $output == *"second pass) / faults: -"* || $output == *"second pass) / faults: 0.00 us"* ]]; then
    assert_line --partial "(not a cost either: even the fastest second pass"
  else
    refute_line --partial "(not a cost either:"
  fi
}

@test "demo fault_cost: the two summaries are the median of the runs' figures and fastest first minus fastest second" {
  # Each run's figure is (first - second) / faults; its minimum would be the
  # run whose second pass was disturbed, so the demo's least disturbed
  # estimate takes the minimum of each pass on its own. Both summaries are
  # recomputed here from the rows printed above them (times rounded to
  # 0.01 ms, so each may differ by 0.01 ms / faults, plus its own rounding).
  run_demo fault_cost 64 5
  assert_success
  on_valgrind && skip "Valgrind's own memory faults vary the counts from run to run"
  local med best
  med=$(sed -n 's/^time per fault, .*: median \(-\{0,1\}[0-9.]*\) us$/\1/p' <<<"$output")
  best=$(sed -n 's/^least disturbed, .*: \(-\{0,1\}[0-9.]*\) us$/\1/p' <<<"$output")
  [[ -n $med && -n $best ]] || fail "no summary lines"
  awk -v med="$med" -v best="$best" '
    # "  1     64 faults     3.21 ms       0 faults     0.01 ms"
    $2 ~ /^[0-9]+$/ && $3 == "faults" && $7 == "faults" {
      n++; x = $2 - $6
      pf[n] = x > 0 ? ($4 - $8) * 1000 / x : 0
      if (n == 1 || $4 < m1) { m1 = $4; ex = x }
      if (n == 1 || $8 < m2) m2 = $8
    }
    END {
      if (n != 5) { print "rows: " n; exit 1 }
      # the median of the five figures
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (pf[j] < pf[i]) { t = pf[i]; pf[i] = pf[j]; pf[j] = t }
      tol = 10 / ex + 0.006
      if (med < pf[3] - tol || med > pf[3] + tol) { printf "median %s, rows give %.3f\n", med, pf[3]; exit 1 }
      want = ex > 0 ? (m1 - m2) * 1000 / ex : 0
      if (best < want - tol || best > want + tol) { printf "least disturbed %s, rows give %.3f\n", best, want; exit 1 }
    }' <<<"$output" || fail "a summary does not follow from the rows printed above it"
}

@test "demo fault_cost: read then write: a second fault per page only where reads map the zero page" {
  run_demo fault_cost 128 1
  assert_success
  assert_line --regexp '^  [0-9.]+ faults per page, and the pages read as 0 before the writes$'
  on_valgrind && skip "Valgrind's own memory faults in this process: the counts mean nothing"
  local reads writes s z
  s=$(slack 128)
  z=$(fact zero_page)
  reads=$(sed -n 's/^  reads: *\([0-9]*\) faults.*/\1/p' <<<"$output")
  writes=$(sed -n 's/^  writes: *\([0-9]*\) faults.*/\1/p' <<<"$output")
  between "$reads" 128 $((128 + s)) "reads (one fault per page either way)"
  case $z in
    yes) # the zero page, read-only; every write replaces it
      between "$writes" 128 $((128 + s)) "writes after reads (zero_page=yes)"
      assert_line --partial "this kernel maps the zero page on read faults" ;;
    no) # private pages, already writable
      between "$writes" 0 "$s" "writes after reads (zero_page=no)"
      assert_line --partial "this kernel does not map the shared zero page on read faults" ;;
    *) skip "the probe could not tell whether this kernel maps the zero page (zero_page=$z)" ;;
  esac
  assert_line "(the probe, measured separately, says zero_page=$z)"
}

@test "demo fault_cost: PAGES and RUNS out of range are usage errors" {
  run_demo -2 --separate-stderr fault_cost 15
  assert_one_error_line fault_cost "pages '15'"
  run_demo -2 --separate-stderr fault_cost 64 51
  assert_one_error_line fault_cost "runs '51'"
  run_demo -2 --separate-stderr fault_cost 64 1 x
  assert_one_error_line fault_cost "too many arguments"
}

# ---------------------------------------------------------------- fault_around

# fa_row MAPPING-REGEX ACCESS-REGEX: "PAGES FAULTS" of that row of the table.
fa_row() {
  local l
  for l in "${lines[@]}"; do
    if [[ $l =~ ^\ \ $1\ +$2\ +([0-9]+)\ +([0-9]+)\ +[0-9.]+$ ]]; then
      echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
      return 0
    fi
  done
  fail "no row '$1' '$2' in the table"
}

@test "demo fault_around: the window is what debugfs says, or the 64 KiB default" {
  run_demo fault_around 64
  assert_success
  local w
  w=$(window)
  assert_line --regexp "^fault_around_bytes: $((w * PAGE)) \(.*\) = $w pages$"
  # Where the knob cannot be read, the demo names the errno: the one cat(1)
  # meets opening it, as this process (the tests run as the demo's user).
  local f=/sys/kernel/debug/fault_around_bytes why e=""
  if ! why=$(cat "$f" 2>&1 >/dev/null); then
    case $why in
      *"No such file or directory"*) e=ENOENT ;;
      *"Permission denied"*) e=EACCES ;;
      *"Operation not permitted"*) e=EPERM ;;
    esac
    [[ -n $e ]] && assert_line --regexp "^fault_around_bytes: 65536 \((open|read) $f: $e: .*; assuming the kernel's default, 64 KiB\) = $((65536 / PAGE)) pages$"
  fi
  assert_line "every mapping: 64 pages at an address that is a multiple of $((w * PAGE / 1024)) KiB (the last: of 2 MiB)"
  run ls -A
  assert_output "" # both temporary files are gone
}

@test "demo fault_around: a cached file faults once per window; anonymous memory once per page" {
  run_demo fault_around 256
  assert_success
  on_valgrind && skip "Valgrind's own memory faults in this process: the counts mean nothing"
  local w p=256 n s r
  w=$(window)
  n=$(((p + w - 1) / w))   # windows of an aligned mapping
  s=$(slack $p)
  shmem_small || skip "shmem may use huge folios here (shmem_enabled), so a memfd fault can map more than a window"
  read -r pages faults <<<"$(fa_row 'memfd MAP_PRIVATE' 'read all')"
  assert_equal "$pages" $p; between "$faults" $n $((n + s)) "memfd private, read all"
  read -r pages faults <<<"$(fa_row 'memfd MAP_PRIVATE' "read every ${w}th page")"
  assert_equal "$pages" $n; between "$faults" $n $((n + s)) "memfd private, every ${w}th page"
  read -r pages faults <<<"$(fa_row 'memfd MAP_PRIVATE' 'read all, backwards')"
  between "$faults" $n $((n + s)) "memfd private, backwards"
  read -r pages faults <<<"$(fa_row 'memfd MAP_PRIVATE' 'read all, MADV_RANDOM')"
  between "$faults" $n $((n + s)) "memfd private, MADV_RANDOM (readahead advice, not fault-around)"
  read -r pages faults <<<"$(fa_row 'memfd MAP_PRIVATE' "read all, 1 page off $((w * PAGE / 1024))K")"
  r=$((p / w + 1))         # pages 1..p of the windows: one more window
  between "$faults" $r $((r + s)) "memfd private, one page off the alignment"
  read -r pages faults <<<"$(fa_row 'memfd MAP_SHARED' 'read all')"
  between "$faults" $n $((n + s)) "memfd shared, read all"
  # Writes: a private write fault copies one page; no fault-around.
  read -r pages faults <<<"$(fa_row 'memfd MAP_PRIVATE' 'write all')"
  between "$faults" $p $((p + s)) "memfd private, write all"
  read -r pages faults <<<"$(fa_row anonymous 'read all')"
  between "$faults" $p $((p + s)) "anonymous, read all"
  read -r pages faults <<<"$(fa_row anonymous 'write all')"
  between "$faults" $p $((p + s)) "anonymous, write all"
}

@test "demo fault_around: files in \$TMPDIR fault at most once per window (fewer with large folios)" {
  run_demo fault_around 256
  assert_success
  on_valgrind && skip "Valgrind's own memory faults in this process: the counts mean nothing"
  local w n s
  w=$(window)
  n=$(((256 + w - 1) / w))
  s=$(slack 256)
  read -r pages faults <<<"$(fa_row 'file \(.*\) MAP_PRIVATE' 'read all')"
  assert_equal "$pages" 256
  between "$faults" 1 $((n + s)) "file in \$TMPDIR written page by page"
  read -r pages faults <<<"$(fa_row 'one-write file' 'read all, 2 MiB-aligned')"
  between "$faults" 1 $((n + s)) "file in \$TMPDIR written at once"
  assert_line --regexp '^ +\(smaps: FilePmdMapped [0-9]+ kB: that much is mapped by 2 MiB entries\)$'
}

# ---------------------------------------------------------------- populate

# pop_row WAY STEP: "MINFLT PERF" of that row ("" WAY for a way's second row).
pop_row() {
  local l way="" cur=""
  for l in "${lines[@]}"; do
    [[ $l =~ ^\ \ ([A-Za-z_]*)\ +(mmap|mmap\(MAP_POPULATE\)|madvise\(POPULATE_[A-Z]+\)|write\ every\ page)\ +([0-9]+)\ +([0-9]+|-)\ +[0-9.]+\ ms$ ]] || continue
    [[ -n ${BASH_REMATCH[1]} ]] && cur=${BASH_REMATCH[1]}
    if [[ $cur == "$1" && ${BASH_REMATCH[2]} == "$2" ]]; then
      echo "${BASH_REMATCH[3]} ${BASH_REMATCH[4]}"
      return 0
    fi
  done
  fail "no row '$1' '$2'"
}

@test "demo populate: the populating call takes the faults; the writes after it take none" {
  run_demo populate 64 1
  assert_success
  assert_line "64 pages ($((64 * PAGE / 1024)) KiB) of private anonymous memory; huge pages off (PR_SET_THP_DISABLE)"
  on_valgrind && skip "Valgrind's own memory faults in this process: the counts mean nothing"
  local s mf pf
  s=$(slack 64)
  read -r mf pf <<<"$(pop_row plain mmap)";                       between "$mf" 0 "$s" "plain mmap"
  read -r mf pf <<<"$(pop_row plain 'write every page')";         between "$mf" 64 $((64 + s)) "plain writes"
  read -r mf pf <<<"$(pop_row MAP_POPULATE 'mmap(MAP_POPULATE)')"; between "$mf" 64 $((64 + s)) "MAP_POPULATE mmap"
  read -r mf pf <<<"$(pop_row MAP_POPULATE 'write every page')";  between "$mf" 0 "$s" "writes after MAP_POPULATE"
  if [[ $(pop_row MADV_POPULATE_WRITE 'madvise(POPULATE_WRITE)' 2>/dev/null) ]]; then
    read -r mf pf <<<"$(pop_row MADV_POPULATE_WRITE 'madvise(POPULATE_WRITE)')"; between "$mf" 64 $((64 + s)) "POPULATE_WRITE"
    read -r mf pf <<<"$(pop_row MADV_POPULATE_WRITE 'write every page')";        between "$mf" 0 "$s" "writes after POPULATE_WRITE"
    # POPULATE_READ populates "as if read": the zero page where the kernel
    # maps it on read faults (then every write still faults), private
    # pages where it does not (then the writes are free).
    read -r mf pf <<<"$(pop_row MADV_POPULATE_READ 'madvise(POPULATE_READ)')";   between "$mf" 64 $((64 + s)) "POPULATE_READ"
    read -r mf pf <<<"$(pop_row MADV_POPULATE_READ 'write every page')"
    local z
    z=$(fact zero_page)
    case $z in
      yes) between "$mf" 64 $((64 + s)) "writes after POPULATE_READ (zero_page=yes)"
           assert_line --partial "mapped the shared zero page, and each write had to replace it" ;;
      no) between "$mf" 0 "$s" "writes after POPULATE_READ (zero_page=no)"
          assert_line --partial "mapped private zeroed pages, already writable" ;;
      *) skip "the probe could not tell whether this kernel maps the zero page" ;;
    esac
  else
    assert_line --regexp '^  MADV_POPULATE_WRITE +madvise\(POPULATE_WRITE\) +EINVAL: not in this kernel \(added in 5\.14\)$'
  fi
}

@test "demo populate: perf's page-fault event does not see the faults the kernel takes while populating" {
  run_demo populate 64 1
  assert_success
  if [[ $output == *"perf_event_open: "* ]]; then
    # refused: the demo names the sysctl's value, which is read here too
    assert_line --regexp "^perf_event_open: E[A-Z]+: no perf column here \(/proc/sys/kernel/perf_event_paranoid is $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo unreadable)\)$"
    assert_line "faults counted by getrusage (minflt) alone"
    skip "perf_event_open is refused here: $(grep -m1 '^perf_event_open' <<<"$output")"
  fi
  assert_line "faults counted by getrusage (minflt) and by perf's PERF_COUNT_SW_PAGE_FAULTS (perf)"
  on_valgrind && skip "Valgrind's own memory faults in this process: the counts mean nothing"
  local s mf pf
  s=$(slack 64)
  read -r mf pf <<<"$(pop_row plain 'write every page')"
  between "$pf" 64 $((64 + s)) "perf, plain writes (the CPU raised them)"
  read -r mf pf <<<"$(pop_row MAP_POPULATE 'mmap(MAP_POPULATE)')"
  between "$mf" 64 $((64 + s)) "getrusage, MAP_POPULATE"
  between "$pf" 0 "$s" "perf, MAP_POPULATE (taken by the kernel, not raised by the CPU)"
}

# ---------------------------------------------------------------- thp_faults

@test "demo thp_faults: small pages fault 512 times per 2 MiB; THP once, or the fallback is said" {
  run_demo thp_faults 4M 1
  assert_success
  local small=$((4 * 1024 * 1024 / PAGE)) mode own
  assert_line "region: 4096 KiB at a 2 MiB boundary = 2 huge pages or $small small ones"
  assert_line --regexp '^  MADV_NOHUGEPAGE +[0-9]+ +0 kB +[0-9.]+ ms +[0-9.]+ ms$'
  mode=$(thp_2m_mode)
  # the 2 MiB switch is printed when it decides, and only then
  if [[ $(thp_2m_mode own) == own ]]; then
    assert_line --regexp '^2 MiB pages: hugepages-2048kB/enabled ".*\['"$mode"'\].*" decides for them, not "enabled"$'
    own="for 2 MiB pages "
  else
    refute_line --partial '2 MiB pages: hugepages-2048kB/enabled'
    own=""
  fi
  # Where no 2 MiB page came, a smaller THP size (when the facts allow one)
  # takes fewer faults than the small pages, and the demo says so instead.
  local mthp='^[0-9]+ KiB outside AnonHugePages took [0-9]+ faults, fewer than its [0-9]+ small pages: pages of a smaller THP size \(mTHP, see hugepages-\*kB/enabled\), which AnonHugePages does not count$'
  local fellback="THP is \"never\" ${own}here: MADV_HUGEPAGE got no huge page; the second row fell back to small pages"
  if ! thp_smaller_usable; then
    refute_line --regexp "$mthp"
  fi
  case $mode in
    "") assert_line --regexp '^MADV_HUGEPAGE: EINVAL: this kernel has no transparent huge pages' ;;
    never)
      if thp_smaller_usable && [[ $output != *"$fellback"* ]]; then
        assert_line --regexp "$mthp"
      else
        assert_line "$fellback"
      fi ;;
    *) # "madvise" or "always": huge pages, unless no free 2 MiB block was found
       if [[ $output != *"the kernel fell back to small pages"* && $output != *"pages of a smaller THP size"* ]]; then
         assert_line --regexp '^  MADV_HUGEPAGE +[0-9]+ +4096 kB '
         on_valgrind || assert_line --regexp "^huge pages: [0-9]+ faults instead of [0-9]+, [0-9]+ times fewer$"
       fi ;;
  esac
  on_valgrind && skip "Valgrind's own memory faults in this process: the counts mean nothing"
  local f
  f=$(sed -n 's/^  MADV_NOHUGEPAGE *\([0-9]*\) .*/\1/p' <<<"$output")
  between "$f" $small $((small + $(slack $small))) "MADV_NOHUGEPAGE"
  # "small pages" is said only when the faults show them: one per 4 KiB page
  if [[ $output == *"fell back to small pages"* ]]; then
    f=$(sed -n 's/^  MADV_HUGEPAGE *\([0-9]*\) .*/\1/p' <<<"$output")
    local kb
    kb=$(sed -n 's/^  MADV_HUGEPAGE *[0-9]* *\([0-9]*\) kB .*/\1/p' <<<"$output")
    between "$f" $(((4096 - kb) * 1024 / PAGE)) $((small + $(slack $small))) "MADV_HUGEPAGE, said to have fallen back to small pages"
  fi
  if [[ ($mode == madvise || $mode == always) && $output != *"fell back"* && $output != *"smaller THP size"* ]]; then
    f=$(sed -n 's/^  MADV_HUGEPAGE *\([0-9]*\) .*/\1/p' <<<"$output")
    between "$f" 2 $((2 + 2)) "MADV_HUGEPAGE: one fault per 2 MiB"
  fi
}

@test "demo thp_faults: MAP_HUGETLB without reserved pages is ENOMEM, and the demo says why" {
  run_demo thp_faults 2M 1
  assert_success
  local nr
  nr=$(</proc/sys/vm/nr_hugepages)
  [[ $nr -eq 0 ]] || skip "this machine reserves $nr hugetlbfs pages"
  assert_line "mmap(MAP_HUGETLB) of 2 MiB: ENOMEM (hugetlbfs pages reserved: /proc/sys/vm/nr_hugepages is 0)"
}

@test "demo thp_faults: a SIZE that is not a multiple of 2M is a usage error" {
  run_demo -2 --separate-stderr thp_faults 3M
  assert_one_error_line thp_faults "multiple of 2M"
  run_demo -2 --separate-stderr thp_faults 2M 0
  assert_one_error_line thp_faults "runs '0'"
}

# ---------------------------------------------------------------- scan_file

# scan_rows: the table rows as "WAY|LINES|CALLS|MINFLT|MAJFLT", in order.
scan_rows() {
  local l
  for l in "${lines[@]}"; do
    [[ $l =~ ^\ \ (read\(2\),\ [0-9]+\ [KM]iB\ buffer|mmap\ \+\ [A-Z_]+)\ +([0-9]+)\ +([0-9]+)\ +([0-9]+)\ +([0-9]+)\ +[0-9.]+\ ms$ ]] &&
      echo "${BASH_REMATCH[1]}|${BASH_REMATCH[2]}|${BASH_REMATCH[3]}|${BASH_REMATCH[4]}|${BASH_REMATCH[5]}"
  done
}

@test "demo scan_file: every way counts the same lines, with the system calls its buffer implies" {
  run_demo scan_file 256K 1
  assert_success
  local size=$((256 * 1024)) pages=$((256 * 1024 / PAGE)) rows k=0
  assert_line "file: 256 KiB in \$TMPDIR$([[ $(stat -f -c %T .) == tmpfs ]] && echo ' (tmpfs)'), 4096 lines of 64 bytes, written in 64 KiB write(2)s"
  # just written, so every page is cached: the warm line counts them
  assert_line "warm: the whole file is in the page cache (mincore: all $pages pages)"
  mapfile -t rows < <(scan_rows)
  # read: one call per buffer-full, rounded up, and one that returns 0;
  # mmap: mmap, madvise, munmap, or mmap(MAP_POPULATE), munmap
  local b want_calls=()
  for b in 4096 65536 1048576; do want_calls+=($(((size + b - 1) / b + 1))); done
  want_calls+=(3 2)
  if [[ $(stat -f -c %T .) == tmpfs ]]; then
    assert_equal "${#rows[@]}" 5
    assert_line "cold: skipped: POSIX_FADV_DONTNEED left $pages of $pages pages in the page cache (tmpfs: the cache is the only copy)"
  else
    assert_equal "${#rows[@]}" 10 # warm and cold
    assert_line "cold: fdatasync + POSIX_FADV_DONTNEED before every run (it leaves 0 of $pages pages cached)"
  fi
  # The faults, as the README counts them: the read(2) rows none (their
  # buffer, memchr and pread are used once before the timing); the warm
  # mapping one per fault-around window, one more when the mapping does
  # not start on a window boundary (ext4 aligns only mappings of 2 MiB or
  # more); the cold mapping about as many, moved by a fault or two by
  # readahead's progress.
  local w n exact=1
  w=$(window)
  n=$((pages / w))
  ((n >= 1)) || n=1
  if [[ $(stat -f -c %T .) == tmpfs ]] && ! shmem_small; then
    exact=0 # huge folios: fewer faults, as many as the mapping's alignment allows
  fi
  for k in "${!rows[@]}"; do
    IFS='|' read -r way lines calls minflt majflt <<<"${rows[k]}"
    assert_equal "$lines" 4096
    assert_equal "$calls" "${want_calls[k % 5]}"
    on_instrumented && continue # the tools' own memory faults (Valgrind), or memchr's checks (ASan)
    if [[ $way != mmap* ]]; then
      assert_equal "$((minflt + majflt))" 0
    elif ((exact == 0)); then
      between "$minflt" 1 $((pages + 2)) "$way, minor"
    elif ((k < 5)); then
      between "$minflt" "$n" $((n + 1)) "$way, warm, minor"
      assert_equal "$majflt" 0
    else
      between "$((minflt + majflt))" $((n - 2)) $((n + 3)) "$way, cold, minor + major"
    fi
  done
  run ls -A
  assert_output ""
}

# scan_times: the printed median times (ms) of the table rows, in order.
scan_times() {
  local l
  for l in "${lines[@]}"; do
    [[ $l =~ ^\ \ (read\(2\),\ [0-9]+\ [KM]iB\ buffer|mmap\ \+\ [A-Z_]+)\ +[0-9]+\ +[0-9]+\ +[0-9]+\ +[0-9]+\ +([0-9.]+)\ ms$ ]] &&
      echo "${BASH_REMATCH[2]}"
  done
}

@test "demo scan_file: each verdict names the way its own medians say won, by their ratio" {
  # No way is expected to win: which does depends on the machine (what a
  # fault costs against what a copy costs). What is checked is that the
  # verdict agrees with the times printed above it.
  run_demo scan_file 1M 1
  assert_success
  local times t k=0 n=0 l
  mapfile -t times < <(scan_times)
  ((${#times[@]} == 5 || ${#times[@]} == 10)) || fail "${#times[@]} rows"
  local names=("4 KiB" "64 KiB" "1 MiB" MADV_SEQUENTIAL MAP_POPULATE)
  for l in "${lines[@]}"; do
    [[ $l =~ ^(warm|cold):\ here\ (.*)\ ([0-9.]+)x$ ]] || continue
    local base=$((n * 5)) v=${BASH_REMATCH[2]} ratio=${BASH_REMATCH[3]} r m win lose
    n=$((n + 1))
    if [[ $v =~ ^the\ mapping\ \(mmap\ \+\ ([A-Z_]+)\)\ beat\ read\(2\)\ with\ a\ ([0-9]+\ [KM]iB)\ buffer$ ]]; then
      m=${BASH_REMATCH[1]} r=${BASH_REMATCH[2]} win=m
    elif [[ $v =~ ^read\(2\)\ with\ a\ ([0-9]+\ [KM]iB)\ buffer\ beat\ the\ mapping\ \(mmap\ \+\ ([A-Z_]+)\)$ ]]; then
      r=${BASH_REMATCH[1]} m=${BASH_REMATCH[2]} win=r
    else
      fail "verdict '$l'"
    fi
    # the named read(2) row and mapping row are the fastest of their kind
    local ri="" mi=""
    for k in 0 1 2 3 4; do
      [[ ${names[k]} == "$r" ]] && ri=$k
      [[ ${names[k]} == "$m" ]] && mi=$k
    done
    [[ -n $ri && -n $mi ]] || fail "verdict '$l' names no row"
    for k in 0 1 2; do
      awk -v a="${times[base + ri]}" -v b="${times[base + k]}" 'BEGIN { exit !(a <= b) }' ||
        fail "$l: read(2) with $r took ${times[base + ri]} ms, ${names[k]} ${times[base + k]} ms"
    done
    for k in 3 4; do
      awk -v a="${times[base + mi]}" -v b="${times[base + k]}" 'BEGIN { exit !(a <= b) }' ||
        fail "$l: mmap + $m took ${times[base + mi]} ms, ${names[k]} ${times[base + k]} ms"
    done
    # the winner is faster, by the ratio printed (the times are rounded to
    # 0.01 ms, so the ratio is checked against the range they allow)
    local a b
    if [[ $win == m ]]; then a=${times[base + ri]} b=${times[base + mi]}; else a=${times[base + mi]} b=${times[base + ri]}; fi
    awk -v a="$a" -v b="$b" -v x="$ratio" 'BEGIN {
          lo = (a - 0.005) / (b + 0.005); hi = (b > 0.005) ? (a + 0.005) / (b - 0.005) : 1e9
          exit !(a >= b && x >= lo - 0.05 && x <= hi + 0.05) }' ||
      fail "$l: the times printed were $a ms (loser) and $b ms (winner)"
  done
  assert_equal "$n" $((${#times[@]} / 5))
  # the warm verdict's arithmetic uses the mapping's own fault count
  local m_flt
  m_flt=$(sed -n 's/^  the mapping took \([0-9]*\) minor faults.*/\1/p' <<<"$output")
  [[ -n $m_flt ]] || fail "no line 'the mapping took N minor faults'"
  assert_line --regexp "^  at the probe's [0-9.]+ us for one anonymous fault here, $m_flt x [0-9.]+ us = [0-9.]+ ms of its [0-9.]+ ms$"
}

@test "demo scan_file: a SIZE below 64K or not a multiple of 64 is a usage error" {
  run_demo -2 --separate-stderr scan_file 1000
  assert_one_error_line scan_file "multiple of 64 from 64K"
  run_demo -2 --separate-stderr scan_file 65537
  assert_one_error_line scan_file "multiple of 64 from 64K"
}

# ---------------------------------------------------------------- random_reads

@test "demo random_reads: the small file's lines and the records read are right both ways" {
  run_demo random_reads 1M 2000 1
  assert_success
  # 1000 rounds of a 4096-byte file with 64 lines
  assert_line --regexp '^  open \+ read \+ close +64000 lines +[0-9]+ faults +[0-9.]+ us per file$'
  assert_line --regexp '^  open \+ mmap \+ munmap \+ close +64000 lines +[0-9]+ faults +[0-9.]+ us per file$'
  assert_line --regexp '^  pread, every pass +2000 of 2000 right +[0-9]+ faults'
  assert_line --regexp '^  mmap, first pass +2000 of 2000 right +[0-9]+ faults'
  assert_line --regexp '^  mmap, later passes +2000 of 2000 right +[0-9]+ faults'
  run ls -A
  assert_output ""
}

@test "demo random_reads: each small mmap costs a fault; random reads fault once per window at most" {
  run_demo random_reads 1M 2000 1
  assert_success
  on_valgrind && skip "Valgrind's own memory faults in this process: the counts mean nothing"
  local f w n
  f=$(sed -n 's/^  open + mmap + munmap + close *[0-9]* lines *\([0-9]*\) faults.*/\1/p' <<<"$output")
  between "$f" 1000 $((1000 + $(slack 1000))) "1000 small mmaps, one page each"
  w=$(window)
  n=$(((1024 * 1024 / PAGE + w - 1) / w))
  f=$(sed -n 's/^  mmap, first pass .* right *\([0-9]*\) faults.*/\1/p' <<<"$output")
  between "$f" 1 $((n + $(slack 256))) "2000 random reads of a cached 1 MiB file"
  f=$(sed -n 's/^  mmap, later passes .* right *\([0-9]*\) faults.*/\1/p' <<<"$output")
  between "$f" 0 2 "later passes (every page is mapped)"
}

# ---------------------------------------------------------------- grow_array

# ga_row WAY-REGEX: "GROWS MOVES COPIED FAULTS ITEMS" of that row.
ga_row() {
  local l
  for l in "${lines[@]}"; do
    if [[ $l =~ ^\ \ $1\ +([0-9]+)\ +([0-9]+)\ +([0-9]+|-)\ +([0-9]+)\ +[0-9.]+\ ms\ \ (.*)$ ]]; then
      echo "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]} ${BASH_REMATCH[5]}"
      return 0
    fi
  done
  fail "no row '$1'"
}

# ga_expect N: the counts grow_array must show for N items, derived from
# the doubling, as "GROWS CAP_PAGES USED_PAGES":
# - the capacity starts at one page and doubles until it holds N items of
#   8 bytes: GROWS doublings to CAP_PAGES pages;
# - the final array uses USED_PAGES = ceil(8N / PAGE) of them.
# Faults follow from these with one fault per page, because the demo turns
# THP off for its process (PR_SET_THP_DISABLE, which covers mTHP too), so
# `fact anon_fault_pages` does not enter:
# - copy-and-grow faults in every page of every array it makes: the
#   intermediate ones (1 + 2 + ... + CAP/2 = CAP - 1 pages, each filled
#   before it is replaced) and the final one's USED pages; it copies
#   CAP - 1 pages.
# - mremap and the reservation fault in the final USED pages once each:
#   mremap moves page-table entries, not pages.
# The slack is the usual stray fault or two (see the top of this file).
# The demo reads the clock once before it counts anything: the first
# clock_gettime() of a process faults in the vDSO's data pages (2 or 3
# faults), which, counted inside the first way's runs, once made
# copy-and-grow look 2 or 3 faults too expensive.
ga_expect() {
  local n=$1 cap=1 g=0
  while ((cap * PAGE / 8 < n)); do cap=$((cap * 2)) g=$((g + 1)); done
  echo "$g $cap $(((n * 8 + PAGE - 1) / PAGE))"
}

@test "demo grow_array: every way keeps every item; copy-and-grow copies and faults about twice" {
  run_demo grow_array 5000 1
  assert_success
  local g m c f items grows cap used s
  read -r grows cap used <<<"$(ga_expect 5000)"
  s=$(slack $((2 * cap)))
  read -r g m c f items <<<"$(ga_row 'mmap \+ memcpy \+ munmap')"
  assert_equal "$g $m $c $items" "$grows $grows $(((cap - 1) * PAGE / 1024)) all right"
  on_valgrind || between "$f" $((cap - 1 + used)) $((cap - 1 + used + s)) "copy-and-grow"
  read -r g m c f items <<<"$(ga_row 'mremap\(MREMAP_MAYMOVE\)')"
  assert_equal "$g $c $items" "$grows 0 all right"
  ((m <= grows)) || fail "mremap moved $m times in $grows grows"
  on_valgrind || between "$f" "$used" $((used + s)) "mremap"
  read -r g m c f items <<<"$(ga_row realloc)"
  assert_equal "$g $c $items" "$grows - all right"
  read -r g m c f items <<<"$(ga_row 'one big reservation')"
  assert_equal "$g $m $c $items" "0 0 0 all right"
  on_valgrind || between "$f" "$used" $((used + s)) "one big reservation"
}

@test "demo grow_array: past malloc's mmap threshold realloc grows with mremap: no copy faults" {
  on_instrumented && skip "under Valgrind or ASan malloc is the tool's own and its realloc copies"
  run_demo grow_array 262144 1 # 2 MiB
  assert_success
  local g m c f items grows cap used s hdr
  read -r grows cap used <<<"$(ga_expect 262144)"
  s=$(slack $((2 * cap)))
  read -r g m c f items <<<"$(ga_row realloc)"
  assert_equal "$items" "all right"
  # Past the threshold the block is a mapping of its own that starts with
  # malloc's 16-byte chunk header, so the items end 16 bytes further on:
  # ceil((8N + 16) / PAGE) pages, one more than the items alone when 8N is
  # a multiple of the page. The move from the heap into that mapping copies
  # into pages of the final block, which mremap keeps: no extra faults.
  hdr=$(((262144 * 8 + 16 + PAGE - 1) / PAGE))
  between "$f" "$used" $((hdr + s)) "realloc"
  read -r g m c f items <<<"$(ga_row 'mmap \+ memcpy \+ munmap')"
  between "$f" $((cap - 1 + used)) $((cap - 1 + used + s)) "copy-and-grow"
}

@test "demo grow_array: N out of range is a usage error" {
  run_demo -2 --separate-stderr grow_array 0
  assert_one_error_line grow_array "N '0'"
  run_demo -2 --separate-stderr grow_array 67108865
  assert_one_error_line grow_array "N '67108865'"
}

# ---------------------------------------------------------------- ex1_lines

# want_lines FILE...: what ex1_lines must print, from wc -l without padding.
want_lines() {
  wc -l "$@" | awk '{ print $1, $2 }'
}

# see: chapter 13 "One pass over a file"
@test "ex1_lines: one file, with and without a newline at the end" {
  printf 'one\ntwo\nthree\n' >a
  run_ex ex1_lines a
  assert_success
  assert_output "$(want_lines a)"
  printf 'one\ntwo\nno newline at the end' >b
  run_ex ex1_lines b
  assert_success
  assert_output "2 b"
}

# points: 2
# see: mmap(2) (EINVAL), chapter 01 "Getting it wrong on purpose"
@test "ex1_lines: an empty file is 0 lines, not an mmap error" {
  : >empty
  run_ex --separate-stderr ex1_lines empty
  assert_success
  assert_output "0 empty"
  assert_equal "$stderr" ""
}

# points: 2
# see: chapter 13 "One pass over a file"
@test "ex1_lines: files of many pages match wc -l exactly" {
  seq 1 200000 >big # about 1.2 MB, 300 pages
  head -c $((5 * PAGE + 17)) /dev/urandom >binary # newlines, NULs, anything
  printf '\n' >newline
  head -c $((3 * PAGE)) /dev/zero | tr '\0' '\n' >allnl # a newline on every byte
  for f in big binary newline allnl; do
    run_ex ex1_lines $f
    assert_success
    assert_output "$(want_lines $f)"
  done
}

# points: 2
@test "ex1_lines: several files, then a total line" {
  seq 1 1000 >a
  : >b
  printf 'x\ny' >c
  run_ex ex1_lines a b c
  assert_success
  assert_output "$(want_lines a b c)"
  assert_equal "${lines[3]}" "1001 total"
}

@test "ex1_lines: a missing file or a non-regular file is one error line, exit 1; no FILE is exit 2" {
  run_ex -1 --separate-stderr ex1_lines nosuch
  assert_one_error_line ex1_lines "open 'nosuch': No such file or directory"
  run_ex -1 --separate-stderr ex1_lines /dev/null
  assert_one_error_line ex1_lines "'/dev/null' is not a regular file"
  mkdir d
  printf 'a\n' >ok
  run_ex -1 --separate-stderr ex1_lines ok d
  assert_one_error_line ex1_lines "'d' is not a regular file"
  assert_output "1 ok"
  run_ex -2 --separate-stderr ex1_lines
  assert_one_error_line ex1_lines "expected at least one FILE \\(usage: "
}

# ---------------------------------------------------------------- ex2_faults

# ex2 KIND ACCESS PAGES [STRIDE]: run it, check the three lines, and set
# TOUCHED and FAULTS.
ex2() {
  local args=("$1" "$2" "$3")
  [[ -n ${4:-} ]] && args=(-s "$4" "${args[@]}")
  run_ex ex2_faults "${args[@]}"
  assert_success
  assert_equal "${#lines[@]}" 3
  [[ ${lines[0]} =~ ^touched:\ ([0-9]+)$ ]] || fail "line 1 is '${lines[0]}'"
  TOUCHED=${BASH_REMATCH[1]}
  [[ ${lines[1]} =~ ^faults:\ ([0-9]+)$ ]] || fail "line 2 is '${lines[1]}'"
  FAULTS=${BASH_REMATCH[1]}
  assert_equal "${lines[2]}" "faults per page: $(awk -v f="$FAULTS" -v t="$TOUCHED" 'BEGIN { printf "%.2f", f / t }')"
  assert_equal "$TOUCHED" $((($3 + ${4:-1} - 1) / ${4:-1}))
}

# expect LO WHAT: FAULTS is LO plus at most the slack (natively).
expect() {
  on_valgrind && return 0 # Valgrind's own memory faults too: not checked
  between "$FAULTS" "$1" $(($1 + $(slack "${PAGES:-256}"))) "$2"
}

# see: getrusage(2), chapter 13 "What a minor fault costs"
@test "ex2_faults: three lines, the pages touched, and faults per page to two decimals" {
  ex2 anon write 100
  ex2 anon write 100 7
  ex2 private read 64 64
}

# points: 3
# see: getrusage(2), chapter 13 "What a minor fault costs"
@test "ex2_faults: anonymous memory: one fault per page touched; read then write: two with the zero page" {
  PAGES=256
  ex2 anon read 256;       expect 256 "anon read: a page (the zero page, or a private one) per page"
  ex2 anon write 256;      expect 256 "anon write: a new zeroed page each"
  ex2 anon write 256 5;    expect 52 "anon write, every 5th page"
  local z
  z=$(fact zero_page)
  ex2 anon readwrite 256
  case $z in
    yes) expect 512 "anon readwrite: the zero page, then a page of its own (zero_page=yes)" ;;
    no) expect 256 "anon readwrite: private pages, already writable (zero_page=no)" ;;
    *) # the probe could not tell: either case is right
       on_valgrind || ((FAULTS >= 256 && FAULTS <= 512 + $(slack 256))) ||
         fail "anon readwrite: $FAULTS faults, expected 256 or 512 (zero_page unknown)" ;;
  esac
}

# points: 3
# see: chapter 13 "Fault-around: fewer faults than pages"
@test "ex2_faults: a private memfd mapping: reads fault once per window, writes once per page" {
  shmem_small || skip "shmem may use huge folios here (shmem_enabled): fault counts for a memfd differ"
  local w
  w=$(window)
  ((w <= 16)) || skip "fault_around_bytes is larger than the 64 KiB alignment the task asks for"
  PAGES=256
  ex2 private read 256;      expect "$(windows 256 1 "$w")" "private read: one fault per window"
  ex2 private write 256;     expect 256 "private write: a copy of each page"
  ex2 private readwrite 256; expect $(($(windows 256 1 "$w") + 256)) "private readwrite: windows, then a copy per page"
  ex2 private read 256 "$w"; expect "$(windows 256 "$w" "$w")" "private read, one page per window"
  ex2 private read 256 5;    expect "$(windows 256 5 "$w")" "private read, every 5th page"
  ex2 private write 256 5;   expect 52 "private write, every 5th page"
}

# points: 2
# see: chapter 13 "Fault-around: fewer faults than pages"
@test "ex2_faults: a shared memfd mapping: tmpfs pages map writable, so writes after reads are free" {
  shmem_small || skip "shmem may use huge folios here (shmem_enabled): fault counts for a memfd differ"
  local w
  w=$(window)
  ((w <= 16)) || skip "fault_around_bytes is larger than the 64 KiB alignment the task asks for"
  PAGES=256
  ex2 shared read 256;      expect "$(windows 256 1 "$w")" "shared read: one fault per window"
  ex2 shared write 256;     expect 256 "shared write: one fault per page (no fault-around for writes)"
  ex2 shared readwrite 256; expect "$(windows 256 1 "$w")" "shared readwrite: the reads map the pages writable"
}

@test "ex2_faults: a bad KIND, ACCESS, PAGES or STRIDE is one usage line, exit 2" {
  # the words the task gives; after the second colon, anything
  run_ex -2 --separate-stderr ex2_faults heap read 64
  assert_one_error_line ex2_faults "kind 'heap':"
  run_ex -2 --separate-stderr ex2_faults anon peek 64
  assert_one_error_line ex2_faults "access 'peek':"
  run_ex -2 --separate-stderr ex2_faults anon read 15
  assert_one_error_line ex2_faults "pages '15':"
  run_ex -2 --separate-stderr ex2_faults -s 0 anon read 64
  assert_one_error_line ex2_faults "stride '0':"
  run_ex -2 --separate-stderr ex2_faults -s 65 anon read 64
  assert_one_error_line ex2_faults "stride 65:"
  run_ex -2 --separate-stderr ex2_faults anon read
  assert_one_error_line ex2_faults "expected KIND ACCESS PAGES \\(usage: "
}
