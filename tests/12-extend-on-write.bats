#!/usr/bin/env bats
# Tests for chapter 12-extend-on-write: its demos ("demo ...") and its exercises ("exN_...").

load helper

# Most programs here return from a SIGSEGV handler so that the faulting
# store runs again. Valgrind keeps exact at each memory access only the
# registers it needs to unwind the stack (on amd64 the instruction, stack
# and frame pointers) unless told otherwise, and then the retried
# instruction can run with stale registers. (Natively nothing changes.)
if on_valgrind; then
  WB_WRAPPER="$WB_WRAPPER --px-default=allregs-at-mem-access"
fi

NO_UFFD="Valgrind 3.19 does not implement userfaultfd(2) (ENOSYS): the program can only say so"
# need_uffd: skip where userfaultfd(2) cannot work at all: under Valgrind, or
# where the doctor found it refused to this process (Docker's default seccomp
# profile refuses it with EPERM; so may a sysctl or a kernel without it).
need_uffd() {
  on_valgrind && skip "$NO_UFFD"
  [[ $(fact uffd) == yes ]] ||
    skip "userfaultfd(2) is refused to this process here (doctor: userfaultfd no; Docker's default seccomp profile does this)"
}

# ---------------------------------------------------------------- grow_on_fault

@test "demo grow_on_fault: each access past the end grows the file over the faulting page" {
  run_demo grow_on_fault
  assert_success
  local f
  f="$(realpath "$BATS_TEST_TMPDIR")/grow_on_fault.dat"
  after "1. an empty file over a 17-page reservation: 16 pages for the file, 1 guard page" 1 "$(vma eow 0 16 ---s 0 "$f")"
  after "1. an empty file over a 17-page reservation: 16 pages for the file, 1 guard page" 2 "$(vma eow 16 17 ---p 0)"
  # the first store: one fault, one page of file, the VMA split in two
  local w2="2. write \"first\" at offset 0 (page 0): faults 1, file size $PAGE"
  after "$w2" 1 "$(vma eow 0 1 rw-s 0 "$f")"
  after "$w2" 2 "$(vma eow 1 16 ---s "$PAGE" "$f")"
  after "$w2" 3 "$(vma eow 16 17 ---p 0)"
  # the same page again: no fault, and no maps lines
  local w3="3. write \"second\" at offset 100 (page 0): faults 1, file size $PAGE"
  after "$w3" 1 "4. write \"third\" at offset $((4 * PAGE + 1616)) (page 4): faults 2, file size $((5 * PAGE))"
  # a store in page 4 opens pages 1-4 at once: one rw-s VMA of 5 pages
  after "$w3" 2 "$(vma eow 0 5 rw-s 0 "$f")"
  after "$w3" 3 "$(vma eow 5 16 ---s $((5 * PAGE)) "$f")"
  assert_line "5. read offset $((2 * PAGE + 808)) (page 2): 0; faults 2, file size $((5 * PAGE))"
  # a read past the end grows the file as well
  local r6="6. read offset $((9 * PAGE + 3136)) (page 9): 0; faults 3, file size $((10 * PAGE))"
  after "$r6" 1 "$(vma eow 0 10 rw-s 0 "$f")"
  after "$r6" 2 "$(vma eow 10 16 ---s $((10 * PAGE)) "$f")"
  local hwm=$((4 * PAGE + 1616 + 5))
  assert_line "7. close: trim the file to the end of the last write, $hwm bytes"
  assert_line "   file size $hwm; pread() finds \"first\", \"second\" and \"third\""
  assert_equal "$(ls -A)" ""
}

@test "demo grow_on_fault: a larger limit only lengthens the PROT_NONE part and moves the guard" {
  run_demo grow_on_fault 1000
  assert_success
  local f
  f="$(realpath "$BATS_TEST_TMPDIR")/grow_on_fault.dat"
  assert_line "1. an empty file over a 1001-page reservation: 1000 pages for the file, 1 guard page"
  assert_line "$(vma eow 0 1000 ---s 0 "$f")"
  assert_line "$(vma eow 10 1000 ---s $((10 * PAGE)) "$f")"
  assert_line "$(vma eow 1000 1001 ---p 0)"
}

@test "demo grow_on_fault: too small a limit is a usage error; an existing file is left alone" {
  run_demo -2 --separate-stderr grow_on_fault 9
  assert_one_error_line grow_on_fault "pages '9'"
  echo precious >grow_on_fault.dat
  run_demo -1 --separate-stderr grow_on_fault
  assert_one_error_line grow_on_fault "grow_on_fault.dat.*File exists"
  assert_equal "$(cat grow_on_fault.dat)" "precious"
}

# ---------------------------------------------------------------- not_ours

@test "demo not_ours: the handler grows for its own fault; the others still kill with SIGSEGV, truncation with SIGBUS" {
  run_demo not_ours
  assert_success
  local c1="1. a store in page 2 of the file"
  after "$c1" 1 "  handler: SEGV_ACCERR at offset $((2 * PAGE)): ours, the file grows to $((3 * PAGE)) bytes"
  after "$c1" 2 "  child: the store went through, exit 0"
  after "$c1" 3 "  parent: the child exited with status 0"
  local c2="2. a store near address 0 (a null pointer plus 16)"
  after "$c2" 1 "  handler: SEGV_MAPERR outside the reservation: not ours, SIG_DFL"
  after "$c2" 2 "  parent: the child was killed by SIGSEGV"
  local c3="3. a store in the guard page, just past the file's limit"
  after "$c3" 1 "  handler: SEGV_ACCERR at offset $((4 * PAGE)), past the file's limit: not ours, SIG_DFL"
  after "$c3" 2 "  parent: the child was killed by SIGSEGV"
  local c4="4. a store into a string constant (read-only data)"
  after "$c4" 1 "  handler: SEGV_ACCERR outside the reservation: not ours, SIG_DFL"
  after "$c4" 2 "  parent: the child was killed by SIGSEGV"
  local c5="5. a store after the file was truncated under the open pages"
  after "$c5" 1 "  handler: SEGV_ACCERR at offset $PAGE: ours, the file grows to $((2 * PAGE)) bytes"
  after "$c5" 2 "  child: someone truncates the file to 0 bytes; store at offset 0"
  # SIGBUS, not SIGSEGV: no handler line, and the child dies of it
  after "$c5" 3 "  parent: the child was killed by SIGBUS"
  # the children wrote no core files and left no temporary files
  assert_equal "$(ls -A)" ""
}

@test "demo not_ours: takes no arguments" {
  run_demo -2 --separate-stderr not_ours 1
  assert_one_error_line not_ours "no arguments"
}

# ---------------------------------------------------------------- chunks

@test "demo chunks: faults = chunks touched; the file is whole chunks until close trims it" {
  local bytes np c faults
  for bytes in 100000 0 1 "$PAGE" $((3 * PAGE + 1)) 1048576; do
    run_demo chunks "$bytes"
    assert_success
    np=$(((bytes + PAGE - 1) / PAGE))
    assert_line "write $bytes bytes ($np pages), 100 at a time, through an extend-on-write file"
    for c in 1 4 16 64; do
      faults=$(((np + c - 1) / c))
      local p=s f=s
      [[ $c -eq 1 ]] && p=""
      [[ $faults -eq 1 ]] && f=""
      assert_line "  chunk of $c page$p: $faults fault$f; the file was $((faults * c * PAGE)) bytes before close, $bytes after"
    done
    assert_line "every run: the file holds exactly the $bytes bytes written"
  done
}

@test "demo chunks: more than 64M is a usage error" {
  run_demo -2 --separate-stderr chunks 65M
  assert_one_error_line chunks "bytes '65M'"
}

# ---------------------------------------------------------------- two_threads

@test "demo two_threads: concurrent faults: the counts add up and every page holds its writer's mark" {
  local n a_g a_s b_g b_s all_g all_s
  for n in 64 256 2; do
    run_demo two_threads "$n"
    assert_success
    assert_line "the file as the handlers left it (fstat): $((n * PAGE)) bytes; pread: every even page starts 'A', every odd page 'B': yes"
    # Which thread serves which fault varies from run to run; the sums do not.
    read -r a_g a_s < <(sed -nE "s/^  thread A: its handler grew the file ([0-9]+) times and found the page already open ([0-9]+) times$/\1 \2/p" <<<"$output")
    read -r b_g b_s < <(sed -nE "s/^  thread B: its handler grew the file ([0-9]+) times and found the page already open ([0-9]+) times$/\1 \2/p" <<<"$output")
    read -r all_g all_s < <(sed -nE "s/^  in all: ([0-9]+) faults grew the file, ([0-9]+) found the page open \\($n pages: at most $n faults can grow it\\)$/\1 \2/p" <<<"$output")
    [[ -n $a_g && -n $b_g && -n $all_g ]] || fail "missing count lines"
    assert_equal $((a_g + b_g)) "$all_g"
    assert_equal $((a_s + b_s)) "$all_s"
    # each growth opens at least one new page, and page 0 needs one
    ((all_g >= 1 && all_g <= n)) || fail "$all_g faults grew a $n-page file"
  done
}

@test "demo two_threads: fewer than 2 pages is a usage error" {
  run_demo -2 --separate-stderr two_threads 1
  assert_one_error_line two_threads "pages '1'"
}

# ---------------------------------------------------------------- uffd_fill

@test "demo uffd_fill: one fault per page on first touch, COPY or ZEROPAGE; the kernel's access too" {
  run_demo uffd_fill
  assert_success
  if on_valgrind; then
    assert_line "userfaultfd(2): ENOSYS: Valgrind does not implement this system call; nothing to show"
    return
  fi
  if [[ $(fact uffd) == no ]]; then
    assert_line "userfaultfd(2): EPERM; again with UFFD_USER_MODE_ONLY: EPERM: not allowed here (a seccomp filter?); nothing to show"
    return
  fi
  [[ $(id -u) -eq 0 ]] || skip "needs root (CAP_SYS_PTRACE) for the kernel-mode fault"
  assert_line "userfaultfd(2): ok, every fault, the kernel's own accesses included"
  after "main: read page 0" 1 "  handler: fault 1: page 0, read -> UFFDIO_COPY"
  after "main: read page 0" 2 "  main: page 0 starts \"page 0, copied in by the handler thread\""
  after "main: read page 0 again" 1 "  main: page 0 starts \"page 0, copied in by the handler thread\""
  after "main: read page 3" 1 "  handler: fault 2: page 3, read -> UFFDIO_ZEROPAGE"
  after "main: read page 3" 2 "  main: page 3 reads as zeros"
  after "main: write 'W' into page 5" 1 "  handler: fault 3: page 5, write -> UFFDIO_ZEROPAGE"
  after "main: write 'W' into page 5" 2 "  main: page 5 starts \"W\""
  local k="main: read(2) 1 page of /dev/zero into page 6: the kernel writes it"
  after "$k" 1 "  handler: fault 4: page 6, write -> UFFDIO_COPY"
  after "$k" 2 "  main: read(2) returned $PAGE"
  assert_line "4 faults, 4 of 8 pages resident (mincore)"
}

@test "demo uffd_fill: unprivileged, user-mode faults only: the kernel's access fails with EFAULT" {
  need_uffd
  [[ $(cat /proc/sys/vm/unprivileged_userfaultfd) == 0 ]] ||
    skip "vm.unprivileged_userfaultfd is not 0 here: no EPERM to show"
  as_nobody "$(demo_path uffd_fill)"
  assert_success
  assert_line "userfaultfd(2): EPERM; again with UFFD_USER_MODE_ONLY: ok, user-mode faults only"
  assert_line "  handler: fault 3: page 5, write -> UFFDIO_ZEROPAGE"
  local k="main: read(2) 1 page of /dev/zero into page 6: the kernel writes it"
  after "$k" 1 "  main: read(2) failed with EFAULT; faults handled meanwhile: 0: the kernel's access was not handed to us"
  assert_line "3 faults, 3 of 8 pages resident (mincore)"
  refute_line --partial "fault 4"
}

# ---------------------------------------------------------------- uffd_probe

@test "demo uffd_probe: as root every door opens, and the features include MISSING_SHMEM" {
  run_demo uffd_probe
  assert_success
  assert_line "vm.unprivileged_userfaultfd = $(cat /proc/sys/vm/unprivileged_userfaultfd)"
  local dev=ok
  [[ -e /dev/userfaultfd ]] || dev=ENOENT
  if on_valgrind; then
    assert_line "$(printf '%-38s %s' 'userfaultfd(2):' ENOSYS)"
  elif [[ $(fact uffd) == no ]]; then
    assert_line "$(printf '%-38s %s' 'userfaultfd(2):' EPERM)"
    assert_line "$(printf '%-38s %s' 'userfaultfd(2), UFFD_USER_MODE_ONLY:' EPERM)"
    assert_line "no way in: no features to list"
  else
    [[ $(id -u) -eq 0 ]] || skip "not root"
    assert_line "$(printf '%-38s %s' 'userfaultfd(2):' ok)"
    assert_line "$(printf '%-38s %s' 'userfaultfd(2), UFFD_USER_MODE_ONLY:' ok)"
    assert_line "  bit  5  UFFD_FEATURE_MISSING_SHMEM"
  fi
  assert_line "$(printf '%-38s %s' '/dev/userfaultfd, USERFAULTFD_IOC_NEW:' "$dev")"
}

@test "demo uffd_probe: as nobody: EPERM, then UFFD_USER_MODE_ONLY works; the device is root's" {
  need_uffd
  [[ $(cat /proc/sys/vm/unprivileged_userfaultfd) == 0 ]] ||
    skip "vm.unprivileged_userfaultfd is not 0 here: unprivileged callers get everything"
  as_nobody "$(demo_path uffd_probe)"
  assert_success
  assert_line "$(printf '%-38s %s' 'userfaultfd(2):' EPERM)"
  assert_line "$(printf '%-38s %s' 'userfaultfd(2), UFFD_USER_MODE_ONLY:' ok)"
  local dev=EACCES
  [[ -e /dev/userfaultfd ]] || dev=ENOENT
  assert_line "$(printf '%-38s %s' '/dev/userfaultfd, USERFAULTFD_IOC_NEW:' "$dev")"
}

# ---------------------------------------------------------------- ex1_eowlog

# eowlog_line N BYTES FAULTS SIZE: the line ex1_eowlog ends with.
eowlog_line() {
  echo "appended $1 records, $2 bytes, in $3 faults; the file is now $4 bytes"
}
# pages_of BYTES: whole pages needed for BYTES.
pages_of() { echo $((($1 + PAGE - 1) / PAGE)); }

# points: 3
# see: mprotect(2), ftruncate(2), chapter 12 "Watching it grow"
@test "ex1_eowlog: a new log holds exactly the lines, and grew by one fault per page" {
  seq -f 'record %05g' 1 2000 >input
  local bytes
  bytes=$(stat -c %s input)
  run_ex ex1_eowlog log <input
  assert_success
  assert_output "$(eowlog_line 2000 "$bytes" "$(pages_of "$bytes")" "$bytes")"
  cmp log input
  assert_equal "$(stat -c %s log)" "$bytes"
}

# eowlog_waiting LOG INPUT: run ex1_eowlog LOG with its standard input a
# FIFO, and check step 3, grow first, before writing INPUT into it: while
# the program waits for its first line, LOG must already be its old size
# rounded up to whole pages. Only the size shows the order on every
# kernel: before Linux 6.13 (6.12.5, 6.6.70) ext4 keeps bytes stored past
# the end when the file is extended, unless writeback zeroed them first
# (chapter 05), so a program that stores first can end with the right
# bytes there. Sets `status` and `output` as bats' run does.
eowlog_waiting() {
  local log=$1 input=$2 want size fd t bg
  want=$(($(pages_of "$(stat -c %s "$log")") * PAGE))
  rm -f in
  mkfifo in
  wb_exec "$(ex_path ex1_eowlog)" "$log" <in >out 2>err 3>&- &
  bg=$!
  exec {fd}>in
  for ((t = 0; t < WB_TIMEOUT * 20; t++)); do
    size=$(stat -c %s "$log")
    [[ $size -eq $want ]] && break
    kill -0 "$bg" 2>/dev/null || break
    sleep 0.05
  done
  cat "$input" >&"$fd" 2>/dev/null || true
  exec {fd}>&-
  status=0
  wait "$bg" || status=$?
  output=$(cat out)
  [[ $size -eq $want ]] ||
    fail "before the first line, '$log' was $size bytes, not $want: grow first (step 3); exit status $status, stderr: $(cat err)"
}

# points: 2
# see: ftruncate(2), chapter 12 "The handler"
@test "ex1_eowlog: appending to a 100-byte file keeps it and adds the lines (grow first, then write)" {
  head -c 100 /dev/urandom >log
  cp log want
  seq -f 'second batch %06g' 1 700 >in1
  seq -f 'third %g' 1 333 >in2
  local start=100 total
  for input in in1 in2; do
    eowlog_waiting log "$input"
    assert_success
    cat "$input" >>want
    total=$(stat -c %s want)
    # records are shorter than a page: one fault per page the log grew into
    assert_output "$(eowlog_line "$(wc -l <"$input")" $((total - start)) \
      $(($(pages_of "$total") - $(pages_of "$start"))) "$total")"
    cmp log want
    start=$total
  done
}

# see: mmap(2), chapter 12 "Reserve, and lay the file over it"
@test "ex1_eowlog: -m shows the mapping: rw-s over the data, ---s past it, one file" {
  local dir
  dir=$(realpath .)
  { head -c 10000 /dev/zero | tr '\0' 'x' | fold -w 99; echo; } >input
  local bytes np
  bytes=$(stat -c %s input)
  np=$(pages_of "$bytes")
  run_ex ex1_eowlog -m -r 16K log <input
  assert_success
  local rp=$((16384 / PAGE))
  assert_equal "${lines[0]}" "$(vma log 0 "$np" rw-s 0 "$dir/log")"
  assert_equal "${lines[1]}" "$(vma log "$np" "$rp" ---s $((np * PAGE)) "$dir/log")"
  assert_equal "${lines[2]}" "$(eowlog_line "$(wc -l <input)" "$bytes" "$np" "$bytes")"
  assert_equal "${#lines[@]}" 3
  # nothing appended to an empty log: the whole mapping is still PROT_NONE
  run_ex ex1_eowlog -m -r 16K empty </dev/null
  assert_success
  assert_equal "${lines[0]}" "$(vma log 0 "$rp" ---s 0 "$dir/empty")"
  assert_equal "${lines[1]}" "$(eowlog_line 0 0 0 0)"
  [[ -f empty && ! -s empty ]] || fail "no empty file 'empty'"
}

# points: 2
# see: chapter 12 "Reserve, and lay the file over it"
@test "ex1_eowlog: when the log is full: one error line, exit 1, and the file holds the records that fit" {
  seq -f 'line %03g' 1 $((PAGE / 9 + 20)) >input # 9 bytes a line
  local fit=$((PAGE / 9))
  run_ex -1 --separate-stderr ex1_eowlog -r "$PAGE" log <input
  assert_one_error_line ex1_eowlog "log full: record $((fit + 1)) \\(9 bytes\\) does not fit in $PAGE bytes"
  head -n "$fit" input >want
  cmp log want
  # RESERVE is rounded up to whole pages: one byte more is one page more
  seq -f 'line %03g' 1 $((2 * PAGE / 9 + 20)) >input
  fit=$((2 * PAGE / 9))
  run_ex -1 --separate-stderr ex1_eowlog -r $((PAGE + 1)) log2 <input
  assert_one_error_line ex1_eowlog "log full: record $((fit + 1)) \\(9 bytes\\) does not fit in $((2 * PAGE)) bytes$"
  head -n "$fit" input >want
  cmp log2 want
}

# see: chapter 12 "Growing in chunks"
@test "ex1_eowlog: a last line without a newline goes in as it is; records longer than a page too" {
  printf 'a\nbb\nccc' >input
  run_ex ex1_eowlog log <input
  assert_success
  assert_output "$(eowlog_line 3 8 1 8)"
  cmp log input
  # Lines of 3 pages: memcpy() may store a record's last page first, and one
  # fault then opens the pages before it too, so only the bytes are checked.
  head -c $((3 * PAGE)) /dev/zero | tr '\0' 'y' >long
  { echo; cat long; echo; cat long; } >input2
  run_ex ex1_eowlog log2 <input2
  assert_success
  cmp log2 input2
}

# see: chapter 12 "Reserve, and lay the file over it"
@test "ex1_eowlog: a file it cannot open, or one larger than the reservation, is one error line and exit 1" {
  run_ex -1 --separate-stderr ex1_eowlog nosuch/log </dev/null
  assert_one_error_line ex1_eowlog "open 'nosuch/log': No such file or directory"
  head -c $((2 * PAGE + 1)) /dev/zero >big
  run_ex -1 --separate-stderr ex1_eowlog -r $((2 * PAGE)) big </dev/null
  assert_one_error_line ex1_eowlog "'big' \\($((2 * PAGE + 1)) bytes\\) is larger than the reservation \\($((2 * PAGE)) bytes\\)"
  assert_equal "$(stat -c %s big)" $((2 * PAGE + 1))
}

# ---------------------------------------------------------------- ex2_lazyfill

# lazy_model PAGES DATA TOUCH...: the fault lines and the summary the spec
# asks for, worked out here from the touches alone.
lazy_model() {
  local pages=$1 data=$2 n=0 t k kind seen=" "
  shift 2
  for t in "$@"; do
    k=${t:1}
    [[ $seen == *" $k "* ]] && continue
    seen+="$k "
    n=$((n + 1))
    kind=read
    [[ ${t:0:1} == w ]] && kind=write
    if ((k < data)); then echo "fault $n: page $k, $kind, copy"; else echo "fault $n: page $k, $kind, zero"; fi
  done
  echo "$# touches, $n faults, $n of $pages pages resident"
}
# lazy_page K DATA [W]: the expected contents of page K.
lazy_page() {
  if [[ -n ${3:-} ]]; then
    printf 'W'
    lazy_page "$1" "$2" | tail -c +2
  elif (($1 < $2)); then
    yes "$(printf 'page%03d' "$1")" | head -c "$PAGE" # "pageKKK\n" repeated
  else
    head -c "$PAGE" /dev/zero
  fi
}

# points: 3
# see: userfaultfd(2), chapter 12 "Filling pages on demand"
@test "ex2_lazyfill: one fault per page on first touch, in order: read or write, copy or zero" {
  need_uffd
  local touches=(r0 r0 w5 r3 r7 w3 r1 w0)
  run_ex ex2_lazyfill 8 4 "${touches[@]}"
  assert_success
  assert_output "$(lazy_model 8 4 "${touches[@]}")"
  touches=(w9 r2 r9 w2 r15)
  run_ex ex2_lazyfill 16 10 "${touches[@]}"
  assert_success
  assert_output "$(lazy_model 16 10 "${touches[@]}")"
}

# points: 2
# see: userfaultfd(2) (UFFDIO_COPY, UFFDIO_ZEROPAGE), chapter 12 "Filling pages on demand"
@test "ex2_lazyfill: -o OUT holds every page: labels, then zeros, 'W' where written" {
  need_uffd
  run_ex ex2_lazyfill -o out 6 3 w4 r1 w2
  assert_success
  # the touches first, then the copy faults in the other pages in order
  assert_output "$(lazy_model 6 3 w4 r1 w2
    echo "fault 4: page 0, read, copy"
    echo "fault 5: page 3, read, zero"
    echo "fault 6: page 5, read, zero")"
  {
    lazy_page 0 3
    lazy_page 1 3
    lazy_page 2 3 W
    lazy_page 3 3
    lazy_page 4 3 W
    lazy_page 5 3
  } >want
  cmp out want
}

# see: userfaultfd(2), chapter 12 "Filling pages on demand"
@test "ex2_lazyfill: a large region copied out without touches: every page faults once, in order" {
  need_uffd
  run_ex ex2_lazyfill -o out 300 40
  assert_success
  assert_equal "${lines[0]}" "0 touches, 0 faults, 0 of 300 pages resident"
  assert_equal "${#lines[@]}" 301
  assert_equal "${lines[1]}" "fault 1: page 0, read, copy"
  assert_equal "${lines[40]}" "fault 40: page 39, read, copy"
  assert_equal "${lines[41]}" "fault 41: page 40, read, zero"
  assert_equal "${lines[300]}" "fault 300: page 299, read, zero"
  assert_equal "$(stat -c %s out)" $((300 * PAGE))
  local k
  cmp <(head -c $((40 * PAGE)) out) <(for k in $(seq 0 39); do lazy_page "$k" 40; done)
  cmp <(tail -c $((260 * PAGE)) out) <(head -c $((260 * PAGE)) /dev/zero)
}

# points: 2
# see: userfaultfd(2) (UFFD_USER_MODE_ONLY), chapter 12 "Who may use it"
@test "ex2_lazyfill: unprivileged (as make grade runs it) it still works, with UFFD_USER_MODE_ONLY" {
  need_uffd
  local k
  # OUT exists already, writable by the unprivileged user
  : >out
  chmod 666 out
  as_nobody "$(ex_path ex2_lazyfill)" -o out 5 5 r4 w0 r4 r2
  assert_success
  # the copy to OUT faults in the pages not touched (user-mode faults: a
  # write(2) straight from the region would fail with EFAULT instead)
  assert_output "$(lazy_model 5 5 r4 w0 r4 r2
    echo "fault 4: page 1, read, copy"
    echo "fault 5: page 3, read, copy")"
  cmp out <(lazy_page 0 5 W; for k in 1 2 3 4; do lazy_page "$k" 5; done)
}

@test "ex2_lazyfill: a bad touch is a usage error, before anything happens" {
  local bad
  for bad in x3 r4 r w-1 r1x; do
    run_ex -2 --separate-stderr ex2_lazyfill -o out 4 2 r0 "$bad"
    assert_one_error_line ex2_lazyfill "touch '$bad': expected rK or wK"
    [[ ! -e out ]] || fail "'out' was created for touch '$bad'"
  done
}
