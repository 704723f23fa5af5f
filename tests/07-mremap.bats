#!/usr/bin/env bats
# Tests for chapter 07-mremap: its demos ("demo ...") and its exercises ("exN_...").

load helper

# --- demos -----------------------------------------------------------------

@test "demo grow_inplace_or_move: grows in place into a free hole, ENOMEM when blocked, moves with MAYMOVE" {
  run_demo grow_inplace_or_move 2
  assert_success
  # The layout the demo built: 2 pages, a 2-page hole, the blocker page.
  assert_line "  before: +0x0..+$(printf '0x%x' $((2 * PAGE))) rw-p 00000000 2 pages"
  assert_line "  before: +$(printf '0x%x' $((4 * PAGE)))..+$(printf '0x%x' $((5 * PAGE))) ---p 00000000 1 page"
  # Step 1: in place, the VMA now runs up to the blocker.
  assert_line "  result: grew in place (same start address)"
  assert_line "  maps: +0x0..+$(printf '0x%x' $((4 * PAGE))) rw-p 00000000 4 pages"
  # Step 2: no MAYMOVE and no room.
  assert_line "  result: failed with ENOMEM; without MREMAP_MAYMOVE the region stays put"
  # Step 3: moved, and the old range is gone.
  assert_line "  result: moved (the start address changed)"
  assert_line "  old range: no longer mapped"
  assert_line "  the 4 pages added by steps 1 and 3: $((4 * PAGE)) of $((4 * PAGE)) bytes are zero"
  # Step 4: a shrink stays in place and unmaps the tail.
  assert_line "  result: shrank in place (same start address)"
  assert_line "  the cut-off pages: no longer mapped"
}

@test "demo grow_inplace_or_move: the contents survive every grow, move and shrink" {
  run_demo grow_inplace_or_move 5
  assert_success
  local want=$((5 * PAGE))
  # Steps 1, 2 and 3 each check the first 5 pages; step 4 the one page left.
  assert_equal "$(grep -c 'contents: ' <<<"$output")" 4
  assert_equal "$(grep -cx "  contents: $want of $want bytes intact" <<<"$output")" 3
  assert_line "  contents: $PAGE of $PAGE bytes intact"
}

@test "demo grow_inplace_or_move: a bad PAGES is one usage line, exit 2" {
  for bad in 0 abc 99999999; do
    run_demo -2 --separate-stderr grow_inplace_or_move "$bad"
    assert_one_error_line grow_inplace_or_move "pages"
  done
}

@test "demo stale_pointer: a saved pointer faults with SIGSEGV after the move; the offset still works" {
  run_demo stale_pointer
  assert_success
  assert_line "  before the move, saved pointer: reads 'beta'"
  assert_line "  result: moved (the start address changed)"
  assert_line "  old range: no longer mapped"
  assert_line "  saved pointer to node 2: SIGSEGV (SEGV_MAPERR)"
  assert_line "  node 1's next_ptr, stored in the region: SIGSEGV (SEGV_MAPERR)"
  assert_line "  new base + saved offset: reads 'beta'"
  # The walk by offsets finds the same list before and after the move.
  [[ $(grep -cx "  walk by offsets: alpha@0 beta@64 gamma@128" <<<"$output") -eq 2 ]] ||
    fail "the list walked by offsets differs after the move"
}

@test "demo mremap_fixed: the region lands at the chosen page of the reservation; misuse is EINVAL" {
  run_demo mremap_fixed
  assert_success
  local p2 p5 p8
  p2=$(printf '0x%x' $((2 * PAGE))) p5=$(printf '0x%x' $((5 * PAGE))) p8=$(printf '0x%x' $((8 * PAGE)))
  assert_line "  result: at the chosen address"
  assert_line "  old range: no longer mapped"
  # The reservation is cut in three: PROT_NONE, our 3 pages, PROT_NONE.
  assert_line "  reservation: +0x0..+$p2 ---p 00000000 2 pages"
  assert_line "  reservation: +$p2..+$p5 rw-p 00000000 3 pages"
  assert_line "  reservation: +$p5..+$p8 ---p 00000000 3 pages"
  assert_line "  contents: $((2 * PAGE)) bytes 'R' (of $((2 * PAGE)) moved), $PAGE zero bytes (the page added)"
  assert_line "  MREMAP_FIXED without MREMAP_MAYMOVE: EINVAL"
  assert_line "  target overlapping the source: EINVAL"
  assert_line "  target not page-aligned: EINVAL"
  assert_line "  after the refusals: $((2 * PAGE)) bytes 'R' still at reservation + 2 pages"
}

# kernel_at_least MAJOR MINOR: the running kernel is that version or later.
kernel_at_least() {
  local maj min
  IFS=. read -r maj min _ < <(uname -r)
  ((maj > $1 || (maj == $1 && ${min%%[^0-9]*} >= $2)))
}

@test "demo dontunmap: the old range stays mapped and faults in afresh from what backs it" {
  run_demo dontunmap
  assert_success
  local len=$((2 * PAGE))
  if on_valgrind; then
    # Valgrind 3.19's mremap wrapper rejects every flag but MAYMOVE and FIXED.
    assert_line "  refused: EINVAL (this Valgrind does not support MREMAP_DONTUNMAP; run natively to see it)"
    # Every call with the flag is refused, so the two EINVALs would show nothing.
    assert_line "the rules: not shown (the private anonymous call above, which keeps them, was refused too)"
    refute_line --partial "new size != old size"
    skip "Valgrind 3.19 rejects MREMAP_DONTUNMAP with EINVAL (the demo says so)"
  fi
  kernel_at_least 5 7 || skip "kernel $(uname -r) predates MREMAP_DONTUNMAP (Linux 5.7)"
  # Private anonymous (5.7 on): moved data intact, old range mapped, reads zeros.
  [[ $(grep -c "^  new range: $len of $len bytes 'A'$" <<<"$output") -ge 1 ]] || fail "moved data not intact"
  assert_line --regexp "^  old range reads: $len zero, 0 'A', 0 'F' bytes \(minor faults: [1-9][0-9]*\)$"
  kernel_at_least 5 13 || skip "kernel $(uname -r) accepts only private anonymous mappings (before 5.13)"
  # Every type accepted; the old range refaults from its backing object.
  [[ $(grep -c "^  accepted: moved to a new address$" <<<"$output") -eq 4 ]] || fail "not all four types accepted"
  [[ $(grep -c "^  new range: $len of $len bytes 'A'$" <<<"$output") -eq 4 ]] || fail "moved data not intact"
  [[ $(grep -c "^  old range: still mapped, rw-[ps]$" <<<"$output") -eq 4 ]] || fail "an old range was unmapped"
  # shared anonymous and shared file: the shared object's bytes, 'A'.
  [[ $(grep -cE "^  old range reads: 0 zero, $len 'A', 0 'F' bytes \(minor faults: [1-9][0-9]*\)$" <<<"$output") -eq 2 ]] ||
    fail "shared old ranges do not read back the shared bytes"
  # private file: the file's own bytes, 'F'.
  assert_line --regexp "^  old range reads: 0 zero, 0 'A', $len 'F' bytes \(minor faults: [1-9][0-9]*\)$"
  assert_line "  new size != old size: EINVAL"
  assert_line "  without MREMAP_MAYMOVE: EINVAL"
}

@test "demo grow_file: SIGBUS past EOF until ftruncate grows the file, then reads and writes work" {
  run_demo grow_file
  assert_success
  # Before any ftruncate: pages 1 and 2 are past EOF.
  assert_equal "$(sed -n '/^mremap/,/^ftruncate/p' <<<"$output" | grep -c 'SIGBUS (BUS_ADRERR)')" 2
  # After the file grows to 1 page + 100 bytes, page 1 works and page 2 does not.
  local mid
  mid=$(sed -n "/^ftruncate the file to $((PAGE + 100)) bytes/,/^ftruncate the file to $((3 * PAGE))/p" <<<"$output")
  grep -qx '  read page 1: ok, byte 0x00' <<<"$mid" || fail "page 1 not readable once EOF is inside it"
  grep -qx '  read page 2: SIGBUS (BUS_ADRERR)' <<<"$mid" || fail "page 2 readable before the file covers it"
  # After the file grows to 3 pages: no more SIGBUS.
  local after
  after=$(sed -n "/^ftruncate the file to $((3 * PAGE)) bytes/,\$p" <<<"$output")
  grep -qx '  read page 2: ok, byte 0x00' <<<"$after" || fail "page 2 not readable after ftruncate"
  ! grep -q SIGBUS <<<"$after" || fail "SIGBUS after the file was grown"
  assert_line "wrote 'Z' at offset $((2 * PAGE + 7)) through the mapping; pread of the file there: 'Z'"
  assert_line "page 0: $PAGE of $PAGE bytes still 'a'"
  # Nothing left behind in TMPDIR.
  assert_equal "$(ls -A "$BATS_TEST_TMPDIR" | grep -c grow_file || true)" 0
}

@test "demo remap_vs_copy: mremap takes (next to) no faults, the copy one per page; contents intact" {
  run_demo remap_vs_copy 4M
  assert_success
  local pages=$((4 * 1024 * 1024 / PAGE)) f
  assert_line "region: $pages pages (4096 KiB), every page written"
  assert_line "  result: moved"
  [[ $(grep -cx "  contents: $pages of $pages pages intact" <<<"$output") -ge 2 ]] ||
    fail "the moved or copied region lost pages"
  f=$(sed -n 's/^  minor faults during the copy: //p' <<<"$output")
  ((f >= pages)) || fail "copy took $f minor faults for $pages pages (expected at least one each)"
  f=$(sed -n 's/^  minor faults during mremap: //p' <<<"$output")
  if on_valgrind; then
    # Memcheck moves its shadow memory too and faults on that, but not per page.
    ((f < pages)) || fail "mremap took $f minor faults under Valgrind for $pages pages"
  elif on_sanitizer; then
    ((f <= pages / 64)) || fail "mremap took $f minor faults for $pages pages (expected ~0)"
    # Reading checks ASan's shadow memory (1 byte per 8) for the new
    # addresses: its pages fault in, one per 8 of ours; ours take none.
    f=$(sed -n 's/^  minor faults reading all [0-9]* pages at the new address: //p' <<<"$output")
    ((f <= pages / 8 + pages / 64)) || fail "reading the moved pages took $f faults (expected ~$((pages / 8)), ASan's shadow)"
    assert_line "  (built with AddressSanitizer: those are its shadow memory's, one per 8 pages read, not ours)"
    # ASan's realloc copies: the demo skips that step.
    assert_line "  skipped: built with AddressSanitizer, malloc is ASan's own, and its realloc copies"
  else
    ((f <= pages / 64)) || fail "mremap took $f minor faults for $pages pages (expected ~0)"
    f=$(sed -n 's/^  minor faults reading all [0-9]* pages at the new address: //p' <<<"$output")
    ((f <= pages / 64)) || fail "reading the moved pages took $f faults (expected ~0)"
    # 4 MiB is above glibc's mmap threshold (128 KiB, at most 32 MiB when
    # it adapts): the block is a mapping of its own, and realloc mremaps it.
    assert_line "  before: the block is in an anonymous mapping, not the brk heap"
    f=$(sed -n 's/^  minor faults during realloc: \([0-9]*\).*/\1/p' <<<"$output")
    ((f <= pages / 64)) || fail "realloc took $f faults (expected ~0: glibc uses mremap)"
    assert_line --regexp '^  => it (moved to a new address|grew in place) with no copy faults'
  fi
}

@test "demo remap_vs_copy: a block in the brk heap is not said to be mremapped" {
  on_instrumented && skip "part 3 runs only with glibc's own malloc"
  # glibc's tunable raises the mmap threshold above the block: brk serves it
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432 run_demo remap_vs_copy 2M
  assert_success
  local pages=$((2 * 1024 * 1024 / PAGE)) f
  assert_line "  before: the block is in [heap], the brk area"
  f=$(sed -n 's/^  minor faults during realloc: \([0-9]*\).*/\1/p' <<<"$output")
  if ((f >= pages)); then
    assert_line "  => a fault per page or more: realloc copied the block"
  else
    assert_line --regexp '^  => (it grew in place in the brk heap|fewer faults than pages)'
  fi
  refute_line --partial "grew its mapping with mremap"
  assert_line "  contents: $pages of $pages pages intact"
}

@test "demo remap_vs_copy: a SIZE below 1M is one usage line, exit 2" {
  run_demo -2 --separate-stderr remap_vs_copy 4K
  assert_one_error_line remap_vs_copy "size must be between 1M and 4G"
}

# --- ex1_vector ------------------------------------------------------------

# expect_vector N: the four lines for N items, computed here from the spec.
expect_vector() {
  local n=$1 cap=$PAGE r=0
  while ((cap < n * 8)); do cap=$((cap * 2)) r=$((r + 1)); done
  run_ex ex1_vector "$n"
  assert_success
  assert_line -n 0 "items: $n"
  assert_line -n 1 "capacity: $cap bytes"
  assert_line -n 2 "remaps: $r"
  assert_line --regexp '^moves: [0-9]+$'
  local m=${lines[3]#moves: }
  ((m <= r)) || fail "moves: $m, but only $r remaps"
  assert_equal "${#lines[@]}" 4
}

# see: mremap(2), chapter 07 "Growing: in place, or moved"
@test "ex1_vector: 0 and 1 items fit the first page, no remap" {
  expect_vector 0
  expect_vector 1
}

# see: mremap(2), chapter 07 "Growing: in place, or moved"
@test "ex1_vector: 512 and 513 items: a page holds 512, the 513th doubles it" {
  expect_vector $((PAGE / 8))
  expect_vector $((PAGE / 8 + 1))
}

# see: mremap(2), chapter 07 "Growing: in place, or moved"
@test "ex1_vector: many pages, the last one full or filled in part: capacity and remaps by doubling" {
  # Every item is written and read back by the program itself: a vector that
  # maps less than its capacity writes past its mapping and dies.
  expect_vector $((37 * PAGE / 8 + 100))
  expect_vector $((64 * PAGE / 8))
  expect_vector $((64 * PAGE / 8 + 1))
  expect_vector $((100 * PAGE / 8 + 3))
}

# see: mremap(2), chapter 07 "Growing: in place, or moved"
@test "ex1_vector: 1000000 items: capacity and remaps by doubling" {
  expect_vector 1000000
  # New mappings are packed against the ones above them, so doubling 11
  # times in place is not possible: at least one remap moved the vector.
  ((${lines[3]#moves: } >= 1)) || fail "11 remaps and not one move counted"
}

@test "ex1_vector: a bad N is a usage error, exit 2" {
  run_ex -2 --separate-stderr ex1_vector abc
  assert_one_error_line ex1_vector "N 'abc': not a number"
  run_ex -2 --separate-stderr ex1_vector 100000001
  assert_one_error_line ex1_vector "N '100000001': must be between 0 and 100000000"
}

# --- ex2_follow ------------------------------------------------------------

# A text in which every 8-byte group differs, so a byte out of place shows.
numbered() { # BYTES
  seq -f '%07g,' 0 $(($1 / 8 + 1)) | tr -d '\n' | head -c "$1"
}

# see: mremap(2), chapter 07 "Growing a file mapping"
@test "ex2_follow: follows a file growing in chunks across page boundaries" {
  : >data
  # Chunks within a page, across one boundary and across many; it ends
  # in the middle of a page, after some 27 pages.
  local src sizes=(100 3000 1000 5000 1 $((PAGE - 1)) 2 $((3 * PAGE + 17)) 700 4096 9000
                   $((7 * PAGE + 333)) 1 $((11 * PAGE)) 555) total=0 s
  for s in "${sizes[@]}"; do total=$((total + s)); done
  src=$(numbered "$total")
  wb_exec "$(ex_path ex2_follow)" data "$total" >out 2>err &
  local pid=$! off=0
  for s in "${sizes[@]}"; do
    printf '%s' "${src:off:s}" >>data
    off=$((off + s))
    sleep 0.05
  done
  local status=0
  wait "$pid" || status=$?
  assert_equal "$status" 0
  assert_equal "$(stat -c %s data)" "$total"
  cmp out data || fail "the output differs from the file"
  [[ ! -s err ]] || fail "stderr: $(cat err)"
}

# see: mremap(2), chapter 07 "Growing a file mapping"
@test "ex2_follow: prints exactly MAXBYTES bytes of a longer file and stops" {
  numbered $((40 * PAGE + 123)) >data
  local max
  for max in 5000 $((23 * PAGE + 77)) $((40 * PAGE)) $((40 * PAGE + 123)); do
    wb_exec "$(ex_path ex2_follow)" data "$max" >out || fail "exit status $? for MAXBYTES $max"
    head -c "$max" data >want
    cmp out want || fail "MAXBYTES $max: the output is not the file's first $max bytes"
  done
  # MAXBYTES 0 prints nothing and succeeds, even on an empty file.
  : >empty
  run_ex --separate-stderr ex2_follow empty 0
  assert_success
  assert_output ''
}

@test "ex2_follow: no growth for IDLE seconds is one error line, exit 1, after the bytes there are" {
  numbered 100 >data
  run_ex -1 --separate-stderr ex2_follow data 200 1
  assert_one_error_line ex2_follow "no growth for 1 s \(printed 100 of 200 bytes\)"
  assert_equal "$output" "$(cat data)"
}

@test "ex2_follow: a missing file is one error line, exit 1" {
  run_ex -1 --separate-stderr ex2_follow nosuch 10
  assert_one_error_line ex2_follow "nosuch.*No such file or directory"
}
