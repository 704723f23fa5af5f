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
  [[ $did == works* ]] || skip "this kernel does not offer $1 ($did); Linux $2 added it"
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
    assert_line --regexp "^${f//[()]/.} +${rel//./\\.} +(works|E[A-Z0-9]+|absent|not offered|ENOSYS \\(no pidfd_open\\)|knobs for )"
  done
  # the rows a second source can confirm: the doctor's THP sizes, its userfaultfd
  local sizes
  sizes=$(fact thp_sizes)
  if [[ $sizes == *16:* ]]; then
    # the knobs below the PMD size, and those not [never], read here
    local k n=0 on=0
    for k in /sys/kernel/mm/transparent_hugepage/hugepages-{16,32,64,128,256,512,1024}kB/enabled; do
      [ -r "$k" ] || continue
      n=$((n + 1))
      grep -q '\[never\]' "$k" || on=$((on + 1))
    done
    assert_line --regexp "^mTHP \\(hugepages-NkB\\) +6\\.8 +knobs for $n sizes below the PMD size, $on not never\$"
  else
    assert_line --regexp '^mTHP \(hugepages-NkB\) +6\.8 +absent$'
  fi
  if on_valgrind; then
    assert_line --partial "under Valgrind"
  elif [[ $(fact uffd) == no ]]; then
    assert_line --regexp '^UFFD_FEATURE_WP_ASYNC +6\.7 +E[A-Z]+$'
  else
    # a userfaultfd feature the kernel lists is used on a page, and its row
    # says "works" only when pagemap showed the effect: from the release
    # that added it, nothing else will do ("offered, but ..." is a failure)
    local want
    want=$(kernel_at_least 6 4 && echo works || echo "not offered")
    assert_line --regexp "^UFFD_FEATURE_WP_UNPOPULATED +6\\.4 +$want\$"
    want=$(kernel_at_least 6 7 && echo works || echo "not offered")
    assert_line --regexp "^UFFD_FEATURE_WP_ASYNC +6\\.7 +$want\$"
  fi
}

@test "demo features: takes no arguments" {
  run_demo -2 --separate-stderr features x
  assert_one_error_line features "no arguments"
}

# ---------------------------------------------------------------- seal

# mseal_mask_bug: the running kernel is 6.10 before 6.10.7, whose mseal tested
# the advice as a bit mask (is_madv_discard() in mm/mseal.c) and so refused
# MADV_WILLNEED (3) on sealed read-only anonymous memory too; e46bc2e7eb90
# fixed it in 6.11 and 6.10.7 (the chapter's README, step 5).
mseal_mask_bug() {
  local maj min patch
  IFS=.- read -r maj min patch _ < <(uname -r)
  patch=${patch%%[^0-9]*}
  [[ $maj == 6 && ${min%%[^0-9]*} == 10 ]] && ((${patch:-0} < 7))
}

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
  # MADV_WILLNEED discards nothing: allowed, but 6.10.0 to 6.10.6 refused it
  local willneed=ok
  mseal_mask_bug && willneed='(ok|EPERM)'
  assert_line --regexp "^  madvise.MADV_WILLNEED. +$willneed\$"
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
    assert_line --regexp "^time: $((made + 1)) mprotect calls [0-9.]+ ms, $n madvise calls [0-9.]+ ms\$"
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
  assert_line "  MAP_DROPPABLE | MAP_SHARED (type 0x09, no such type): EINVAL"
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
  # vmsplice takes the page itself (get_user_pages), which secret memory refuses
  assert_line "  but vmsplice(2) of it into a pipe, which takes the page itself: EFAULT"
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

# see: madvise(2) (MADV_GUARD_INSTALL), chapter 15 "Guard regions without VMAs: MADV_GUARD_INSTALL"
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

# see: mprotect(2), chapter 15 "Guard regions without VMAs: MADV_GUARD_INSTALL"
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

# see: madvise(2) (MADV_GUARD_INSTALL), chapter 15 "Guard regions without VMAs: MADV_GUARD_INSTALL"
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
  assert_one_error_line ex1_guardstack "N '0': must be between 1 and 100000 \\(usage: "
  run_ex -2 --separate-stderr ex1_guardstack -t 4 4 1
  assert_one_error_line ex1_guardstack "K must be below N \\(4\\) \\(usage: "
  run_ex ex1_guardstack 1 1
  assert_success
  assert_line --index 1 "1 stacks of 1 pages, guards by $([[ $(kernel_did MADV_GUARD_INSTALL) == works ]] && echo madvise || echo mprotect)"
  on_valgrind && skip "Valgrind's own table of mappings is far smaller than vm.max_map_count"
  on_sanitizer && skip "at vm.max_map_count the sanitizers' own allocator can get no mapping (ASan: \"Failed to mmap\")"
  local n=$(($(fact max_map_count) / 2 + 100))
  ((n <= 100000)) || skip "vm.max_map_count is $(fact max_map_count) here: reaching it takes more PROT_NONE guards than the task's 100000 stacks"
  run_ex -1 --separate-stderr ex1_guardstack -p "$n" 1
  assert_one_error_line ex1_guardstack "mprotect guard [0-9]+: Cannot allocate memory"
}

# ================================================================ the second part:
# mthp, ask_kernel, wp_snapshot, wp_async, pmadvise and ex2_vmaquery

# kernel_at_least MAJOR MINOR: the running kernel is that version or later.
kernel_at_least() {
  local maj min
  IFS=. read -r maj min _ < <(uname -r)
  ((maj > $1 || (maj == $1 && ${min%%[^0-9]*} >= $2)))
}

NO_UFFD="Valgrind 3.19 does not implement userfaultfd(2) (ENOSYS): the program can only say so"
need_uffd() {
  on_valgrind && skip "$NO_UFFD"
  [[ $(fact uffd) == yes ]] ||
    skip "userfaultfd(2) is refused to this process here (doctor: userfaultfd no; Docker's default seccomp profile does this)"
}

# ---------------------------------------------------------------- mthp

# mode_allows MODE ADVICE: does a size's knob allow its folios for a VMA with
# ADVICE (none, huge, nohuge)? "inherit" follows the global THP mode.
mode_allows() {
  local mode=$1
  [[ $2 == nohuge ]] && return 1
  [[ $mode == inherit ]] && mode=$(fact thp)
  [[ $mode == always || ($mode == madvise && $2 == huge) ]]
}
# predicted ADVICE [MAXKB]: pages one write fault maps, from the doctor's
# facts, in an aligned VMA of MAXKB (default 4096) kB.
predicted() {
  local best=1 s kb mode sizes
  sizes=$(fact thp_sizes)
  # Before 6.8 there are no hugepages-NkB knobs (the fact is empty): the one
  # size is the PMD's (512 pages of 4 KiB), under the global knob.
  [[ -n $sizes ]] || sizes="$((PAGE / 8 * PAGE / 1024)):inherit"
  for s in $sizes; do
    kb=${s%%:*} mode=${s#*:}
    ((kb <= ${2:-4096})) || continue
    if mode_allows "$mode" "$1"; then best=$((kb * 1024 / PAGE)); fi
  done
  echo "$best"
}

@test "demo mthp: the knobs are this machine's, and one fault maps as many pages as they allow" {
  run_demo mthp
  assert_success
  local s
  assert_line "  enabled (all sizes set to inherit): $(fact thp)"
  for s in $(fact thp_sizes); do
    assert_line "  hugepages-${s%%:*}kB/enabled: ${s#*:}"
  done
  # a 1 MiB VMA: too small for 2 MiB, the largest smaller size allowed wins
  want=$(predicted none 1024)
  read -r faults < <(sed -nE "s/^  no advice, 1 MiB +256 pages +([0-9]+) faults .*\\(predicted $want\\); AnonHugePages 0 kB$/\\1/p" <<<"$output")
  [[ -n $faults ]] || fail "no line for the 1 MiB VMA with the prediction $want pages per fault"
  if ! on_valgrind; then
    ((faults >= 256 / want && faults <= 256 / want + 4)) || fail "1 MiB: $faults faults, expected $((256 / want))"
  fi
  local advice name want faults huge
  for advice in none huge nohuge; do
    case $advice in none) name="no advice" ;; huge) name=MADV_HUGEPAGE ;; *) name=MADV_NOHUGEPAGE ;; esac
    want=$(predicted "$advice")
    read -r faults huge < <(sed -nE "s/^  $name +1024 pages +([0-9]+) faults .*\\(predicted $want\\); AnonHugePages ([0-9]+) kB$/\\1 \\2/p" <<<"$output")
    [[ -n $faults ]] || fail "no line for $name with the prediction $want pages per fault"
    on_valgrind && continue # Valgrind's own faults count too
    if ((faults > 1024 / want)) && [[ $want -eq 512 && $huge -lt 4096 ]]; then
      skip "the kernel found no free 2 MiB block (AnonHugePages $huge kB): a fallback, not a fault of the demo"
    fi
    # 1024 / want faults, and a few of the program's own at most
    ((faults >= 1024 / want && faults <= 1024 / want + 4)) ||
      fail "$name: $faults faults for 1024 pages, expected $((1024 / want)) ($want pages per fault)"
  done
}

@test "demo mthp: MADV_COLLAPSE is EINVAL, or does nothing, unless the range holds a whole aligned 2 MiB" {
  run_demo mthp
  assert_success
  if on_valgrind; then
    assert_line "  under Valgrind: its own memory layout hides what the kernel collapses; run natively"
    return
  fi
  local thp before
  thp=$(fact thp)
  [[ $thp == madvise || $thp == always ]] ||
    skip "THP is $thp here: MADV_COLLAPSE ignores that setting, but the demo's expected lines are written for madvise and always"
  assert_line "$(printf '  %-54s %s' 'a 1-page VMA:' 'EINVAL; AnonHugePages 0 kB')"
  assert_line "$(printf '  %-54s %s' 'a 4096 kB VMA at a 2 MiB boundary, never touched:' 'EINVAL; AnonHugePages 0 kB')"
  # Under always the write to page 0 already faulted in a 2 MiB page (or,
  # with no free 2 MiB block, a small one): the ranges that hold no whole
  # block leave it as it was. Under madvise it is a small page.
  before=0
  [[ $thp == always ]] && before='(0|2048)'
  assert_line --regexp "^$(printf '  %-54s' 'the same after writing page 0, range 1 page:') 0; AnonHugePages $before kB\$"
  assert_line --regexp "^$(printf '  %-54s' 'range of 2 MiB starting 1 page in:') 0; AnonHugePages $before kB\$"
  assert_line "$(printf '  %-54s %s' 'range of the first 2 MiB, aligned:' '0; AnonHugePages 2048 kB')"
  before=$((PAGE / 1024))
  [[ $thp == always ]] && before="($before|2048)"
  assert_line --regexp "^  Rss of the VMA: $before kB before, 2048 kB after; writing the other $((2097152 / PAGE - 1)) pages: 0 faults\$"
}

@test "demo mthp: takes no arguments" {
  run_demo -2 --separate-stderr mthp 1
  assert_one_error_line mthp "no arguments"
}

# ---------------------------------------------------------------- ask_kernel

@test "demo ask_kernel: old and new ways give the same answers about one mapping" {
  local pages=256 q cached
  run_demo ask_kernel $pages 200 5
  assert_success
  q=$((pages / 4))
  cached=$((pages / 2))
  # tmpfs ignores POSIX_FADV_DONTNEED: its pages are the file itself
  on_tmpfs && cached=$pages
  assert_line --regexp "^  mincore\\(2\\) on the mapping +1 call +$cached of $pages pages cached "
  assert_line --regexp "^  mmap \\+ mincore \\+ munmap +3 calls +$cached of $pages pages cached "
  if on_valgrind; then
    # the demo tries the call: Valgrind 3.19 answers ENOSYS itself
    assert_line "  cachestat(2): ENOSYS under Valgrind (3.19 does not know this system call, nor does a kernel before 6.5); run natively"
  elif kernel_at_least 6 5; then
    assert_line --regexp "^  cachestat\\(2\\) on the descriptor +1 call +$cached of $pages pages cached "
  else
    assert_line --partial "cachestat(2): ENOSYS: added in Linux 6.5"
  fi
  if ! on_tmpfs; then
    assert_line --regexp "^  pread\\(2\\) of /proc/self/pagemap +1 call +$((2 * q)) present, in 2 runs "
  else # every page is cached: fault-around maps some beyond the quarters read
    assert_line --regexp "^  pread\\(2\\) of /proc/self/pagemap +1 call +[0-9]+ present, in 2 runs "
  fi
  if kernel_at_least 6 7 && ! on_tmpfs; then
    assert_line "    run 1: pages 0..$q, PAGE_IS_PRESENT|PAGE_IS_FILE"
    assert_line "    run 2: pages $((2 * q))..$((3 * q)), PAGE_IS_PRESENT|PAGE_IS_FILE"
  elif kernel_at_least 6 7; then # each run covers at least its quarter
    local s1 e1 s2 e2
    read -r s1 e1 < <(sed -nE 's/^    run 1: pages ([0-9]+)\.\.([0-9]+), PAGE_IS_PRESENT\|PAGE_IS_FILE$/\1 \2/p' <<<"$output")
    read -r s2 e2 < <(sed -nE 's/^    run 2: pages ([0-9]+)\.\.([0-9]+), PAGE_IS_PRESENT\|PAGE_IS_FILE$/\1 \2/p' <<<"$output")
    [[ -n $e2 ]] || fail "no two runs of present pages"
    ((s1 == 0 && e1 >= q && e1 < s2 && s2 <= 2 * q && e2 >= 3 * q && e2 <= pages)) ||
      fail "runs $s1..$e1 and $s2..$e2 do not cover the quarters read"
  else
    assert_line --partial "PAGEMAP_SCAN: ENOTTY: added in Linux 6.7"
  fi
  local f
  f="$(realpath "$BATS_TEST_TMPDIR")/ask_kernel.dat"
  assert_line --regexp "^  parse /proc/self/maps +[0-9]+ calls  \\+0x0\\.\\.\\+0x$(printf %x $((pages * PAGE))) r--s 00000000 $f  median "
  if kernel_at_least 6 11; then
    assert_line --regexp "^  ioctl\\(PROCMAP_QUERY\\) +1 call +\\+0x0\\.\\.\\+0x$(printf %x $((pages * PAGE))) r--s 00000000 $f  median "
  else
    assert_line --partial "PROCMAP_QUERY: ENOTTY: added in Linux 6.11"
  fi
  refute_line --partial DIFFERENT
  # a verdict for every pair it could measure, from its own numbers
  local answers verdicts
  # (none at all on a kernel that has none of the three new ways)
  answers=$(grep -c '^  answers: the same$' <<<"$output" || true)
  verdicts=$(grep -cE '^  verdict: .* (faster than|slower than|within a factor of 2 of each other here)' <<<"$output" || true)
  assert_equal "$verdicts" "$answers"
  assert_equal "$(ls -A)" ""
}

@test "demo ask_kernel: bad sizes are usage errors; an existing file is left alone" {
  run_demo -2 --separate-stderr ask_kernel 10
  assert_one_error_line ask_kernel "pages '10'"
  run_demo -2 --separate-stderr ask_kernel 18
  assert_one_error_line ask_kernel "pages '18': not a multiple of 4"
  echo precious >ask_kernel.dat
  run_demo -1 --separate-stderr ask_kernel
  assert_one_error_line ask_kernel "ask_kernel.dat.*File exists"
  assert_equal "$(cat ask_kernel.dat)" precious
}

# ---------------------------------------------------------------- wp_snapshot

@test "demo wp_snapshot: the snapshot fits one moment, and no store is lost" {
  if on_valgrind; then
    # Valgrind runs one thread at a time; without fair scheduling the
    # writer, which never blocks, can keep the copier from its turn for
    # seconds after each of its 256 sleeps (one run took 277 s).
    WB_WRAPPER="$WB_WRAPPER --fair-sched=yes" run_demo wp_snapshot
  else
    run_demo wp_snapshot
  fi
  if on_valgrind; then
    assert_line "  userfaultfd(2): ENOSYS: Valgrind does not implement this system call"
    return
  fi
  need_uffd
  assert_success
  assert_line "a region of 256 pages; a writer thread puts store number c into page c mod 256, as fast as it can"
  # nanosleep never sleeps less than asked: the timed copy takes longer
  local took
  took=$(sed -nE 's/^  the copy took ([0-9]+)\.[0-9] ms \(the sleeps asked for 25\.6\)$/\1/p' <<<"$output")
  [[ -n $took ]] || fail "no 'the copy took' line"
  ((took >= 25)) || fail "the copy took $took ms, less than the 25.6 ms of sleeps"
  assert_line "  UFFDIO_WRITEPROTECT over all 256 pages (one ioctl): the moment of the snapshot"
  assert_line --regexp "^  the copier copied ([0-9]+) pages in order; the handler copied ([0-9]+) first, on [0-9]+ write faults$"
  local c h
  read -r c h < <(sed -nE 's/^  the copier copied ([0-9]+) pages in order; the handler copied ([0-9]+) first.*/\1 \2/p' <<<"$output")
  assert_equal $((c + h)) 256
  assert_line --regexp "^  the snapshot is the region after store [0-9]+: every page fits$"
  assert_line --regexp "^  the region after the writer stopped: every page holds its last store, up to [0-9]+: yes, no store lost$"
}

@test "demo wp_snapshot: as nobody, with UFFD_USER_MODE_ONLY, the same snapshot" {
  need_uffd
  [[ $(cat /proc/sys/vm/unprivileged_userfaultfd) == 0 ]] ||
    skip "vm.unprivileged_userfaultfd is not 0 here: no EPERM to show"
  as_nobody "$(demo_path wp_snapshot)" 64
  assert_success
  assert_line "  userfaultfd(2): EPERM; again with UFFD_USER_MODE_ONLY: ok (the writer's faults are user-mode faults)"
  assert_line --regexp "^  the snapshot is the region after store [0-9]+: every page fits$"
}

@test "demo wp_snapshot: PAGES below 2 is a usage error" {
  run_demo -2 --separate-stderr wp_snapshot 1
  assert_one_error_line wp_snapshot "pages '1'"
}

# ---------------------------------------------------------------- wp_async

@test "demo wp_async: each scan returns the pages written since the last one; pre-copy ends in an equal copy" {
  run_demo wp_async
  if on_valgrind; then
    assert_line "userfaultfd(2): ENOSYS (Valgrind does not implement it): nothing to show here"
    return
  fi
  need_uffd
  assert_success
  if ! kernel_at_least 6 7; then
    assert_line --partial "UFFDIO_API with UFFD_FEATURE_WP_ASYNC: EINVAL: the asynchronous mode came in Linux 6.7"
    return
  fi
  after "  store into pages 3 4 5 100" 1 "  written since the last scan: 3-5 100"
  after "  store into pages 4 200 201, and into page 4 again" 1 "  written since the last scan: 4 200-201"
  after "  no stores" 1 "  written since the last scan: none"
  assert_line "  messages on the userfaultfd: none (EAGAIN): the kernel resolved every write fault itself"
  assert_line "  round 0: copied all 1024 pages"
  assert_line --regexp "^  rounds 1 to [1-8], one per 2 ms: [0-9]+ pages written since round 0 in round 1, [0-9]+ in the last; [0-9]+ copied again in all$"
  # (The per-round store counts are checked for their form only; what the
  # scans mean is checked above: they report exactly the pages stored into.)
  assert_line --regexp "^  the writer.s stores: [0-9]+ in round 1, [0-9]+ in the last; the fewest in one round: [0-9]+$"
  assert_line --regexp "^  stop the writer \\(after [0-9]+ stores, [0-9]+ since just before the last round's scan\\) and copy the [0-9]+ pages of the last scan \\(stop-and-copy\\)$"
  # each store writes one page, and the count is taken before the scan: the
  # last scan cannot report more pages than stores were made after it
  local since np
  read -r since np < <(sed -nE "s/^  stop the writer \\(after [0-9]+ stores, ([0-9]+) since just before.* copy the ([0-9]+) pages.*/\\1 \\2/p" <<<"$output")
  [[ -n $np ]] || fail "no stop-and-copy line"
  ((np <= since)) || fail "the last scan reported $np pages, after $since stores"
  assert_line "  the copy equals the region: yes"
}

@test "demo wp_async: PAGES below 256 is a usage error" {
  run_demo -2 --separate-stderr wp_async 10
  assert_one_error_line wp_async "pages '10'"
}

# ---------------------------------------------------------------- pmadvise

# has_cap_sys_nice: CAP_SYS_NICE (bit 23) is in this process's effective set
# (root has it; a container's root under Docker's defaults does not).
has_cap_sys_nice() {
  local eff
  eff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
  (((16#$eff >> 23) & 1))
}

@test "demo pmadvise: with CAP_SYS_NICE the child's file pages are reclaimed; anonymous ones need swap" {
  [[ -z ${WB_SANDBOX:-} ]] && has_cap_sys_nice ||
    skip "needs CAP_SYS_NICE, which this process lacks (root has it; Docker's default capabilities do not)"
  run_demo pmadvise 256
  assert_success
  local kb=$((256 * PAGE / 1024))
  assert_line "  child's Rss at first: file region $kb kB, anonymous region $kb kB"
  if on_valgrind; then
    assert_line --partial "ENOSYS: Valgrind does not know this system call"
    return
  fi
  assert_line "process_madvise(pidfd, the file region, MADV_PAGEOUT): $((256 * PAGE)) bytes advised"
  assert_line "process_madvise(pidfd, the anonymous region, MADV_PAGEOUT): $((256 * PAGE)) bytes advised"
  local file_after anon_after
  read -r file_after anon_after < <(sed -nE 's/^  child.s Rss now: file region ([0-9]+) kB, anonymous region ([0-9]+) kB$/\1 \2/p' <<<"$output" | tail -1)
  # clean file pages are unmapped at once (on tmpfs too, where they stay in
  # memory as the file)
  ((file_after < kb / 8)) || fail "file region still $file_after kB"
  # with no swap, anonymous pages have nowhere to go
  if [[ $(awk '/^SwapTotal:/ { print $2 }' /proc/meminfo) -eq 0 ]]; then
    assert_equal "$anon_after" "$kb"
  fi
  assert_line "process_madvise(pidfd, the anonymous region, MADV_DONTNEED): EINVAL: only MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED and MADV_COLLAPSE may be given to another process"
  assert_equal "$(ls -A)" ""
}

@test "demo pmadvise: without CAP_SYS_NICE: EPERM, and the child keeps its pages" {
  on_valgrind && skip "Valgrind does not know process_madvise(2)"
  # nobody writes its file in a directory of its own (as_nobody makes the
  # test's directory 755)
  mkdir -m 1777 w
  TMPDIR=w as_nobody "$(demo_path pmadvise)" 64 # relative: the parents are 0700
  assert_success
  if [[ $(id -u) -eq 0 && -z ${WB_SANDBOX:-} ]]; then # setpriv: no capabilities
    assert_line "process_madvise(pidfd, the file region, MADV_PAGEOUT): EPERM: advice for another process needs CAP_SYS_NICE, which this process lacks"
  else # the demo names the cause from its own CapEff
    assert_line --regexp "^process_madvise\(pidfd, the file region, MADV_PAGEOUT\): EPERM: (advice for another process needs CAP_SYS_NICE, which this process lacks|refused although this process has CAP_SYS_NICE: a seccomp filter)$"
  fi
  refute_line --partial "bytes advised"
  assert_line "  child's Rss now: file region 256 kB, anonymous region 256 kB"
}

# ---------------------------------------------------------------- ex2_vmaquery

# start_target: a process to ask about, as the program's own user, with its
# libraries mapped; its pid in TARGET.
start_target() {
  # (not through as_program_user: a function run with & is a subshell, and
  # $! would be that bash, not the sleep)
  if [[ -n ${WB_SANDBOX:-} && -n ${WB_SANDBOX_UID:-} && $(id -u) -eq 0 ]]; then
    setpriv --reuid="$WB_SANDBOX_UID" --regid="${WB_SANDBOX_GID:-$WB_SANDBOX_UID}" --clear-groups -- sleep 60 &
  else
    sleep 60 &
  fi
  TARGET=$!
  local k
  for k in $(seq 100); do
    # Started means: sleep itself, with libc mapped, asleep (state S, in
    # its nanosleep). Before that the dynamic loader may still be changing
    # the maps (RELRO's mprotect splits a rw-p VMA). Read as the program's
    # user: a container's root, without CAP_SYS_PTRACE, may not read another
    # user's maps.
    if [[ $(cat /proc/$TARGET/comm 2>/dev/null) == sleep &&
          $(cut -d' ' -f3 /proc/$TARGET/stat 2>/dev/null) == S ]] &&
       as_program_user grep -q 'libc\.' /proc/$TARGET/maps 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  fail "the target process did not start"
}
teardown() {
  [[ -z ${TARGET:-} ]] || { kill "$TARGET" 2>/dev/null; wait "$TARGET" 2>/dev/null; } || true
}

# expect_lines: the addresses to ask (ADDRS) and the lines expected (WANT),
# from the target's /proc/PID/maps: the first, a middle and the last byte of
# every VMA but [vsyscall], and two addresses no VMA holds.
expect_lines() {
  local maps
  maps=$(as_program_user cat /proc/$TARGET/maps)
  ADDRS=() WANT=()
  local line s e rest name a
  while read -r line; do
    [[ $line == *"[vsyscall]"* ]] && continue
    s=$((16#${line%%-*}))
    e=${line#*-}
    e=$((16#${e%% *}))
    # the five fields, one space each; then the name, if any
    read -r f1 f2 f3 f4 f5 name <<<"$line"
    rest="$f1 $f2 $f3 $f4 $f5"
    [[ -n $name ]] && rest+=" $name"
    for a in $s $(((s + e) / 2)) $((e - 1)); do
      ADDRS+=("$(printf '0x%x' "$a")")
      WANT+=("$(printf '0x%x' "$a"): $rest")
    done
  done <<<"$maps"
  ADDRS+=(0x10 16)
  WANT+=("0x10: not mapped" "16: not mapped")
}

# points: 2
# see: ioctl(2) (PROCMAP_QUERY), chapter 15 "Asking the kernel instead of parsing text: cachestat, PAGEMAP_SCAN, PROCMAP_QUERY"
@test "ex2_vmaquery: PROCMAP_QUERY finds each address's VMA as /proc/PID/maps lists it" {
  kernel_at_least 6 11 || skip "kernel $(uname -r) predates PROCMAP_QUERY (Linux 6.11)"
  start_target
  expect_lines
  run_ex --separate-stderr ex2_vmaquery "$TARGET" "${ADDRS[@]}"
  assert_success
  assert_equal "${lines[0]}" "method: PROCMAP_QUERY"
  local k
  for k in "${!WANT[@]}"; do
    assert_equal "${lines[$((k + 1))]}" "${WANT[$k]}"
  done
  assert_equal "${#lines[@]}" $((${#WANT[@]} + 1))
}

# points: 2
# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex2_vmaquery: VMAQUERY_FALLBACK parses /proc/PID/maps, with the same lines" {
  start_target
  expect_lines
  VMAQUERY_FALLBACK=1 run_ex --separate-stderr ex2_vmaquery "$TARGET" "${ADDRS[@]}"
  assert_success
  assert_equal "${lines[0]}" "method: /proc/$TARGET/maps"
  local k
  for k in "${!WANT[@]}"; do
    assert_equal "${lines[$((k + 1))]}" "${WANT[$k]}"
  done
  assert_equal "${#lines[@]}" $((${#WANT[@]} + 1))
}

@test "ex2_vmaquery: a bad address or pid is a usage error; a missing process is one error line" {
  run_ex -2 --separate-stderr ex2_vmaquery 1 zz
  assert_one_error_line ex2_vmaquery "address 'zz': not a number"
  assert_equal "$output" ""
  run_ex -2 --separate-stderr ex2_vmaquery 1 0x10 -5
  assert_one_error_line ex2_vmaquery "address '-5': not a number"
  run_ex -2 --separate-stderr ex2_vmaquery x 0x10
  assert_one_error_line ex2_vmaquery "pid 'x'"
  run_ex -1 --separate-stderr ex2_vmaquery 99999999 0x10
  assert_one_error_line ex2_vmaquery "open '/proc/99999999/maps': No such file or directory"
}
