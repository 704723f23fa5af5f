#!/usr/bin/env bats
# Tests for chapter 06-msync: its demos ("demo ...") and its exercises ("exN_...").

load helper

# Dirty counts: any process's sync(2), or the kernel's background writeback
# under memory pressure, may clean a page at any moment, and that can only
# make a dirty count LOWER than expected. So a test that checks one runs the
# program up to three times and judges the first run without such a loss;
# a program that is wrong is wrong all three times.
TRIES=3

# dirty_after STEP: the dirty page count dirty_pages printed for STEP.
dirty_after() {
  sed -nE "s/^$1 +Rss +[0-9]+ +dirty +([0-9]+) .*/\\1/p" <<<"$output"
}

@test "demo msync_errors: each refused call gets the errno msync(2) lists" {
  run_demo msync_errors
  assert_success
  assert_line --regexp '^  msync\(base\+1, 1 page, MS_SYNC\) +EINVAL '
  assert_line --regexp '^  msync\(base, 3 pages, MS_SYNC\|MS_ASYNC\) +EINVAL '
  assert_line --regexp '^  msync\(base, 3 pages, 0x8\) +EINVAL '
  assert_line --regexp '^  msync\(base, 5 pages, MS_SYNC\) +ENOMEM '
  assert_line --regexp '^  msync\(base\+page 3, 1 page, MS_ASYNC\) +ENOMEM '
  if [[ $output == *"mlock failed"* ]]; then
    echo "# mlock was refused here: the EBUSY row was not run" >&3
  elif on_sanitizer; then
    # ASan's mlock() is a no-op returning 0: nothing would be locked.
    assert_line "  built with AddressSanitizer: its mlock() locks nothing (and returns 0): the EBUSY row is left out"
    refute_line --partial "msync(locked"
  else
    assert_line --regexp '^  msync\(locked, 1 page, MS_SYNC\|MS_INVALIDATE\) +EBUSY '
    assert_line --regexp '^  msync\(locked, 1 page, MS_SYNC\) +ok '
  fi
}

@test "demo msync_errors: what msync(2) accepts, including no flag and length 0" {
  run_demo msync_errors
  assert_success
  assert_line --regexp '^  msync\(base, 3 pages, MS_SYNC\) +ok '
  assert_line --regexp '^  msync\(base, 1, MS_SYNC\) +ok '
  assert_line --regexp '^  msync\(base, 3 pages, MS_ASYNC\) +ok '
  assert_line --regexp '^  msync\(base, 3 pages, 0\) +ok '
  assert_line --regexp '^  msync\(base, 3 pages, MS_SYNC\|MS_INVALIDATE\) +ok '
  assert_line --regexp '^  msync\(base\+page 3, 0, MS_SYNC\) +ok '
  assert_line --regexp '^  msync\(anon, 1 page, MS_SYNC\) +ok '
  # Every row is ok or an errno name: nothing else slipped in.
  local bad
  bad=$(grep -E '^  msync\(' <<<"$output" | grep -vE '\) +(ok|E[A-Z]+) ' || true)
  [[ -z $bad ]] || fail "rows without a result: $bad"
}

@test "demo page_cache: read(2) in another process sees a store at once, and the mapping sees pwrite" {
  run_demo page_cache
  assert_success
  assert_line 'parent: stored "hello from the mapping" at offset 100 through the mapping'
  assert_line 'child:  pread(2) at offset 100 returned "hello from the mapping"'
  assert_line 'parent: the mapping at offset 200 now holds "hello from pwrite"'
  refute_output --partial NOT
  # Its temporary file is gone.
  run ls -A "$BATS_TEST_TMPDIR"
  assert_output ''
}

@test "demo kill_before_sync: the child dies of SIGKILL and the file holds every store" {
  run_demo kill_before_sync data
  assert_success
  assert_line 'child: stored 3 lines, then was killed by SIGKILL'
  assert_line '3 of 3 lines survived the SIGKILL'
  # The file, checked independently: a line at the start of each page, zeros after.
  local k line
  for k in 0 1 2; do
    line="page $k: stored through MAP_SHARED, no msync"
    printf '%s\n' "$line"
    head -c $((PAGE - ${#line} - 1)) /dev/zero
  done >want
  cmp data want
  assert_equal "$(od -An -c -j $((2 * PAGE)) -N 6 data | tr -s ' ')" ' p a g e 2'
}

@test "demo kill_before_sync: the pages were still dirty; fsync cleans them (not on tmpfs)" {
  local try
  for ((try = 1; try <= TRIES; try++)); do
    run_demo kill_before_sync data
    assert_success
    [[ $output == *"dirty pages in the page cache now: 3 "* ]] && break
  done
  assert_line --regexp '^dirty pages in the page cache now: 3 '
  if on_tmpfs; then
    assert_line 'dirty pages after fsync(2): 3'
    assert_line --partial 'tmpfs has no disk behind it'
  else
    assert_line 'dirty pages after fsync(2): 0'
  fi
}

@test "demo kill_before_sync: without FILE it leaves nothing behind" {
  run_demo kill_before_sync
  assert_success
  assert_line 'child: stored 3 lines, then was killed by SIGKILL'
  run ls -A "$BATS_TEST_TMPDIR"
  assert_output ''
}

@test "demo kill_before_sync: a store that fails is not counted (SIGBUS on a full tmpfs)" {
  can_unshare_mounts || skip "cannot make a mount namespace here (unshare -m and -rm both refused)"
  mkdir small
  # A tmpfs of 2 pages, in a mount namespace of its own: the store to page 2
  # needs a third page and gets SIGBUS (chapter 05), before the child sends
  # its byte for that line. The parent must not touch page 2's hole either.
  run ns_run "${UNSHARE[@]}" bash -c \
    'mount -t tmpfs -o size="$2" tmpfs small || exit 99
     wb_exec "$1" small/data' bash "$(demo_path kill_before_sync)" $((2 * PAGE))
  assert_success
  assert_line 'child: stored 2 lines, then was killed by SIGBUS'
  assert_line 'read(2) at page 2: ""'
  assert_line '2 of 2 lines survived the SIGBUS'
  assert_line 'dirty pages in the page cache now: 2 (tmpfs: memory is all there is)'
}

@test "demo kill_before_sync: on ramfs it names ramfs, not tmpfs" {
  can_unshare_mounts || skip "cannot make a mount namespace here (unshare -m and -rm both refused)"
  mkdir rfs
  run ns_run "${UNSHARE[@]}" bash -c \
    'mount -t ramfs ramfs rfs || exit 99
     wb_exec "$1" rfs/data' bash "$(demo_path kill_before_sync)"
  assert_success
  assert_line 'file: 3 pages of zeros, on ramfs (memory only)'
  assert_line '3 of 3 lines survived the SIGKILL'
  assert_line 'dirty pages in the page cache now: 3 (ramfs: memory is all there is)'
  assert_line 'dirty pages after fsync(2): 3'
  assert_line --partial 'ramfs has no disk behind it'
  refute_output --partial tmpfs
}

@test "demo dirty_pages: reads dirty nothing, K writes dirty K pages, MS_ASYNC changes nothing" {
  local try
  for ((try = 1; try <= TRIES; try++)); do
    run_demo dirty_pages 12 4
    assert_success
    [[ $(dirty_after 'after msync\(MS_ASYNC\)') -ge 4 ]] && break
  done
  assert_line --regexp '^after mmap +Rss +0 +dirty +0 '
  assert_line --regexp '^after reading all 12 pages +Rss +12 +dirty +0 '
  [[ $(dirty_after 'after writing 4 pages') -ge 4 ]] || fail "fewer than 4 dirty pages after 4 writes"
  [[ $(dirty_after 'after msync\(MS_ASYNC\)') -ge 4 ]] || fail "MS_ASYNC cleaned pages"
}

@test "demo dirty_pages: MS_SYNC writes the dirty pages back and the count falls to 0" {
  local try
  for ((try = 1; try <= TRIES; try++)); do
    run_demo dirty_pages 12 4
    assert_success
    [[ $(dirty_after 'after one more store, page 0') -ge 1 ]] && break
  done
  if on_tmpfs; then
    assert_line --regexp 'on tmpfs .*memory only, no writeback'
    skip "TMPDIR is on tmpfs: no writeback, so MS_SYNC leaves the pages dirty (the demo said so)"
  fi
  refute_line --partial 'no writeback'
  assert_equal "$(dirty_after 'after msync\(MS_SYNC\)')" 0
  # Writeback write-protected the pages: the next store faults and dirties one page.
  assert_equal "$(dirty_after 'after one more store, page 0')" 1
  assert_line --regexp '^  \(that store took [1-9][0-9]* page faults?\)$'
}

@test "demo dirty_pages: a bad count is one usage line, exit 2" {
  run_demo -2 --separate-stderr dirty_pages 4 5
  assert_one_error_line dirty_pages 'K'
  run_demo -2 --separate-stderr dirty_pages x
  assert_one_error_line dirty_pages 'NPAGES'
}

@test "demo sync_cost: five ways to commit, each timed" {
  run_demo sync_cost 20
  assert_success
  assert_line --regexp '^20 commits of 64 bytes each'
  assert_line --regexp '^  first store into each page +[0-9]+\.[0-9]{2} us per page$'
  local way
  for way in 'store only' 'store \+ msync\(MS_ASYNC\)' 'store \+ msync\(MS_SYNC\)' \
             'store \+ fdatasync\(2\)' 'store \+ sync_file_range\(2\)'; do
    assert_line --regexp "^  $way +[0-9]+\.[0-9]{2} us per commit$"
  done
  # on a disk filesystem the first store into each page is a write fault,
  # dearer than a store into a page already writable; under Valgrind the
  # store-only loop's time is mostly Valgrind translating it (CI: 445 us a
  # store, 42 a fault), so the comparison means something only natively
  if ! on_tmpfs && ! on_valgrind; then
    local first store
    first=$(sed -nE 's/^  first store into each page +([0-9]+)\.([0-9]{2}) us.*/\1\2/p' <<<"$output")
    store=$(sed -nE 's/^  store only +([0-9]+)\.([0-9]{2}) us.*/\1\2/p' <<<"$output")
    ((10#$first > 10#$store)) || fail "first store $first, store only $store (hundredths of us)"
  fi
  run ls -A "$BATS_TEST_TMPDIR"
  assert_output ''
}

@test "demo msync_errors, page_cache: an operand is a usage error, exit 2" {
  run_demo -2 --separate-stderr msync_errors extra
  assert_one_error_line msync_errors 'no arguments'
  run_demo -2 --separate-stderr page_cache extra
  assert_one_error_line page_cache 'no arguments'
}

# ---------------------------------------------------------------- ex1

# see: msync(2), chapter 06 "The call and its errors"
@test "ex1_flush_range: byte ranges round out to whole pages" {
  local range start len a b
  for range in "0 1" "$((PAGE - 1)) 2" "$PAGE $PAGE" "$((3 * PAGE + 5)) $PAGE" \
               "1 $((8 * PAGE - 1))" "$((7 * PAGE)) $PAGE" "$((5 * PAGE - 1)) 1"; do
    read -r start len <<<"$range"
    a=$((start / PAGE)) b=$(((start + len - 1) / PAGE))
    run_ex ex1_flush_range f 8 "$start" "$len"
    assert_success
    assert_line --index 0 "flushed pages $a..$b"
  done
}

# see: msync(2), chapter 06 "Seeing dirty pages in /proc/self/smaps"
@test "ex1_flush_range: the pages left dirty are NPAGES minus the pages flushed" {
  on_tmpfs && skip "TMPDIR is on tmpfs: nothing is written back, so no page is cleaned"
  # Valgrind pread(2)s every file the program maps (looking for debug info);
  # the readahead that starts puts large folios in the page cache, and msync
  # writes back whole folios, so pages outside the range get cleaned too.
  on_valgrind && skip "Valgrind's pread of the mapped file makes large folios: msync cleans whole folios"
  local range start len a b want try
  for range in "0 1" "$((PAGE - 1)) 2" "$PAGE $PAGE" "$((3 * PAGE + 5)) $((2 * PAGE))" \
               "0 $((8 * PAGE))"; do
    read -r start len <<<"$range"
    a=$((start / PAGE)) b=$(((start + len - 1) / PAGE))
    want="dirty pages after msync: $((8 - (b - a + 1)))"
    for ((try = 1; try <= TRIES; try++)); do
      run_ex ex1_flush_range f 8 "$start" "$len"
      assert_success
      [[ ${lines[1]} == "$want" ]] && break
    done
    assert_line --index 1 "$want"
  done
}

# see: msync(2), chapter 06 "Seeing dirty pages in /proc/self/smaps"
@test "ex1_flush_range: LEN 0 flushes nothing and every page stays dirty" {
  local try
  for ((try = 1; try <= TRIES; try++)); do
    run_ex ex1_flush_range f 6 $((2 * PAGE)) 0
    assert_success
    [[ $output == *": 6" ]] && break
  done
  assert_output "flushed no pages
dirty pages after msync: 6"
}

# see: ftruncate(2), chapter 05 "The end of the file"
@test "ex1_flush_range: the file grows to NPAGES pages, never shrinks, and page I says 'page I'" {
  run_ex ex1_flush_range f 8 0 1
  assert_success
  assert_equal "$(stat -c %s f)" $((8 * PAGE))
  assert_equal "$(tail -c +$((5 * PAGE + 1)) f | head -c 7 | od -An -c | tr -s ' ')" ' p a g e 5 \n'
  head -c $((10 * PAGE)) /dev/zero >big
  run_ex ex1_flush_range big 4 0 1
  assert_success
  assert_equal "$(stat -c %s big)" $((10 * PAGE))
  assert_equal "$(head -c 7 big)" 'page 0'
  assert_equal "$(tail -c +$((4 * PAGE + 1)) big | tr -d '\0' | wc -c)" 0
}

# see: msync(2) (ENOMEM), chapter 06 "The call and its errors"
@test "ex1_flush_range: a range past the mapping is one error line, exit 1" {
  run_ex -1 --separate-stderr ex1_flush_range f 4 $((3 * PAGE)) $((PAGE + 1))
  assert_one_error_line ex1_flush_range 'past the mapping'
}

@test "ex1_flush_range: a bad NPAGES is a usage error, exit 2" {
  run_ex -2 --separate-stderr ex1_flush_range f 0 0 1
  assert_one_error_line ex1_flush_range "NPAGES '0'"
  run_ex -2 --separate-stderr ex1_flush_range f many 0 1
  assert_one_error_line ex1_flush_range "NPAGES 'many'"
}

# ---------------------------------------------------------------- ex2

# expect_records N: the dump of N clean records, as the spec says.
expect_records() {
  echo "count $1"
  [[ $1 -gt 0 ]] && seq -f 'rec %.0f' 0 $(($1 - 1))
  return 0
}

# check_log FILE: dump FILE, require a clean log, print its count.
check_log() {
  wb_exec "$(ex_path ex2_applog)" "$1" dump >dump.out || fail "dump of $1 failed"
  local count
  count=$(sed -n '1s/^count \([0-9]*\)$/\1/p' dump.out)
  [[ -n $count ]] || fail "dump does not start with 'count N': $(head -1 dump.out)"
  expect_records "$count" | cmp -s - dump.out ||
    fail "dump of $1 is not records 0..$((count - 1)): $(expect_records "$count" | diff - dump.out | head -5)"
  echo "$count"
}

# see: chapter 06 "Order without msync: a log that survives SIGKILL"
@test "ex2_applog: appends continue from the count; dump shows exactly the records" {
  run_ex ex2_applog log append 3
  assert_success
  assert_output 'appended 3 records, count now 3'
  run_ex ex2_applog log append 4
  assert_output 'appended 4 records, count now 7'
  run_ex ex2_applog log dump
  assert_success
  assert_output "$(expect_records 7)"
}

# see: chapter 06 "Order without msync: a log that survives SIGKILL"
@test "ex2_applog: the file holds the magic, the state word and length-prefixed records" {
  run_ex ex2_applog log append 2
  assert_success
  assert_equal "$(stat -c %s log)" $((4 * PAGE))
  assert_equal "$(head -c 8 log)" 'AAPPLOG1'
  # state = count << 32 | used: on x86-64, used in bytes 8-11, count in 12-15
  assert_equal "$(od -An -t u4 -j 8 -N 8 log | tr -s ' ')" ' 18 2'
  assert_equal "$(od -An -t u4 -j 64 -N 4 log | tr -d ' ')" 5
  assert_equal "$(tail -c +69 log | head -c 5)" 'rec 0'
  assert_equal "$(tail -c +78 log | head -c 5)" 'rec 1'
}

# see: ftruncate(2), mremap(2), chapter 07 "Growing a file mapping"
@test "ex2_applog: a log that outgrows its 4 pages doubles and keeps every record" {
  run_ex ex2_applog log append 2000
  assert_success
  # 4 + strlen("rec i") bytes per record; the file doubles until 64 + used fits
  # (awk, not a shell loop: bats traces every shell command, which makes a
  # loop of 2000 additions take over a second)
  local used size=$((4 * PAGE))
  used=$(awk 'BEGIN { for (i = 0; i < 2000; i++) u += 4 + 4 + length(i ""); print u }')
  while ((64 + used > size)); do size=$((size * 2)); done
  assert_equal "$(stat -c %s log)" "$size"
  assert_equal "$(od -An -t u4 -j 8 -N 8 log | tr -s ' ')" " $used 2000"
  assert_equal "$(check_log log)" 2000
}

# see: chapter 06 "Dying is not crashing", chapter 06 "Order without msync: a log that survives SIGKILL"
@test "ex2_applog: --die-after K dies of SIGKILL leaving exactly the committed records" {
  run_ex ex2_applog log append 5
  assert_success
  run_ex -137 ex2_applog --die-after 3 log append 10
  assert_equal "$(check_log log)" 8
  # The torn ninth record was never published; the next append writes over it.
  run_ex ex2_applog log append 2
  assert_output 'appended 2 records, count now 10'
  run_ex ex2_applog log dump
  assert_output "$(expect_records 10)"
}

# see: chapter 06 "Order without msync: a log that survives SIGKILL"
@test "ex2_applog: SIGKILLed at random moments, the log always dumps cleanly" {
  local n=300000 scale=1 d count prev=0
  if on_valgrind; then n=100000 scale=40; fi
  run_ex ex2_applog log append 0
  assert_success
  for d in 0.004 0.01 0.02 0.035 0.05; do
    d=$(awk -v d="$d" -v s="$scale" 'BEGIN { print d * s }')
    # The same wrapped command, with a SIGKILL after d seconds in front of it.
    WB_WRAPPER="timeout -s KILL $d $WB_WRAPPER" wb_exec "$(ex_path ex2_applog)" log append $n >/dev/null || true
    count=$(check_log log)
    ((count >= prev && count <= prev + n)) || fail "count went from $prev to $count"
    prev=$count
  done
  run_ex ex2_applog log append 1
  assert_output "appended 1 records, count now $((prev + 1))"
}

@test "ex2_applog: an empty or zeroed file is an empty log; a corrupt or foreign one is refused" {
  : >empty
  run_ex ex2_applog empty dump
  assert_success
  assert_output 'count 0'
  head -c $((4 * PAGE)) /dev/zero >zeros
  run_ex ex2_applog zeros dump
  assert_output 'count 0'
  run_ex ex2_applog zeros append 1
  assert_output 'appended 1 records, count now 1'
  # magic, then used=1000 and count=3, but three records cannot fill 1000 bytes
  { printf 'AAPPLOG1\350\003\000\000\003\000\000\000'; head -c $((PAGE - 16)) /dev/zero; } >bad
  run_ex -1 --separate-stderr ex2_applog bad dump
  assert_one_error_line ex2_applog 'corrupt'
  { printf 'not a log at all'; head -c $((PAGE - 16)) /dev/zero; } >foreign
  run_ex -1 --separate-stderr ex2_applog foreign dump
  assert_one_error_line ex2_applog 'not an applog'
}

@test "ex2_applog: a bad mode or count is a usage error, exit 2" {
  run_ex -2 --separate-stderr ex2_applog log frobnicate
  assert_one_error_line ex2_applog '\(usage: '
  run_ex -2 --separate-stderr ex2_applog log append -3
  assert_one_error_line ex2_applog "N '-3'"
}
