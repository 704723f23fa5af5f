#!/usr/bin/env bats
# Tests for chapter 09-remap-file-pages: its demos ("demo ...") and its exercises ("exN_...").

load helper

# make_pages PATH N [TAIL]: N pages, page k filled with "TAG k|" (TAG "pg"
# unless $TAG is set), then TAIL bytes of "t" (a partial last page).
make_pages() {
  local path=$1 n=$2 tail=${3:-0} k
  : >"$path"
  for ((k = 0; k < n; k++)); do
    yes "${TAG:-pg} $k|" | tr -d '\n' | head -c "$PAGE" >>"$path"
  done
  if ((tail > 0)); then head -c "$tail" /dev/zero | tr '\0' t >>"$path"; fi
}

# The first 16 bytes of file page K, as the demos print them.
page_head() { dd if="$1" bs="$PAGE" skip="$2" count=1 status=none | head -c 16; }

hexpage() { printf '+0x%x' $(($1 * PAGE)); }
offcol() { printf '%08x' $(($1 * PAGE)); }

# check_view OUT FILE P0 P1 ...: OUT is n pages, page i equal to page Pi of
# FILE (a partial page padded with zeros, as a mapping shows it).
check_view() {
  local out=$1 file=$2 i=0 p size
  shift 2
  size=$(stat -c %s "$out")
  [[ $size -eq $(($# * PAGE)) ]] || fail "the output is $size bytes, expected $# pages ($(($# * PAGE)) bytes)"
  for p in "$@"; do
    cmp -s <(dd if="$out" bs="$PAGE" skip="$i" count=1 status=none) \
           <(dd if="$file" bs="$PAGE" skip="$p" count=1 conv=sync status=none) ||
      fail "region page $i is not file page $p"
    i=$((i + 1))
  done
}

# check_route PROG ERRFILE ROUTE: the program's one stderr line names ROUTE
# ("remap_file_pages" or "MAP_FIXED (-F)"). Under Valgrind remap_file_pages
# is ENOSYS, so the fallback line is the right answer there; Valgrind's own
# warnings about the unknown system call may surround it.
check_route() {
  local prog=$1 err=$2 route=$3 want
  want="$prog: built with $route"
  if [[ $route == remap_file_pages ]] && on_valgrind; then
    want="$prog: built with MAP_FIXED: remap_file_pages is ENOSYS here"
  fi
  if on_valgrind; then
    [[ $(grep -c "^$prog: " "$err") -eq 1 ]] && grep -qxF "$want" "$err" ||
      fail "stderr should have the one line '$want'; it has: $(cat "$err")"
  else
    [[ $(cat "$err") == "$want" ]] || fail "stderr should be '$want'; it is: $(cat "$err")"
  fi
}

# ---------------------------------------------------------------- rfp_swap

@test "demo rfp_swap: file pages 2 and 0 trade places in the region, 1 VMA becomes 3" {
  TAG="swap test page" make_pages data 3 100
  local before path k
  before=$(sha256sum <data)
  path=$(realpath data)
  run_demo rfp_swap data
  assert_success
  assert_line "data: $((3 * PAGE + 100)) bytes; mapping its first 3 pages"
  assert_line "mmap(NULL, 3*ps, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0): 1 VMA"
  assert_line "  before +0x0..$(hexpage 3) rw-s 00000000 3 pages $path"
  # before: page k shows file page k; after: 2 1 0
  local want=(2 1 0)
  for k in 0 1 2; do
    assert_line "  region page $k: \"$(page_head data $k)\""
  done
  local after
  after=$(sed -n '/^  after /,$p' <<<"$output")
  for k in 0 1 2; do
    grep -qxF "  region page $k: \"$(page_head data "${want[$k]}")\"" <<<"$after" ||
      fail "after the swap, region page $k should show file page ${want[$k]}"
    assert_line "  after  $(hexpage $k)..$(hexpage $((k + 1))) rw-s $(offcol "${want[$k]}") 1 page $path"
  done
  assert_line "3 VMAs now cover the 3 pages (1 before)"
  if on_valgrind; then
    assert_line "remap_file_pages: ENOSYS: Valgrind does not implement it"
    assert_line "fallback: the same layout with mmap(MAP_FIXED), one page at a time"
  else
    assert_line "remap_file_pages(addr, ps, 0, 2, 0): ok (file page 2 -> region page 0)"
    assert_line "remap_file_pages(addr + 2*ps, ps, 0, 0, 0): ok (file page 0 -> region page 2)"
    refute_line --partial "MAP_FIXED"
  fi
  # a store through region page 0 reached file page 2, then was undone
  assert_line "stored '#' at region page 0, byte 0; pread(2) at file offset $((2 * PAGE)) (file page 2) reads '#'"
  assert_equal "$(sha256sum <data)" "$before"
}

@test "demo rfp_swap: -F builds the same layout with MAP_FIXED" {
  TAG="forced" make_pages data 3
  run_demo rfp_swap -F data
  assert_success
  assert_line "-F: not calling remap_file_pages; the same layout with mmap(MAP_FIXED)"
  assert_line "mmap(addr, ps, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 2*ps): ok (file page 2 -> region page 0)"
  assert_line "mmap(addr + 2*ps, ps, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0): ok (file page 0 -> region page 2)"
  refute_line --partial "remap_file_pages(addr"
  assert_line "  region page 0: \"$(page_head data 2)\""
  assert_line "3 VMAs now cover the 3 pages (1 before)"
}

@test "demo rfp_swap: without FILE, a memfd; a file of 2 pages is one error line, exit 1" {
  run_demo rfp_swap
  assert_success
  assert_line "  before +0x0..$(hexpage 3) rw-s 00000000 3 pages /memfd:rfp_swap (deleted)"
  assert_line "  after  +0x0..$(hexpage 1) rw-s $(offcol 2) 1 page /memfd:rfp_swap (deleted)"
  assert_line "  region page 2: \"file page 0|file\""
  assert_equal "$(ls -A)" ""
  make_pages small 2
  run_demo -1 --separate-stderr rfp_swap small
  assert_one_error_line rfp_swap "small.*more than 2 pages"
}

# ------------------------------------------------------------ rfp_vma_cost

@test "demo rfp_vma_cost: reversing N pages makes N VMAs, one call puts them back into 1" {
  run_demo rfp_vma_cost 64
  assert_success
  assert_line "linear: mmap(64 pages, MAP_SHARED): 1 VMA over the region"
  if on_valgrind; then
    assert_line "  remap_file_pages: ENOSYS: Valgrind does not implement it; only the MAP_FIXED route below"
  else
    assert_line "  VMAs over the region: 1 (merged into one again)"
    if on_sanitizer; then
      # Touching also reads ASan's shadow memory, whose pages fault in once
      # per 8 pages of ours (and only once for the same addresses); a region
      # not aligned to 8 pages straddles one more shadow page: 64/8 + 1.
      assert_line "  (built with AddressSanitizer: add one fault per 8 pages, plus one, for its shadow memory)"
      local pop unpop
      # the first such line is remap_file_pages', the second MAP_FIXED's
      pop=$(sed -n 's/^  touching every page afterwards: \([0-9]*\) minor faults.*/\1/p' <<<"$output" | sed -n 1p)
      unpop=$(sed -n 's/^  touching every page afterwards: \([0-9]*\) minor faults.*/\1/p' <<<"$output" | sed -n 2p)
      [[ -n $pop && -n $unpop ]] || fail "no 'touching every page' lines"
      ((pop <= 64 / 8 + 1)) || fail "touching the populated pages took $pop faults (expected at most 9, ASan's shadow)"
      ((unpop >= 64 && unpop <= 64 + 64 / 8 + 1)) || fail "touching the unpopulated pages took $unpop faults (expected 64, up to 9 more)"
    else
      # the emulation maps with MAP_POPULATE: no faults afterwards
      assert_line "  touching every page afterwards: 0 minor faults (every page was mapped already)"
      # one fault per page when nothing was populated (each VMA faults alone)
      assert_line "  touching every page afterwards: 64 minor faults (at least one per page: none was mapped yet)"
    fi
  fi
  local vmas checked
  vmas=$(grep -c '^  VMAs over the region: 64$' <<<"$output")
  checked=$(grep -c '^  checked every page: region page i shows file page 63-i$' <<<"$output")
  # both routes natively, only MAP_FIXED under Valgrind
  assert_equal "$vmas" "$(on_valgrind && echo 1 || echo 2)"
  assert_equal "$checked" "$vmas"
}

# The budget line's room is max_map_count less the demo's own count of its
# VMAs, so the two always add up; whether that count is right, the -l test
# below checks against where the kernel stops.
@test "demo rfp_vma_cost: the budget line reads /proc/sys/vm/max_map_count and gives its room in MiB" {
  local max room mib
  max=$(cat /proc/sys/vm/max_map_count)
  run_demo rfp_vma_cost 16
  assert_success
  assert_line "a memfd of 16 pages, each labelled with its page number; vm.max_map_count is $max"
  [[ $output =~ VMAs\;\ at\ one\ VMA\ per\ page,\ vm.max_map_count\ leaves\ room\ for\ about\ ([0-9]+)\ scattered\ pages\ \(([0-9]+)\ MiB\) ]] ||
    fail "no budget line"
  room=${BASH_REMATCH[1]} mib=${BASH_REMATCH[2]}
  assert_equal "$mib" "$((room * PAGE >> 20))"
  run_demo -2 --separate-stderr rfp_vma_cost 1
  assert_one_error_line rfp_vma_cost "pages '1'"
}

@test "demo rfp_vma_cost: -l scatters pages until ENOMEM at vm.max_map_count" {
  local max
  max=$(cat /proc/sys/vm/max_map_count)
  run_demo rfp_vma_cost -l
  assert_success
  assert_line "-l: vm.max_map_count is $max (/proc/sys/vm/max_map_count)"
  if on_valgrind; then
    # Valgrind's own segment table would overflow long before the limit.
    assert_line --partial "under Valgrind: not attempted"
    return
  fi
  assert_line --regexp '^  region page [0-9]+: ENOMEM, after [0-9]+ calls that worked$'
  [[ $output =~ the\ process\ now\ has\ ([0-9]+)\ VMAs ]] || fail "no VMA count"
  local got=${BASH_REMATCH[1]}
  ((got >= max - 1 && got <= max + 1)) || fail "$got VMAs at ENOMEM, the limit is $max"
  # The region was mapped linearly, so page N showed file offset N pages
  # before the refused call; a refused call must leave it there.
  [[ $output =~ region\ page\ ([0-9]+)\ is\ still\ mapped,\ at\ file\ offset\ 0x([0-9a-f]+) ]] ||
    fail "no line on the refused page"
  assert_equal "$((16#${BASH_REMATCH[2]}))" "$((BASH_REMATCH[1] * PAGE))"
  assert_line --regexp '^  region page [0-9]+ is still mapped, at file offset 0x[0-9a-f]+ as before$'
  # The budget line of a plain run: room = max_map_count less the VMAs the
  # demo counts in its own /proc/self/maps. Where -l stopped, the kernel's
  # own count decided: mmap refuses once a process has more than
  # max_map_count VMAs (mm/mmap.c, do_mmap()), so from the same VMAs as the
  # plain run's plus its one-VMA region, -l places exactly max_map_count
  # less those VMAs, one VMA each. A miscount in the budget line (taken
  # before the 16-VMA region is unmapped, say) makes the two differ. Built
  # with ASan, the runtime maps memory of its own as it goes, so two runs
  # need not start from the same VMAs: not compared there.
  on_sanitizer && return
  [[ $output =~ ENOMEM,\ after\ ([0-9]+)\ calls\ that\ worked ]] || fail "no ENOMEM line"
  local calls=${BASH_REMATCH[1]}
  run_demo rfp_vma_cost 16
  assert_success
  [[ $output =~ room\ for\ about\ ([0-9]+)\ scattered\ pages ]] || fail "no budget line"
  assert_equal "${BASH_REMATCH[1]}" "$calls"
}

# --------------------------------------------------------- fixed_emulation

# runs P...: how many runs of consecutive numbers the list has.
runs() { local r=1 prev=$1 p; shift; for p; do ((p == prev + 1)) || r=$((r + 1)); prev=$p; done; echo $r; }

@test "demo fixed_emulation: TLPI's swap over a PROT_NONE reservation, page by page" {
  run_demo fixed_emulation
  assert_success
  assert_line "  reserved +0x0..$(hexpage 3) ---p 00000000 3 pages"
  assert_line "  read region page 2 before anything is placed there: SIGSEGV (SEGV_ACCERR)"
  # after step 1: the file page, then what is left of the reservation
  assert_line "  step 1   +0x0..$(hexpage 1) rw-s $(offcol 2) 1 page /memfd:fixed_emulation (deleted)"
  assert_line "  step 1   $(hexpage 1)..$(hexpage 3) ---p 00000000 2 pages"
  assert_line "  step 3   $(hexpage 2)..$(hexpage 3) rw-s 00000000 1 page /memfd:fixed_emulation (deleted)"
  assert_line '  region page 0: "file page 2|file"'
  assert_line '  region page 2: "file page 0|file"'
  assert_line "runs of consecutive file pages in P: 3; VMAs over the region: 3"
}

@test "demo fixed_emulation: one VMA per run of consecutive file pages" {
  local perm k
  for perm in "1 2 3 0" "0 1 2 3 4" "4 3 2 1 0" "2 3 0 1 5 4"; do
    # shellcheck disable=SC2086
    run_demo fixed_emulation $perm
    assert_success
    # shellcheck disable=SC2086
    assert_line "runs of consecutive file pages in P: $(runs $perm); VMAs over the region: $(runs $perm)"
    local a=($perm)
    for k in "${!a[@]}"; do assert_line "  region page $k: \"file page ${a[$k]}|file\""; done
  done
}

@test "demo fixed_emulation: a repeated or out-of-range page is a usage error" {
  run_demo -2 --separate-stderr fixed_emulation 0 0
  assert_one_error_line fixed_emulation "appears twice"
  run_demo -2 --separate-stderr fixed_emulation 0 2
  assert_one_error_line fixed_emulation "page '2'"
}

# -------------------------------------------------------------- rfp_errors

@test "demo rfp_errors: EINVAL for private, prot, size 0, holes, other files, O_RDONLY" {
  run_demo rfp_errors
  assert_success
  if on_valgrind; then
    assert_line "remap_file_pages: ENOSYS: Valgrind does not implement it; nothing to show"
    return
  fi
  local what
  for what in "a MAP_PRIVATE mapping:" "prot PROT_READ instead of 0:" "size 0:" \
              "5 pages from a 4-page mapping:" "an address in the hole after it:" \
              "2 pages that run into the hole:" "pages 1-2 where page 2 is another file:" \
              "MAP_SHARED, but of an O_RDONLY descriptor:"; do
    assert_line --regexp "^  ${what//./\\.} +EINVAL$"
  done
  # the read-only descriptor's mapping still says 's' in maps
  assert_line "     +0x0..$(hexpage 4) r--s 00000000 4 pages /memfd:rfp_errors (deleted)"
}

@test "demo rfp_errors: rounding, ignored flags, anonymous, past EOF (SIGBUS on access)" {
  run_demo rfp_errors
  assert_success
  on_valgrind && skip "remap_file_pages is ENOSYS under Valgrind (the previous test checks that)"
  assert_line --regexp '^  addr \+ 100, size ps \+ 7 \(rounded down\), pgoff 3: +ok$'
  assert_line "     +0x0..$(hexpage 1) rw-s $(offcol 3) 1 page /memfd:rfp_errors (deleted)"
  assert_line "     $(hexpage 1)..$(hexpage 4) rw-s $(offcol 1) 3 pages /memfd:rfp_errors (deleted)"
  assert_line --regexp '^  flags MAP_PRIVATE \(ignored\), pgoff 3: +ok$'
  assert_line "     +0x0..$(hexpage 1) rw-s $(offcol 3) 1 page /dev/zero (deleted)"
  assert_line "     +0x0..$(hexpage 1) rw-s $(offcol 100) 1 page /memfd:rfp_errors (deleted)"
  assert_line "    reading that page: SIGBUS (BUS_ADRERR)"
}

# ------------------------------------------------------------- ex1_permute

# see: remap_file_pages(2), chapter 09 "TLPI's swap, on today's kernel"
@test "ex1_permute: region page i holds file page Pi (remap_file_pages)" {
  make_pages data 6
  local perm
  for perm in "5 0 4 1 3 2" "2 1 0" "0 1 2 3" "3 4 5 0 1 2" "0"; do
    # shellcheck disable=SC2086
    wb_exec "$(ex_path ex1_permute)" data $perm >got 2>err || fail "ex1_permute data $perm failed: $(cat err)"
    # shellcheck disable=SC2086
    check_view got data $perm
    check_route ex1_permute err remap_file_pages
  done
}

# see: mmap(2) (MAP_FIXED), chapter 09 "The same layout with MAP_FIXED: fixed_emulation"
@test "ex1_permute: -F builds the same view with MAP_FIXED" {
  make_pages data 5
  local perm
  for perm in "4 3 2 1 0" "1 2 0" "0 1"; do
    # shellcheck disable=SC2086
    wb_exec "$(ex_path ex1_permute)" -F data $perm >got 2>err || fail "ex1_permute -F data $perm failed: $(cat err)"
    # shellcheck disable=SC2086
    check_view got data $perm
    check_route ex1_permute err "MAP_FIXED (-F)"
  done
}

# see: mmap(2), chapter 05 "The end of the file"
@test "ex1_permute: a partial last page comes out padded with zeros" {
  make_pages data 2 300
  wb_exec "$(ex_path ex1_permute)" data 2 0 1 >got 2>err || fail "$(cat err)"
  check_view got data 2 0 1
  # the padding really is zeros, and the file's tail is where it belongs
  assert_equal "$(head -c 300 got | tr -d t | wc -c)" 0
  assert_equal "$(dd if=got bs=1 skip=300 count=$((PAGE - 300)) status=none | tr -d '\0' | wc -c)" 0
}

@test "ex1_permute: not a permutation, or a page past EOF: one error line, exit 2" {
  make_pages data 3
  run_ex -2 --separate-stderr ex1_permute data 0 0
  assert_one_error_line ex1_permute "the pages must be a permutation of 0\.\.1; '0' appears twice"
  assert_output ""
  run_ex -2 --separate-stderr ex1_permute data 0 2
  assert_one_error_line ex1_permute "the pages must be a permutation of 0\.\.1; '2' is out of range"
  run_ex -2 --separate-stderr ex1_permute data 1 x
  assert_one_error_line ex1_permute "page 'x': not a number"
  run_ex -2 --separate-stderr ex1_permute data 3 0 1 2
  assert_one_error_line ex1_permute "page 3 is past the end of 'data' \(3 pages\)"
  assert_output ""
}

@test "ex1_permute: a missing file or a directory is one error line, exit 1" {
  run_ex -1 --separate-stderr ex1_permute nosuch 0
  assert_one_error_line ex1_permute "nosuch.*No such file or directory"
  mkdir dir
  run_ex -1 --separate-stderr ex1_permute dir 0
  # O_RDWR on a directory is EISDIR already; fstat would say the same later
  assert_one_error_line ex1_permute "dir.*(not a regular file|Is a directory)"
}

# ----------------------------------------------------------- ex2_whichpage

# see: proc(5) (/proc/PID/maps), chapter 09 "What the kernel does now"
@test "ex2_whichpage: answers from /proc/self/maps match the permutation" {
  make_pages data 8
  local n=8 i q perm=() queries=(0 1 2 3 4 5 6 7 3 0) flag
  for ((i = 0; i < n; i++)); do perm+=($(((3 * i + 5) % n))); done
  for flag in "" -F; do
    # shellcheck disable=SC2086
    wb_exec "$(ex_path ex2_whichpage)" $flag data "${perm[@]}" -- "${queries[@]}" >got 2>err ||
      fail "ex2_whichpage $flag failed: $(cat err)"
    : >want
    for q in "${queries[@]}"; do
      echo "region page $q -> file offset $((perm[q] * PAGE))" >>want
    done
    diff -u want got || fail "wrong answers with '$flag'"
    check_route ex2_whichpage err "$([[ -z $flag ]] && echo remap_file_pages || echo "MAP_FIXED (-F)")"
  done
}

# see: proc(5) (/proc/PID/maps), chapter 09 "What the kernel does now"
@test "ex2_whichpage: a page inside a merged VMA counts from the VMA's start" {
  # 1 2 3 0: region pages 0-2 are one VMA starting at file offset 1 page
  make_pages data 4
  run_ex --separate-stderr ex2_whichpage data 1 2 3 0 -- 2 1 3 0
  assert_success
  assert_equal "$output" "region page 2 -> file offset $((3 * PAGE))
region page 1 -> file offset $((2 * PAGE))
region page 3 -> file offset 0
region page 0 -> file offset $PAGE"
}

@test "ex2_whichpage: bad queries, no --, a bad permutation: usage errors, exit 2" {
  make_pages data 3
  run_ex -2 --separate-stderr ex2_whichpage data 2 1 0 -- 3
  assert_one_error_line ex2_whichpage "query '3': must be between 0 and 2"
  assert_output ""
  run_ex -2 --separate-stderr ex2_whichpage data 2 1 0
  assert_one_error_line ex2_whichpage "expected FILE, page numbers, -- and queries"
  run_ex -2 --separate-stderr ex2_whichpage data 2 2 0 -- 0
  assert_one_error_line ex2_whichpage "the pages must be a permutation of 0\.\.2; '2' appears twice"
  run_ex -2 --separate-stderr ex2_whichpage data 0 1 2 3 -- 0
  assert_one_error_line ex2_whichpage "page 3 is past the end of 'data' \(3 pages\)"
  run_ex -1 --separate-stderr ex2_whichpage nosuch 0 -- 0
  assert_one_error_line ex2_whichpage "nosuch.*No such file or directory"
}
