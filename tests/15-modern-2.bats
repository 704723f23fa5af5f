#!/usr/bin/env bats
# Tests for chapter 15-modern, second part: mthp, ask_kernel, wp_snapshot,
# wp_async, pmadvise and ex2_vmaquery. (The first part's tests are in
# tests/15-modern.bats; scripts/run-tests.sh --chapter 15 runs both.)

load helper

# helper.bash names the chapter after this file: the programs live in 15-modern.
WB_CHAPTER=15-modern

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
  local best=1 s kb mode
  for s in $(fact thp_sizes); do
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
  [[ $(fact thp) == madvise ]] ||
    skip "THP is $(fact thp) here: the lines below are for madvise (under always a write fault already maps 2 MiB; under never the kernel may refuse)"
  assert_line "$(printf '  %-54s %s' 'a 1-page VMA:' 'EINVAL; AnonHugePages 0 kB')"
  assert_line "$(printf '  %-54s %s' 'a 4096 kB VMA at a 2 MiB boundary, never written:' 'EINVAL; AnonHugePages 0 kB')"
  assert_line "$(printf '  %-54s %s' 'the same after writing page 0, range 1 page:' '0; AnonHugePages 0 kB')"
  assert_line "$(printf '  %-54s %s' 'range of 2 MiB starting 1 page in:' '0; AnonHugePages 0 kB')"
  assert_line "$(printf '  %-54s %s' 'range of the first 2 MiB, aligned:' '0; AnonHugePages 2048 kB')"
  assert_line "  Rss of the VMA: $((PAGE / 1024)) kB before, 2048 kB after; writing the other $((2097152 / PAGE - 1)) pages: 0 faults"
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
    assert_line "  cachestat(2): under Valgrind, which does not know this system call (ENOSYS); run natively"
  elif kernel_at_least 6 5; then
    assert_line --regexp "^  cachestat\\(2\\) on the descriptor +1 call +$cached of $pages pages cached "
  else
    assert_line --partial "cachestat(2): ENOSYS: added in Linux 6.5"
  fi
  assert_line --regexp "^  pread\\(2\\) of /proc/self/pagemap +1 call +$((2 * q)) present, in 2 runs "
  if kernel_at_least 6 7; then
    assert_line "    run 1: pages 0..$q, PAGE_IS_PRESENT|PAGE_IS_FILE"
    assert_line "    run 2: pages $((2 * q))..$((3 * q)), PAGE_IS_PRESENT|PAGE_IS_FILE"
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
  answers=$(grep -c '^  answers: the same$' <<<"$output")
  verdicts=$(grep -cE '^  verdict: .* (faster than|slower than|within a factor of 2 of each other here)' <<<"$output")
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
  run_demo wp_snapshot
  if on_valgrind; then
    assert_line "  userfaultfd(2): ENOSYS: Valgrind does not implement this system call"
    return
  fi
  need_uffd
  assert_success
  assert_line "a region of 256 pages; a writer thread puts store number c into page c mod 256, as fast as it can"
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
  assert_line --regexp "^  stop the writer \\(after [0-9]+ stores\\) and copy the [0-9]+ pages of the last scan \\(stop-and-copy\\)$"
  assert_line "  the copy equals the region: yes"
}

@test "demo wp_async: PAGES below 256 is a usage error" {
  run_demo -2 --separate-stderr wp_async 10
  assert_one_error_line wp_async "pages '10'"
}

# ---------------------------------------------------------------- pmadvise

@test "demo pmadvise: with CAP_SYS_NICE the child's file pages are reclaimed; anonymous ones need swap" {
  [[ $(fact root) == yes && -z ${WB_SANDBOX:-} ]] || skip "needs CAP_SYS_NICE (root)"
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
  # clean file pages go at once (but not on tmpfs, where they are the file)
  if ! on_tmpfs; then ((file_after < kb / 8)) || fail "file region still $file_after kB"; fi
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
  assert_line "process_madvise(pidfd, the file region, MADV_PAGEOUT): EPERM: advice for another process needs CAP_SYS_NICE (and ptrace read access to it)"
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
    grep -q 'libc\.' /proc/$TARGET/maps 2>/dev/null && return 0
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
  maps=$(cat /proc/$TARGET/maps)
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
