#!/usr/bin/env bats
# Tests for chapter 15-modern: its demos ("demo ...") and its exercises ("exN_...").

load helper

# What this kernel did with one of the chapter's features: the third column
# of the features demo's row NAME ("works", an errno name, "absent", "not
# offered"). The demo is run natively (never under $WB_WRAPPER: Valgrind
# answers ENOSYS for calls it does not know), once per bats run, as the
# doctor is: it is the tests' probe of the kernel, not the program under test.
kernel_did() {
  local cache=$BATS_RUN_TMPDIR/ch15-features.txt prog
  prog=$(demo_path features)
  if [[ ! -s $cache ]]; then
    [[ -x $prog ]] || { fail "no $prog: make builds it"; return 1; }
    "$prog" >"$cache.$$" 2>/dev/null || { fail "$prog failed"; return 1; }
    mv "$cache.$$" "$cache"
  fi
  awk -F'  +' -v n="$1" '$1 == n { print $3 }' "$cache"
}

# need_feature NAME RELEASE: skip, naming the release, where the kernel lacks it.
need_feature() {
  local did
  did=$(kernel_did "$1")
  [[ $did == works* ]] || skip "this kernel lacks $1 ($did); Linux $2 added it"
}

# count_vmas PID START END: lines of /proc/PID/maps overlapping [START, END) (hex).
count_vmas() {
  local s=$((16#$2)) e=$((16#$3)) n=0 range rest
  while read -r range rest; do
    (( 16#${range%-*} < e && 16#${range#*-} > s )) && n=$((n + 1))
  done < <(as_program_user cat "/proc/$1/maps")
  echo "$n"
}

# ---------------------------------------------------------------- features

@test "demo features: a row per feature with its release; each works or names what the kernel said" {
  run_demo features
  assert_success
  assert_line --index 0 "kernel $(uname -r)"
  assert_line --regexp '^feature +added +this kernel$'
  local f rel
  for f in "process_madvise(2):5.10" "memfd_secret(2):5.14" "MADV_COLLAPSE:6.1" \
           "UFFD_FEATURE_WP_UNPOPULATED:6.4" "cachestat(2):6.5" "UFFD_FEATURE_WP_ASYNC:6.7" \
           "PAGEMAP_SCAN ioctl:6.7" "mTHP (hugepages-NkB):6.8" "mseal(2):6.10" \
           "MAP_DROPPABLE:6.11" "PROCMAP_QUERY ioctl:6.11" "MADV_GUARD_INSTALL:6.13"; do
    rel=${f##*:}
    f=${f%:*}
    assert_line --regexp "^${f//[()]/.} +${rel//./\\.} +(works|E[A-Z0-9]+|absent|not offered|ENOSYS \\(no pidfd_open\\))"
  done
  # the rows a second source can confirm: the doctor's THP sizes, its userfaultfd
  local sizes
  sizes=$(fact thp_sizes)
  if [[ $sizes == *16:* ]]; then
    assert_line --regexp '^mTHP \(hugepages-NkB\) +6\.8 +works: [0-9]+ sizes'
  else
    assert_line --regexp '^mTHP \(hugepages-NkB\) +6\.8 +absent$'
  fi
  if on_valgrind; then
    assert_line --partial "under Valgrind"
  elif [[ $(fact uffd) == no ]]; then
    assert_line --regexp '^UFFD_FEATURE_WP_ASYNC +6\.7 +E[A-Z]+$'
  fi
}

@test "demo features: takes no arguments" {
  run_demo -2 --separate-stderr features x
  assert_one_error_line features "no arguments"
}

# ---------------------------------------------------------------- seal

@test "demo seal: on sealed pages munmap, mprotect, mremap and MAP_FIXED fail with EPERM; reads, writes and MADV_DONTNEED work" {
  if on_valgrind; then
    run_demo seal
    assert_success
    assert_line --partial "under Valgrind 3.19, which does not know mseal(2)"
    return
  fi
  need_feature "mseal(2)" 6.10
  run_demo seal
  assert_success
  local s2="2. mseal(pages 1-2): ok; maps shows three VMAs, smaps tells them apart"
  after "1. 4 pages of private anonymous memory, read-write, filled with 'a'" 1 "$(vma seal 0 4 rw-p 0)"
  after "$s2" 1 "$(vma seal 0 1 rw-p 0)"
  after "$s2" 2 "$(vma seal 1 3 rw-p 0)"
  after "$s2" 3 "$(vma seal 3 4 rw-p 0)"
  assert_line --regexp '^  VmFlags of page 1: (.* )?sl$'
  refute_line --regexp '^  VmFlags of page 0: (.* )?sl( |$)'
  local call
  for call in "mprotect(PROT_READ)" "munmap" "munmap of pages 0-3 (includes them)" \
              "mremap to 4 pages, MREMAP_MAYMOVE" "mmap MAP_FIXED over page 1"; do
    assert_line --regexp "^  ${call//[()]/.} +EPERM$"
  done
  assert_line "  read page 1: 'a'; write 'b' to page 1: ok, it reads 'b'"
  assert_line --regexp '^  madvise.MADV_DONTNEED. on page 2 +ok$'
  assert_line "  page 2 now reads 0 (zero: a writable range may be discarded)"
  assert_line "  still mapped: page 0 'a', page 3 'a'"
  assert_line "4. page 0 is not sealed: munmap(page 0) ok"
  # read-only and sealed: discarding is refused too
  assert_line --regexp '^  madvise.MADV_DONTNEED. +EPERM$'
  assert_line --regexp '^  madvise.MADV_FREE. +EPERM$'
  assert_line --regexp '^  madvise.MADV_WILLNEED. +ok$'
  assert_line --regexp '^  mprotect.PROT_READ \| PROT_WRITE. +EPERM$'
  assert_line "  page 0 still reads 'r'"
  assert_line --regexp '^  flags 1 .must be 0. +EINVAL$'
  assert_line --regexp '^  an address not on a page boundary +EINVAL$'
  assert_line --regexp '^  a range running into a hole +ENOMEM$'
  assert_line --regexp '^  the same page twice: mseal, mseal +ok$'
}

@test "demo seal: takes no arguments" {
  run_demo -2 --separate-stderr seal x
  assert_one_error_line seal "no arguments"
}

# ---------------------------------------------------------------- guards

@test "demo guards: 3 PROT_NONE guards are 6 VMAs; 3 markers leave 1; a guard read is SEGV_ACCERR against SEGV_MAPERR" {
  run_demo guards 3
  assert_success
  assert_line "3 stacks of 4 pages, each with a guard page below it: one mapping of 15 pages"
  local p1="1. PROT_NONE guard pages (mprotect): 3 guards, 6 VMAs" k
  assert_line "$p1"
  for k in 0 1 2; do
    after "$p1" $((2 * k + 1)) "$(vma guards $((5 * k)) $((5 * k + 1)) ---p 0)"
    after "$p1" $((2 * k + 2)) "$(vma guards $((5 * k + 1)) $((5 * k + 5)) rw-p 0)"
  done
  after "$p1" 7 "  read the guard of stack 0: SIGSEGV (SEGV_ACCERR)"
  if [[ $(kernel_did MADV_GUARD_INSTALL) != works ]]; then
    assert_line --regexp '^2\. guard markers \(MADV_GUARD_INSTALL\): EINVAL: .*Linux 6\.13'
    return
  fi
  local p2="2. guard markers (MADV_GUARD_INSTALL): 3 guards, 1 VMA"
  assert_line --regexp '^  the mapping has the smaps flag gu: (yes|no)$'
  after "$p2" 2 "$(vma guards 0 15 rw-p 0)"
  assert_line "  write 's' over stack 0: ok"
  assert_line "  read the guard of stack 0: SIGSEGV (SEGV_MAPERR)"
  assert_line "  write to the guard of stack 0: SIGSEGV (SEGV_MAPERR)"
  local s4="4. MADV_DONTNEED over the whole mapping: the data goes, the markers stay"
  after "$s4" 1 "  read stack 0: 0"
  after "$s4" 2 "  read the guard of stack 0: SIGSEGV (SEGV_MAPERR)"
  assert_line "  read the old guard of stack 0: 0"
  assert_line "  VMAs: 1"
  assert_line "  read page 0 of stack 0: SIGSEGV (SEGV_MAPERR)"
  assert_line "  read page 0 of stack 0 after MADV_GUARD_REMOVE: 0"
}

@test "demo guards: past vm.max_map_count PROT_NONE guards fail with ENOMEM; markers do not" {
  on_valgrind && skip "Valgrind's own table of mappings is far smaller than vm.max_map_count"
  on_sanitizer && skip "at vm.max_map_count the sanitizers' own allocator can get no mapping (ASan: \"Failed to mmap\")"
  local max n
  max=$(fact max_map_count)
  n=$((max / 2 + 1000))
  run_demo guards "$n"
  assert_success
  assert_line --regexp "^1\\. PROT_NONE guard pages \\(mprotect\\): [0-9]+ guards, [0-9]+ VMAs$"
  assert_line --regexp "^  mprotect of guard [0-9]+: ENOMEM: the process reached vm\\.max_map_count \\($max\\) VMAs$"
  # the guards it made, and their VMAs, are what the limit allows (the
  # failing mprotect may have split its VMA once before it ran out: +1)
  local made vmas
  made=$(sed -nE 's/^1\. .*: ([0-9]+) guards, ([0-9]+) VMAs$/\1/p' <<<"$output")
  vmas=$(sed -nE 's/^1\. .*: ([0-9]+) guards, ([0-9]+) VMAs$/\2/p' <<<"$output")
  ((made < n && vmas >= 2 * made && vmas <= 2 * made + 1 && vmas <= max)) || fail "guards $made, VMAs $vmas, limit $max"
  if [[ $(kernel_did MADV_GUARD_INSTALL) == works ]]; then
    assert_line "2. guard markers (MADV_GUARD_INSTALL): $n guards, 1 VMA"
    assert_line --regexp '^time for the [0-9]+ calls: mprotect [0-9.]+ ms, madvise [0-9.]+ ms$'
  fi
}

@test "demo guards: N must be a number from 1" {
  run_demo -2 --separate-stderr guards 0
  assert_one_error_line guards "N"
}

# ---------------------------------------------------------------- droppable

@test "demo droppable: after MADV_PAGEOUT the droppable pages read zero, the private ones keep their bytes; a child sees zeros" {
  need_feature MAP_DROPPABLE 6.11
  run_demo droppable
  assert_success
  assert_line "1. 64 droppable pages filled with 'd', 64 private pages with 'a'"
  assert_line "  droppable smaps flags dp yes, wf yes, dd yes"
  assert_line "  resident: droppable 64, private 64"
  assert_line "  droppable: 0 of 64 resident, 64 of 64 read as zero"
  assert_line "  private: 0 of 64 read as zero (kept in memory, or swapped out and read back in)"
  assert_line "  child: droppable pages reading zero 64 of 64, private page 0 'a'"
  assert_line "  parent: droppable page 0 'd'"
  assert_line "  a file: EINVAL"
  assert_line "  MAP_DROPPABLE | MAP_SHARED: EINVAL"
  assert_line "  madvise(MADV_KEEPONFORK): EINVAL"
  assert_equal "$(ls -A)" ""
}

@test "demo droppable: PAGES must be a number from 1" {
  run_demo -2 --separate-stderr droppable abc
  assert_one_error_line droppable "pages"
}

# ---------------------------------------------------------------- secret

@test "demo secret: only the process reads its secret page: /proc/PID/mem, process_vm_readv and PTRACE_PEEKDATA fail" {
  if on_valgrind; then
    run_demo secret
    assert_success
    assert_line --partial "under Valgrind 3.19, which does not know memfd_secret(2)"
    return
  fi
  need_feature "memfd_secret(2)" 5.14
  run_demo secret
  assert_success
  assert_line "$(vma secret 0 1 rw-s 0 "/secretmem (deleted)")"
  assert_line "2. this process reads it: \"hunter2\""
  assert_line "  and write(2) from it to a pipe works: \"hunter2\""
  assert_line --regexp '^  /proc/self/mem +secret +EIO$'
  assert_line --regexp '^  /proc/self/mem +ordinary +ok: "ordinary"$'
  assert_line --regexp '^  process_vm_readv, from a child +secret +EFAULT$'
  assert_line --regexp '^  process_vm_readv, from a child +ordinary +ok: "ordinary"$'
  assert_line --regexp '^  ptrace.PTRACE_PEEKDATA., tracer +secret +EIO$'
  assert_line --regexp '^  ptrace.PTRACE_PEEKDATA., tracer +ordinary +ok: "ordinary"$'
  assert_line "  read(2): EINVAL"
  assert_line "  mmap MAP_PRIVATE: EINVAL"
}

@test "demo secret: takes no arguments" {
  run_demo -2 --separate-stderr secret x
  assert_one_error_line secret "no arguments"
}

# ---------------------------------------------------------------- ex1_guardstack

# Start ex1_guardstack -w ARGS in the background, its stdin a FIFO that the
# test holds open (on GS_FD; fd 3 is bats' own, closed for the program), and
# wait for its three lines; sets GS_PID, GS_START, GS_END.
gs_start() {
  mkfifo in
  wb_exec "$(ex_path ex1_guardstack)" -w "$@" <in >out 2>err 3>&- &
  GS_BG=$!
  exec {GS_FD}>in
  local t
  for ((t = 0; t < 400; t++)); do
    [[ $(grep -c . out) -ge 3 ]] && break
    kill -0 "$GS_BG" 2>/dev/null || break
    sleep 0.05
  done
  [[ $(head -1 out) =~ ^pid\ ([0-9]+)\ region\ ([0-9a-f]+)-([0-9a-f]+)$ ]] ||
    { exec {GS_FD}>&-; wait "$GS_BG"; fail "first line: '$(head -1 out)' (stderr: $(cat err))"; }
  GS_PID=${BASH_REMATCH[1]} GS_START=${BASH_REMATCH[2]} GS_END=${BASH_REMATCH[3]}
}
# gs_stop: close its stdin; it must then exit 0.
gs_stop() {
  exec {GS_FD}>&-
  local status=0
  wait "$GS_BG" || status=$?
  assert_equal "$status" 0
}
# The permissions of the running program's VMA holding ADDRESS (decimal).
gs_perms() {
  local range perms rest
  while read -r range perms rest; do
    if (( 16#${range%-*} <= $1 && $1 < 16#${range#*-} )); then echo "$perms"; return; fi
  done < <(as_program_user cat "/proc/$GS_PID/maps")
  echo "unmapped"
}
# The byte at ADDRESS (decimal) of the running program, through /proc/PID/mem.
gs_byte() {
  as_program_user dd if="/proc/$GS_PID/mem" bs=1 skip="$1" count=1 iflag=skip_bytes status=none
}

@test "ex1_guardstack: 8 stacks in one VMA with guard markers (2N VMAs with PROT_NONE before 6.13); the stacks hold their letters" {
  gs_start 8 4
  local want_how=madvise want=1
  [[ $(kernel_did MADV_GUARD_INSTALL) == works ]] || { want_how=mprotect want=16; }
  assert_equal "$(sed -n 2p out)" "8 stacks of 4 pages, guards by $want_how"
  assert_equal "$(sed -n 3p out)" "VMAs: $want"
  assert_equal "$(count_vmas "$GS_PID" "$GS_START" "$GS_END")" "$want"
  assert_equal $((16#$GS_END - 16#$GS_START)) $((8 * 5 * PAGE))
  local base=$((16#$GS_START))
  assert_equal "$(gs_byte $((base + PAGE)))" a
  assert_equal "$(gs_byte $((base + 7 * 5 * PAGE + PAGE + 3 * PAGE)))" h
  gs_stop
}

@test "ex1_guardstack: -p makes every guard a PROT_NONE page: 2N VMAs, ---p at the first page of each slot" {
  gs_start -p 5 2
  assert_equal "$(sed -n 2p out)" "5 stacks of 2 pages, guards by mprotect"
  assert_equal "$(sed -n 3p out)" "VMAs: 10"
  assert_equal "$(count_vmas "$GS_PID" "$GS_START" "$GS_END")" 10
  local base=$((16#$GS_START)) k
  for ((k = 0; k < 5; k++)); do
    assert_equal "$(gs_perms $((base + k * 3 * PAGE)))" ---p
    assert_equal "$(gs_perms $((base + k * 3 * PAGE + PAGE)))" rw-p
  done
  assert_equal "$(gs_byte $((base + 4 * 3 * PAGE + PAGE)))" e
  gs_stop
}

@test "ex1_guardstack: -t K touches stack K's guard and dies of SIGSEGV, markers or PROT_NONE" {
  local opt
  for opt in "" -p; do
    # shellcheck disable=SC2086  # opt is one word or none
    run_ex ex1_guardstack $opt -t 2 4 3
    assert_equal "$status" 139
    assert_line --index 3 "touching the guard of stack 2"
    refute_line --partial "did not work"
  done
}

@test "ex1_guardstack: a usage error is exit 2; -p past vm.max_map_count is one error line and exit 1" {
  run_ex -2 --separate-stderr ex1_guardstack 0 1
  assert_one_error_line ex1_guardstack "N"
  run_ex -2 --separate-stderr ex1_guardstack -t 4 4 1
  assert_one_error_line ex1_guardstack "K"
  run_ex ex1_guardstack 1 1
  assert_success
  assert_line --index 1 "1 stacks of 1 pages, guards by $([[ $(kernel_did MADV_GUARD_INSTALL) == works ]] && echo madvise || echo mprotect)"
  on_valgrind && skip "Valgrind's own table of mappings is far smaller than vm.max_map_count"
  on_sanitizer && skip "at vm.max_map_count the sanitizers' own allocator can get no mapping (ASan: \"Failed to mmap\")"
  local n=$(($(fact max_map_count) / 2 + 100))
  run_ex -1 --separate-stderr ex1_guardstack -p "$n" 1
  assert_one_error_line ex1_guardstack "mprotect guard [0-9]+: Cannot allocate memory"
}
