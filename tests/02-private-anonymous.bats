#!/usr/bin/env bats
# Tests for chapter 02-private-anonymous: its demos ("demo ...") and its
# exercises ("exN_...").

load helper
load_bats_file

# --- zero_fill ---------------------------------------------------------------

@test "demo zero_fill: fresh, re-mapped and /dev/zero memory hold no non-zero byte" {
  run_demo zero_fill
  assert_success
  local len=$((16 * PAGE))
  assert_line "16 page(s) = $len bytes of private anonymous memory"
  assert_line "fresh mapping: 0 non-zero bytes of $len"
  assert_line "after memset(0xa5): $len non-zero bytes of $len"
  # one byte stored per page: the rest of each new page was cleared
  assert_line "second mapping, after storing 1 into byte 0 of each page: 16 non-zero bytes of $len"
  assert_line "private mapping of /dev/zero: 0 non-zero bytes of $len"
  assert_line --regexp "^  maps: \+0x0\.\.\+0x$(printf %x "$len") rw-p 00000000 16 pages /dev/zero$"
}

@test "demo zero_fill: PAGES sets the size" {
  run_demo zero_fill 3
  assert_success
  assert_line "fresh mapping: 0 non-zero bytes of $((3 * PAGE))"
  assert_line "after memset(0xa5): $((3 * PAGE)) non-zero bytes of $((3 * PAGE))"
  assert_line "second mapping, after storing 1 into byte 0 of each page: 3 non-zero bytes of $((3 * PAGE))"
}

@test "demo zero_fill: -h is usage on stdout; a bad PAGES is one usage line, exit 2" {
  run_demo zero_fill -h
  assert_success
  assert_output --regexp '^usage: zero_fill '
  for bad in abc 0 65537 -1 4K; do
    run_demo -2 --separate-stderr zero_fill "$bad"
    assert_one_error_line zero_fill "(pages|unknown option)"
  done
}

# --- lazy_alloc ----------------------------------------------------------------

# lazy_row STEP: from lazy_alloc's table in $output, the row that starts with
# STEP; sets RES (resident pages), FLT (minor faults) and RSS (the change in
# the mapping's own pages, its Rss in smaps).
lazy_row() {
  local line rest
  line=$(grep -F -- "$1 " <<<"$output" | head -n 1)
  rest=${line#"$1"}
  if [[ $line != "$1"* || ! $rest =~ ^\ +([0-9]+)\ of\ ([0-9]+)\ pages\ +\+([0-9]+)\ +([+-][0-9]+)\ pages$ ]]; then
    fail "no table row '$1' in the output:"$'\n'"$output"
  fi
  RES=${BASH_REMATCH[1]} FLT=${BASH_REMATCH[3]} RSS=$((BASH_REMATCH[4]))
}

# rss_is N: the Rss change of the row lazy_row found is N pages. smaps walks
# the mapping's page tables, so natively the count is exact (statm's
# process-wide counters were not, before Linux 6.16). Under Valgrind the
# mapping may share a VMA with Valgrind's own memory: not checked there.
# Under ASan a neighbouring VMA of ASan's own may merge with the mapping:
# at most 8 more pages, fewer than a quarter of the smallest mapping tested
# (64 pages), so reading 16 pages still cannot pass for writing them.
rss_is() {
  on_valgrind && return 0
  if on_sanitizer; then
    (( RSS >= $1 && RSS <= $1 + 8 )) || fail "Rss changed by $RSS pages, expected $1 (up to 8 more under ASan)"
  else
    (( RSS == $1 )) || fail "the mapping's Rss changed by $RSS pages, expected $1"
  fi
}

# flt_is N: the minor faults of the row lazy_row found are N, natively,
# give or take the measurement's own (a stack or heap page of getrusage,
# mincore's vector): at most 4 more. Under Valgrind and ASan (shadow memory)
# there are more faults: only the lower bound holds.
flt_is() {
  (( FLT >= $1 )) || fail "$2 took only $FLT minor faults, expected $1"
  on_instrumented && return 0
  (( FLT <= $1 + 4 )) || fail "$2 took $FLT minor faults, expected $1 (up to 4 more)"
}

# check_lazy N: the whole table for a mapping of N pages, as the machine's
# zero-page fact predicts it. Reading the second quarter (Q pages) faults
# once per page either way. With the zero page those faults map the shared
# zero page: anon RSS +0, and the writes to all N pages later fault on the
# N - Q pages that have no page of their own (the zero page is replaced).
# Without it each read fault allocates a private page: anon RSS +Q, and the
# writes fault only on the N - 2Q pages never touched.
check_lazy() {
  local n=$1 q=$(($1 / 4)) zp read_rss write_flt
  zp=$(fact zero_page)
  lazy_row "after mmap"
  assert_equal "$RES" 0
  rss_is 0
  lazy_row "after writing pages 0..$((q - 1))"
  assert_equal "$RES" "$q"
  flt_is "$q" "writing $q pages"
  rss_is "$q"
  lazy_row "after reading pages $q..$((2 * q - 1))"
  assert_equal "$RES" $((2 * q))
  flt_is "$q" "reading $q new pages"
  read_rss=$RSS
  lazy_row "after writing all $n pages"
  assert_equal "$RES" "$n"
  write_flt=$FLT
  case $zp in
    yes) RSS=$read_rss rss_is 0
         FLT=$write_flt flt_is $((n - q)) "writing all $n pages (the $q read ones replace the zero page)"
         rss_is $((n - q)) ;;
    no) RSS=$read_rss rss_is "$q"
        FLT=$write_flt flt_is $((n - 2 * q)) "writing all $n pages (the $((n - 2 * q)) untouched ones)"
        rss_is $((n - 2 * q)) ;;
    *) # the probe could not tell: one of the two, consistently
       if ! on_valgrind; then
         (( (read_rss <= q / 4 && RSS >= n - q) || (read_rss >= q && RSS <= n - 2 * q + 8) )) ||
           fail "zero page unknown: reading added $read_rss pages, writing all $RSS: neither case"
       fi ;;
  esac
  lazy_row "after MADV_DONTNEED"
  assert_equal "$RES" 0
  rss_is $((-n))
  assert_line "after MADV_DONTNEED: 0 non-zero bytes of $((n * PAGE)) (the writes are gone; the pages read as zero)"
  if on_sanitizer; then
    assert_line --partial "note: built with AddressSanitizer: "
  fi
  # What the demo says it saw must be what the fact predicts (natively:
  # under Valgrind and ASan the counts it decides from are noisier).
  if ! on_instrumented; then
    case $zp in
      yes) assert_line "reads: of the $q pages read, 0 became the mapping's own (Rss):"
           assert_line --partial "  they map the kernel's shared zero page"
           assert_line "  (the machine probe agrees: zero page yes; make doctor)" ;;
      no) assert_line "reads: of the $q pages read, $q became the mapping's own (Rss):"
          assert_line --partial "  this kernel does not map the shared zero page"
          assert_line "  (the machine probe agrees: zero page no; make doctor)" ;;
    esac
  fi
}

@test "demo lazy_alloc: pages become resident one touch at a time, and MADV_DONTNEED frees them" {
  run_demo lazy_alloc
  assert_success
  assert_line "mapped 1024 pages ($((1024 * PAGE / 1024)) KiB) of private anonymous memory"
  check_lazy 1024
}

@test "demo lazy_alloc: PAGES sets the size (64 pages, quarters of 16)" {
  run_demo lazy_alloc 64
  assert_success
  check_lazy 64
}

@test "demo lazy_alloc: sets MADV_NOHUGEPAGE and reports what one fault maps here without it" {
  local k
  k=$(fact anon_fault_pages)
  run_demo lazy_alloc 8
  assert_success
  assert_line --regexp "^MADV_NOHUGEPAGE(: EINVAL, no huge pages to avoid| set: no huge page, no multi-size THP folio): a fault maps one $PAGE-byte page at most\$"
  if [[ $k == 1 ]]; then
    assert_line --regexp '^\(without the advice, one write fault on fresh memory maps 1 page here, '
  else
    assert_line --regexp "^\\(without the advice, one write fault on fresh memory maps $k pages here, a multi-size THP folio "
  fi
}

@test "demo lazy_alloc: -h is usage on stdout; a bad PAGES is one usage line, exit 2" {
  run_demo lazy_alloc -h
  assert_success
  assert_output --regexp '^usage: lazy_alloc '
  for bad in abc 3 65537 1x; do
    run_demo -2 --separate-stderr lazy_alloc "$bad"
    assert_one_error_line lazy_alloc "pages '$bad'"
  done
  run_demo -2 --separate-stderr lazy_alloc 8 8
  assert_one_error_line lazy_alloc "too many"
}

# --- cow_fork -----------------------------------------------------------------

@test "demo cow_fork: the child sees the parent's data, its writes are copies the parent never sees" {
  local n=64
  run_demo cow_fork $n
  assert_success
  assert_line "child:  $n of $n pages now read \"child page I\"; last page: \"child page $((n - 1))\""
  assert_line "parent: child exited with status 0"
  assert_line "parent: $n of $n pages still read \"parent page I\"; last page: \"parent page $((n - 1))\""

  # What the child saw before writing, and what reading cost: no copy.
  assert_line --regexp "^child:  $n of $n pages read \"parent page I\"; reading them cost [0-9]+ minor faults$"
  local line reads writes
  line=$(grep '^child:  .*reading them cost' <<<"$output")
  reads=$(sed -E 's/.*cost ([0-9]+) minor.*/\1/' <<<"$line")
  on_valgrind || (( reads < n )) || fail "reading $n pages cost $reads faults: were the pages copied?"

  # Writing: at least one fault (one copy) per page, and natively about one.
  line=$(grep '^child:  wrote' <<<"$output")
  [[ $line =~ into\ $n\ pages:\ ([0-9]+)\ minor\ faults ]] || fail "no write line: $output"
  writes=${BASH_REMATCH[1]}
  (( writes >= n )) || fail "$n copy-on-write copies took only $writes faults"
  on_valgrind || (( writes <= 2 * n )) || fail "$writes faults for $n pages is not about one per page"
}

@test "demo cow_fork: a single page" {
  run_demo cow_fork 1
  assert_success
  assert_line 'child:  1 of 1 pages now read "child page I"; last page: "child page 0"'
  assert_line 'parent: 1 of 1 pages still read "parent page I"; last page: "parent page 0"'
  # The parent's line before fork() is printed once, not again by the child.
  assert_equal "$(grep -c '^parent: wrote' <<<"$output")" 1
}

@test "demo cow_fork: -h is usage on stdout; a bad PAGES is one usage line, exit 2" {
  run_demo cow_fork -h
  assert_success
  assert_output --regexp '^usage: cow_fork '
  for bad in abc 0 65537; do
    run_demo -2 --separate-stderr cow_fork "$bad"
    assert_one_error_line cow_fork "pages '$bad'"
  done
}

# --- malloc_threshold -----------------------------------------------------------

# malloc_pass N: the "malloc(...)" lines of pass N in $output.
malloc_pass() {
  awk -v n="$1" '/^pass /{p = ($2 == n ":")} p && /^  malloc\(/' <<<"$output"
}

# expect_malloc N SIZE WHERE: in pass N, SIZE went to WHERE (heap|own).
expect_malloc() {
  local want
  if [[ $3 == own ]]; then
    want="own anonymous mapping +free\(\): unmapped"
  else
    want="\[heap\] +free\(\): still mapped"
  fi
  malloc_pass "$1" | grep -Eq "^  malloc\( *$2\) -> $want$" ||
    fail "pass $1: malloc($2) should be '$3'; the pass printed:"$'\n'"$(malloc_pass "$1")"
}

# expect_threshold N CHUNK: pass N found that a chunk of CHUNK bytes gets a
# mapping and one 16 bytes smaller does not.
expect_threshold() {
  awk -v n="$1" '/^pass /{p = ($2 == n ":")} p' <<<"$output" |
    grep -Fxq "  threshold now (bisection in child processes): a chunk of $2 gets a mapping, one of $(($2 - 16)) does not" ||
    fail "pass $1 should find the threshold at a chunk of $2; the output:"$'\n'"$output"
}

# model_malloc THRESHOLD SIZE...: what mallopt(3) and glibc's dynamic
# threshold predict for pass 1 and pass 2 (starting at 128 KiB) and pass 3
# (fixed at THRESHOLD), checked against $output. A chunk is the request + 8
# rounded up to 16; a chunk >= the threshold is mmapped; freeing a mapped
# chunk (its size rounded up to pages) raises the threshold to that size.
# The threshold each pass starts with is checked too.
model_malloc() {
  local fixed=$1 thr=131072 s c m pass
  shift
  for pass in 1 2; do
    expect_threshold $pass $thr
    for s in "$@"; do
      c=$(( (s + 8 + 15) / 16 * 16 ))
      if (( c >= thr )); then
        expect_malloc $pass "$s" own
        m=$(( (c + 8 + PAGE - 1) / PAGE * PAGE ))
        (( m > thr )) && thr=$m
      else
        expect_malloc $pass "$s" heap
      fi
    done
  done
  expect_threshold 3 $(( (fixed + 15) / 16 * 16 ))
  for s in "$@"; do
    c=$(( (s + 8 + 15) / 16 * 16 ))
    if (( c >= fixed )); then expect_malloc 3 "$s" own; else expect_malloc 3 "$s" heap; fi
  done
}

# glibc's documented default, 128 KiB, unless the environment sets another.
unset_malloc_env() { unset GLIBC_TUNABLES MALLOC_MMAP_THRESHOLD_ MALLOC_TRIM_THRESHOLD_ MALLOC_TOP_PAD_ MALLOC_MMAP_MAX_; }

@test "demo malloc_threshold: the default sizes fall on both sides of 128 KiB, then the line moves" {
  on_valgrind && skip "under Valgrind malloc is Valgrind's own, with no mmap threshold"
  on_sanitizer && skip "built with ASan, malloc is ASan's own, with no mmap threshold"
  unset_malloc_env
  run_demo malloc_threshold
  assert_success
  # The two sizes that straddle the default line, named plainly:
  expect_malloc 1 131048 heap     # chunk 131056 < 131072
  expect_malloc 1 131064 own      # chunk 131072
  expect_malloc 2 1048576 heap    # the dynamic threshold rose past 1 MiB
  expect_malloc 3 65536 own       # -t 64K is the default, chunk 65552
  expect_threshold 1 131072       # the documented default, found by the demo
  model_malloc 65536 65536 130048 131048 131064 262144 1048576
}

@test "demo malloc_threshold: one byte of request crosses the default line" {
  on_valgrind && skip "under Valgrind malloc is Valgrind's own, with no mmap threshold"
  on_sanitizer && skip "built with ASan, malloc is ASan's own, with no mmap threshold"
  unset_malloc_env
  run_demo malloc_threshold 131048 131049
  assert_success
  expect_malloc 1 131048 heap     # chunk 131056 < 131072
  expect_malloc 1 131049 own      # chunk 131072
  model_malloc 65536 131048 131049
}

@test "demo malloc_threshold: -t and SIZEs of our own choosing" {
  on_valgrind && skip "under Valgrind malloc is Valgrind's own, with no mmap threshold"
  on_sanitizer && skip "built with ASan, malloc is ASan's own, with no mmap threshold"
  unset_malloc_env
  run_demo malloc_threshold -t 200000 100000 199976 199984 300000 409600
  assert_success
  expect_malloc 3 199976 heap     # chunk 199984 < 200000
  expect_malloc 3 199984 own      # chunk 200000
  model_malloc 200000 100000 199976 199984 300000 409600
}

@test "demo malloc_threshold: it finds the threshold, not assumes it: one set through GLIBC_TUNABLES shows" {
  on_valgrind && skip "under Valgrind malloc is Valgrind's own, with no mmap threshold"
  on_sanitizer && skip "built with ASan, malloc is ASan's own, with no mmap threshold"
  unset_malloc_env
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=200000 run_demo malloc_threshold 199976 199984
  assert_success
  # a threshold set from outside is fixed: no dynamic raise in pass 2
  expect_threshold 1 200000
  expect_threshold 2 200000
  expect_malloc 1 199976 heap
  expect_malloc 1 199984 own
  expect_malloc 2 199984 own
}

@test "demo malloc_threshold: under Valgrind it says malloc is replaced and exits 0" {
  on_valgrind || skip "only meaningful under make memcheck (Valgrind)"
  run_demo malloc_threshold
  assert_success
  assert_output --partial "running under Valgrind: malloc here is Valgrind's replacement"
}

@test "demo malloc_threshold: built with ASan it says malloc is replaced and exits 0" {
  on_sanitizer || skip "only meaningful under make sanitize (ASan)"
  run_demo malloc_threshold
  assert_success
  assert_output --partial "built with AddressSanitizer: malloc here is ASan's own"
  refute_output --partial "pass 1"
}

@test "demo malloc_threshold: -h is usage on stdout; bad options and sizes are one usage line, exit 2" {
  run_demo malloc_threshold -h
  assert_success
  assert_output --regexp '^usage: malloc_threshold '
  run_demo -2 --separate-stderr malloc_threshold -x
  assert_one_error_line malloc_threshold "unknown option '-x'"
  run_demo -2 --separate-stderr malloc_threshold -t
  assert_one_error_line malloc_threshold "needs a value"
  run_demo -2 --separate-stderr malloc_threshold -t 33M
  assert_one_error_line malloc_threshold "threshold '33M'"
  for bad in 0 12Q 65M; do
    run_demo -2 --separate-stderr malloc_threshold "$bad"
    assert_one_error_line malloc_threshold "size '$bad'"
  done
}

# --- ex1_resident -----------------------------------------------------------------

# expected_map NPAGES PAGE...: the '#'/'.' string, built here from the spec.
expected_map() {
  local n=$1 map k
  shift
  printf -v map '%*s' "$n" ''
  map=${map// /.}
  for k in "$@"; do map="${map:0:k}#${map:k+1}"; done
  echo "$map"
}

# see: mincore(2), chapter 02 "Lazy allocation: paying on first touch"
@test "ex1_resident: the map shows exactly the pages written" {
  local args
  for args in "5 0 3" "1 0" "8 7 7 0" "64 1 2 3 5 8 13 21 34 55" \
              "4096 0 4095 2048" "30 29 28 27 0 1 2"; do
    # shellcheck disable=SC2086  # ARGS is a word list
    run_ex ex1_resident $args
    assert_success
    # shellcheck disable=SC2086
    assert_output "$(expected_map $args)"
  done
}

# see: mincore(2), chapter 02 "Lazy allocation: paying on first touch"
@test "ex1_resident: with no page listed, nothing is resident" {
  run_ex ex1_resident 12
  assert_success
  assert_output "............"
}

@test "ex1_resident: a page index out of range is one usage line, exit 2" {
  run_ex -2 --separate-stderr ex1_resident 5 0 5
  assert_one_error_line ex1_resident "page '5'"
  run_ex -2 --separate-stderr ex1_resident 5 -1
  assert_one_error_line ex1_resident "page '-1'"
  run_ex -2 --separate-stderr ex1_resident 5 x
  assert_one_error_line ex1_resident "page 'x'"
}

@test "ex1_resident: a bad NPAGES is one usage line, exit 2" {
  for bad in abc 0 4097; do
    run_ex -2 --separate-stderr ex1_resident "$bad" 0
    assert_one_error_line ex1_resident "npages '$bad'"
  done
}

# --- ex2_snapshot ------------------------------------------------------------------

# check_snapshot FILE COUNT: FILE is COUNT 32-bit 1s in the machine's byte
# order (od's -tu4 reads the host's order unless told otherwise), nothing else.
check_snapshot() {
  assert_equal "$(stat -c %s "$1")" $((4 * $2))
  assert_equal "$(od -An -v -tu4 "$1" | tr -s ' ' '\n' | grep -c .)" "$2"
  assert_equal "$(od -An -v -tu4 "$1" | tr -s ' ' '\n' | grep . | sort -u)" "1"
}

# see: fork(2), chapter 02 "Copy-on-write after fork"
@test "ex2_snapshot: the child saves the 1s although the parent wrote 2s first" {
  run_ex ex2_snapshot out 1000
  assert_success
  assert_output "parent sees 2 in all 1000 entries
snapshot: 1000 entries of 1"
  check_snapshot out 1000
}

# see: fork(2), chapter 02 "Copy-on-write after fork"
@test "ex2_snapshot: one entry, and an array of many pages" {
  run_ex ex2_snapshot one 1
  assert_success
  assert_line "snapshot: 1 entries of 1"
  check_snapshot one 1
  run_ex ex2_snapshot big 300000
  assert_success
  assert_line "parent sees 2 in all 300000 entries"
  check_snapshot big 300000
}

# procs_below PID: every process below PID (children, grandchildren ...).
procs_below() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    { s = $0; sub(/^.*\) /, "", s); split(s, f, " "); up[$1] = f[2] }
    END {
      for (p in up) {
        q = up[p]; n = 0
        while (q > 1 && q != root && n++ < 100) q = up[q]
        if (q == root) print p
      }
    }'
}

# forked_holder FILE PID: a process below PID that has FILE open and is a
# fork of its parent (the same executable and the same command line): the
# program's child. Prints its pid.
forked_holder() {
  local want
  want=$(stat -L -c %d:%i "$1") || return 1
  # shellcheck disable=SC2016  # the inner script expands its own variables
  as_program_user bash -c '
    want=$1; shift
    for p; do
      st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
      st=${st##*) }
      pp=$(cut -d" " -f2 <<<"$st")
      [[ /proc/$p/exe -ef /proc/$pp/exe ]] || continue
      cmp -s "/proc/$p/cmdline" "/proc/$pp/cmdline" || continue
      for fd in /proc/"$p"/fd/*; do
        [[ $(stat -L -c %d:%i "$fd" 2>/dev/null) == "$want" ]] && { echo "$p"; exit 0; }
      done
    done
    exit 1' _ "$want" $(procs_below "$2")
}

# see: fork(2), chapter 02 "Copy-on-write after fork"
@test "ex2_snapshot: a forked child writes OUTFILE (here a FIFO that is never read)" {
  # The test holds the FIFO open (read-write, so no open blocks) and never
  # reads it: the save blocks in write(2) once the pipe is full, and the
  # test looks for the process that has OUTFILE open. A program that writes
  # the file itself, without forking, has no such child.
  local fifo bg k writer=""
  mkfifo out
  exec {fifo}<>out
  wb_exec "$(ex_path ex2_snapshot)" out 1048576 >stdout 2>stderr 3>&- {fifo}>&- &
  bg=$!
  for ((k = 0; k < 100; k++)); do
    writer=$(forked_holder out "$bg") && break
    kill -0 "$bg" 2>/dev/null || break
    sleep 0.1
  done
  exec {fifo}>&- # no reader left: the blocked write fails (SIGPIPE), all ends
  wait "$bg" || true
  [[ -n $writer ]] ||
    fail "no process forked by ex2_snapshot had OUTFILE open (stderr: $(cat stderr))"
}

# see: open(2) (O_TRUNC)
@test "ex2_snapshot: an existing OUTFILE is truncated and rewritten" {
  head -c 10000 /dev/urandom >out
  run_ex ex2_snapshot out 10
  assert_success
  check_snapshot out 10
}

@test "ex2_snapshot: an OUTFILE that cannot be written is one error line, exit 1" {
  run_ex -1 --separate-stderr ex2_snapshot nosuchdir/out 10
  assert_one_error_line ex2_snapshot "nosuchdir/out.*No such file or directory"
  mkdir adir
  run_ex -1 --separate-stderr ex2_snapshot adir 10
  assert_one_error_line ex2_snapshot "adir.*Is a directory"
}

@test "ex2_snapshot: a bad COUNT is one usage line, exit 2" {
  for bad in abc 0 16777217; do
    run_ex -2 --separate-stderr ex2_snapshot out "$bad"
    assert_one_error_line ex2_snapshot "count '$bad'"
  done
  assert_file_not_exists out
}
