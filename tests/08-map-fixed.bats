#!/usr/bin/env bats
# Tests for chapter 08-map-fixed: its demos ("demo ...") and its exercises ("exN_...").

load helper


# ---------------------------------------------------------------- reserve_layer

@test "demo reserve_layer: one VMA split into 3, then 5, with the right perms and offsets" {
  run_demo reserve_layer
  assert_success
  local file
  file="$(realpath "$BATS_TEST_TMPDIR")/reserve_layer.dat"
  # step 1: the reservation alone
  assert_line "$(vma res 0 8 ---p 0)"
  # step 2: file pages 0-1 at reservation page 1, read-only private
  local i
  i=$(index_of "2. mmap(base + 1 page, 2 pages, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, offset 0)")
  [[ $i -ge 0 ]] || fail "no step 2"
  assert_equal "${lines[$((i + 1))]}" "$(vma res 0 1 ---p 0)"
  assert_equal "${lines[$((i + 2))]}" "$(vma res 1 3 r--p 0 "$file")"
  assert_equal "${lines[$((i + 3))]}" "$(vma res 3 8 ---p 0)"
  assert_equal "${lines[$((i + 4))]}" "  VMAs in the reservation: 3"
  # step 3: file page 3 at reservation page 5, shared and writable
  i=$(index_of "3. mmap(base + 5 pages, 1 page, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, offset 3 pages)")
  [[ $i -ge 0 ]] || fail "no step 3"
  assert_equal "${lines[$((i + 1))]}" "$(vma res 0 1 ---p 0)"
  assert_equal "${lines[$((i + 2))]}" "$(vma res 1 3 r--p 0 "$file")"
  assert_equal "${lines[$((i + 3))]}" "$(vma res 3 5 ---p 0)"
  assert_equal "${lines[$((i + 4))]}" "$(vma res 5 6 rw-s $((3 * PAGE)) "$file")"
  assert_equal "${lines[$((i + 5))]}" "$(vma res 6 8 ---p 0)"
  assert_equal "${lines[$((i + 6))]}" "  VMAs in the reservation: 5"
  assert_line "  (MAP_FIXED returned exactly the address asked for: yes)"
}

@test "demo reserve_layer: the PROT_NONE gaps are SIGSEGV (SEGV_ACCERR), the pieces read the file" {
  run_demo reserve_layer
  assert_success
  local k
  for k in 0 3 4 6 7; do assert_line "  page $k: SIGSEGV (SEGV_ACCERR)"; done
  assert_line '  page 1: ok, "file page 0"'
  assert_line '  page 2: ok, "file page 1"'
  assert_line '  page 5: ok, "file page 3"'
  # the shared piece wrote through to the file (7 bytes over "file page 3")
  assert_line "wrote \"WRITTEN\" at reservation page 5; the file's page 3 now starts \"WRITTENge 3\""
  assert_line "4. one munmap() of the whole reservation: 0 VMAs left in it"
  assert_equal "$(ls -A)" ""
}

@test "demo reserve_layer: a 1 GiB reservation is one ---p VMA; the pieces split it the same way" {
  run_demo reserve_layer 262144
  assert_success
  assert_line "$(vma res 0 262144 ---p 0)"
  assert_line "$(vma res 6 262144 ---p 0)"
  assert_line "  VMAs in the reservation: 5"
}

@test "demo reserve_layer: too small a reservation is a usage error; an existing file is left alone" {
  run_demo -2 --separate-stderr reserve_layer 7
  assert_one_error_line reserve_layer "pages '7'"
  echo precious >reserve_layer.dat
  run_demo -1 --separate-stderr reserve_layer
  assert_one_error_line reserve_layer "reserve_layer.dat.*File exists"
  assert_equal "$(cat reserve_layer.dat)" "precious"
}

# ---------------------------------------------------------------- fixed_clobber

@test "demo fixed_clobber: MAP_FIXED succeeds over live data, which is lost, and maps looks unchanged" {
  local first count k
  for args in "1 2" "3 1" "0 4"; do
    read -r first count <<<"$args"
    run_demo fixed_clobber $args
    assert_success
    assert_line "mmap(data + $first page(s), $count page(s), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED): ok, returned data + $first page(s)"
    # before and after: one rw-p VMA of 4 pages, the same line
    assert_equal "$(grep -cxF -- "$(vma data 0 4 rw-p 0)" <<<"$output")" 2
    assert_line "  VMAs: 1, the same line as before: maps shows no trace of it"
    local letters=(A B C D)
    for k in 0 1 2 3; do
      if ((k >= first && k < first + count)); then
        assert_line "  page $k: zeros, 0 of $PAGE bytes as written"
      else
        assert_line "  page $k: '${letters[$k]}', $PAGE of $PAGE bytes as written"
      fi
    done
    assert_line "lost $((count * PAGE)) bytes ($count page(s)); mmap() reported no error"
  done
}

@test "demo fixed_clobber: pages outside the 4 are a usage error" {
  run_demo -2 --separate-stderr fixed_clobber 2 3
  assert_one_error_line fixed_clobber "count '3'"
  run_demo -2 --separate-stderr fixed_clobber 1
  assert_one_error_line fixed_clobber "FIRST and COUNT"
}

# ---------------------------------------------------------------- noreplace

@test "demo noreplace: EEXIST over any overlap (or, under Valgrind, the hint detected), exact placement in a hole" {
  run_demo noreplace
  assert_success
  local eexist="  EEXIST: the range is in use, nothing was replaced"
  local hint="  mapped at another address: the flag was taken as a hint (Valgrind does not know MAP_FIXED_NOREPLACE); unmapped it, treated as EEXIST"
  local step i next
  for step in "1. occupied: MAP_FIXED_NOREPLACE at area + 1 page(s), 1 page(s)" \
              "2. half occupied: MAP_FIXED_NOREPLACE at area + 1 page(s), 2 page(s)"; do
    i=$(index_of "$step")
    [[ $i -ge 0 ]] || fail "no line '$step'"
    next=${lines[$((i + 1))]}
    if [[ $next != "$eexist" ]]; then
      # Valgrind 3.19 places mappings itself and ignores the flag: only
      # there may the demo's own check (address differs) stand in for EEXIST.
      on_valgrind && [[ $next == "$hint" ]] || fail "after '$step': '$next'"
    fi
  done
  i=$(index_of "3. free: MAP_FIXED_NOREPLACE at area + 2 page(s), 2 page(s)")
  [[ $i -ge 0 ]] || fail "no step 3"
  assert_equal "${lines[$((i + 1))]}" "  ok, at the address asked for"
  assert_equal "${lines[$((i + 2))]}" "$(vma area 0 2 rw-p 0)"
  assert_equal "${lines[$((i + 3))]}" "$(vma area 2 4 r--p 0)"
  assert_line 'page 1 still holds "KEEP"'
  assert_line "4. no flag, area + 1 page as a hint: ok, placed somewhere else; nothing was replaced"
}

@test "demo noreplace: takes no arguments" {
  run_demo -2 --separate-stderr noreplace 1
  assert_one_error_line noreplace "no arguments"
}

# ---------------------------------------------------------------- ring_buffer

@test "demo ring_buffer: two rw-s views of one memfd, a message written across the end reads back whole" {
  local msg="0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ" np size len start before
  for np in 1 3; do
    size=$((np * PAGE)) len=${#msg}
    before=$((len / 2)) start=$((size - len / 2))
    run_demo ring_buffer "$np" "$msg"
    assert_success
    assert_line "a $size-byte ring: one memfd, mapped twice back to back"
    assert_equal "${lines[1]}" "$(vma ring 0 "$np" rw-s 0 '/memfd:ring (deleted)')"
    assert_equal "${lines[2]}" "$(vma ring "$np" $((2 * np)) rw-s 0 '/memfd:ring (deleted)')"
    assert_line "  VMAs: 2; /proc/self/maps gives file offset 0 for view 0, 0 for view 1: the same bytes"
    assert_line "memcpy() of $len bytes at ring offset $start: $before before the end, $((len - before)) past it"
    # the tail is at the start of the ring, in memory and in the memfd itself
    assert_line "the ring's first $((len - before)) bytes:"
    assert_line "  through the first view: \"${msg:before}\""
    assert_line "  pread() on the memfd:   \"${msg:before}\""
    assert_line "read $len bytes at offset $start, contiguous: \"$msg\""
    assert_line "one byte, two addresses: base[0] = '${msg:before:1}', base[$size] = '${msg:before:1}'"
  done
}

@test "demo ring_buffer: a message longer than the ring is a usage error" {
  local long
  long=$(head -c $((PAGE + 1)) /dev/zero | tr '\0' x)
  run_demo -2 --separate-stderr ring_buffer 1 "$long"
  assert_one_error_line ring_buffer "2 to $PAGE bytes"
}

# ---------------------------------------------------------------- vma_split

@test "demo vma_split: mprotect splits a VMA in three, undoing it merges them, MAP_FIXED fills a hole" {
  local k mid
  for k in 2 0 4; do
    run_demo vma_split "$k"
    assert_success
    mid=$((k > 0 && k < 4))
    assert_line "5 pages, private anonymous, rw: 1 VMA"
    assert_line "mprotect(page, PROT_READ): $((mid ? 3 : 2)) VMAs"
    ((k > 0)) && assert_line "$(vma vma 0 "$k" rw-p 0)"
    assert_line "$(vma vma "$k" $((k + 1)) r--p 0)"
    ((k < 4)) && assert_line "$(vma vma $((k + 1)) 5 rw-p 0)"
    assert_line "mprotect(page, PROT_READ|PROT_WRITE) again: 1 VMA"
    if ((mid)); then
      assert_line "munmap(page): 2 VMAs"
    else
      assert_line "munmap(page): 1 VMA"
    fi
    assert_line "mmap(page, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED): 1 VMA"
    assert_equal "$(grep -cxF -- "$(vma vma 0 5 rw-p 0)" <<<"$output")" 3
    assert_line "the new page holds $PAGE zero bytes of $PAGE: its 'x' bytes are gone"
  done
}

# ---------------------------------------------------------------- ex1_concat

# The expected view of FILE...: each file, then zeros to its page boundary.
padded_view() {
  local f size
  for f in "$@"; do
    size=$(stat -c %s "$f")
    cat "$f"
    head -c $(((PAGE - size % PAGE) % PAGE)) /dev/zero
  done
}

# see: mmap(2) (MAP_FIXED), chapter 08 "Layering file pieces over the reservation"
@test "ex1_concat: files of whole pages come out exactly like cat" {
  head -c $((1 * PAGE)) /dev/urandom >a
  head -c $((3 * PAGE)) /dev/urandom >b
  head -c $((2 * PAGE)) /dev/urandom >c
  wb_exec "$(ex_path ex1_concat)" a b c a >got
  cat a b c a >want
  cmp got want
}

# see: mmap(2) (MAP_FIXED), chapter 08 "Layering file pieces over the reservation"
@test "ex1_concat: other sizes: each file starts on a page boundary, zeros between" {
  head -c 100 /dev/urandom >a
  head -c $((PAGE + 1)) /dev/urandom >b
  : >empty
  head -c $((2 * PAGE)) /dev/urandom >c
  printf 'x' >d
  wb_exec "$(ex_path ex1_concat)" a b empty c d >got
  padded_view a b empty c d >want
  assert_equal "$(stat -c %s got)" "$(((1 + 2 + 2 + 1) * PAGE))"
  cmp got want
}

# see: proc(5) (/proc/PID/maps), chapter 08 "VMAs split, and merge back"
@test "ex1_concat: -m shows one r-- VMA per non-empty file, in order, offset 0, and no leftover" {
  head -c 100 /dev/urandom >a
  head -c $((PAGE + 1)) /dev/urandom >b
  : >empty
  head -c $((3 * PAGE)) /dev/urandom >c
  run_ex ex1_concat -m a empty b c a
  assert_success
  local dir at=0 n=0 f np
  dir=$(realpath .)
  for f in a b c a; do
    np=$((($(stat -c %s "$f") + PAGE - 1) / PAGE))
    assert_equal "$(sed -E 's/ r--[ps] / r--? /' <<<"${lines[$n]}")" \
      "$(vma view "$at" $((at + np)) 'r--?' 0 "$dir/$f")"
    at=$((at + np)) n=$((n + 1))
  done
  # four files with pages, so four VMAs; the reservation is exactly used up
  assert_equal "${lines[$n]}" "$at pages, 4 VMAs"
  assert_equal "${#lines[@]}" $((n + 1))
}

# see: chapter 08 "Reserving address space"
@test "ex1_concat: only empty files: no output, and -m says 0 pages, 0 VMAs" {
  : >e1
  : >e2
  wb_exec "$(ex_path ex1_concat)" e1 e2 >got
  [[ -f got && ! -s got ]]
  run_ex ex1_concat -m e1 e2
  assert_success
  assert_output "0 pages, 0 VMAs"
}

@test "ex1_concat: a missing file or a directory is one error line, exit 1, and no output" {
  printf 'data\n' >a
  run_ex -1 --separate-stderr ex1_concat a nosuch
  assert_one_error_line ex1_concat "open 'nosuch': No such file or directory"
  assert_output ""
  mkdir dir
  run_ex -1 --separate-stderr ex1_concat a dir
  assert_one_error_line ex1_concat "'dir' is not a regular file"
  assert_output ""
}

# ---------------------------------------------------------------- ex2_ring

# see: memfd_create(2), chapter 08 "The double-mapped ring buffer"
@test "ex2_ring: a stream far longer than the ring comes back intact; wraps = TOTAL / SIZE" {
  local size total chunk
  # ring sizes are page multiples on any page size
  # (the 16-page ring's chunks reach deep into the second view, ending mid-page)
  for args in "$PAGE 1000000 1000" "$((4 * PAGE)) 3000000 4095" "$((2 * PAGE)) $((20 * PAGE)) $((2 * PAGE))" "$PAGE 100 1" \
              "$((16 * PAGE)) $((100 * PAGE + 123)) $((16 * PAGE - 5))"; do
    read -r size total chunk <<<"$args"
    run_ex ex2_ring "$size" "$total" "$chunk"
    assert_success
    assert_output "moved $total bytes through a $size-byte ring, $((total / size)) wraps"
  done
}

# see: chapter 08 "The double-mapped ring buffer"
@test "ex2_ring: sizes with suffixes; TOTAL 0 moves nothing" {
  run_ex ex2_ring 64K 5M 777
  assert_success
  assert_output "moved $((5 * 1024 * 1024)) bytes through a $((64 * 1024))-byte ring, $((5 * 1024 / 64)) wraps"
  run_ex ex2_ring "$((PAGE / 1024))K" 0 10
  assert_success
  assert_output "moved 0 bytes through a $PAGE-byte ring, 0 wraps"
}

# see: memfd_create(2), chapter 08 "The double-mapped ring buffer"
@test "ex2_ring: -m shows the double mapping: two rw-s VMAs of one memfd, both at offset 0" {
  local np=2 size=$((2 * PAGE))
  run_ex ex2_ring -m "$((size / 1024))K" 100000 3000
  assert_success
  assert_equal "${lines[0]}" "moved 100000 bytes through a $size-byte ring, $((100000 / size)) wraps"
  assert_equal "${#lines[@]}" 3
  # the kernel's path for a memfd: "/memfd:NAME (deleted)"
  assert_equal "${lines[1]%% /memfd:*}" "$(vma ring 0 "$np" rw-s 0)"
  assert_equal "${lines[2]%% /memfd:*}" "$(vma ring "$np" $((2 * np)) rw-s 0)"
  [[ ${lines[1]} == *" /memfd:"*" (deleted)" && ${lines[2]} == *" /memfd:"*" (deleted)" ]] ||
    fail "not a memfd: '${lines[1]}' / '${lines[2]}'"
  # one memory file, not two: the same name on both lines
  assert_equal "${lines[1]##* /memfd:}" "${lines[2]##* /memfd:}"
}

@test "ex2_ring: a ring size that is not a whole number of pages, or over 1G, is a usage error, exit 2" {
  run_ex -2 --separate-stderr ex2_ring $((PAGE + 904)) 100 10
  assert_one_error_line ex2_ring "ring size $((PAGE + 904)) is not a multiple of the page size \\($PAGE\\)"
  run_ex -2 --separate-stderr ex2_ring 0 100 10
  assert_one_error_line ex2_ring "ring size 0 is not a multiple of the page size \\($PAGE\\)"
  run_ex -2 --separate-stderr ex2_ring 100 100 10
  assert_one_error_line ex2_ring "ring size 100 is not a multiple of the page size \\($PAGE\\)"
  run_ex -2 --separate-stderr ex2_ring $((1024 * 1024 * 1024 + 16 * 65536)) 100 10
  assert_one_error_line ex2_ring "ring size $((1024 * 1024 * 1024 + 16 * 65536)) is more than 1G"
}

@test "ex2_ring: a chunk of 0 or larger than the ring is a usage error, exit 2" {
  run_ex -2 --separate-stderr ex2_ring "$PAGE" 100 0
  assert_one_error_line ex2_ring "chunk 0 must be from 1 to the ring size"
  run_ex -2 --separate-stderr ex2_ring "$PAGE" 100 $((PAGE + 1))
  assert_one_error_line ex2_ring "chunk $((PAGE + 1)) must be from 1 to the ring size"
  run_ex -2 --separate-stderr ex2_ring "$PAGE" lots 10
  assert_one_error_line ex2_ring "total 'lots'"
}
