#!/usr/bin/env bats
# Tests for chapter 03-shared-anonymous: its demos ("demo ...") and its
# exercises ("exN_...").

load helper

# The number after LABEL on the output line that starts with PREFIX.
number_after() { # PREFIX LABEL
  printf '%s\n' "$output" | grep -F -- "$1" | grep -oE -- "$2 -?[0-9]+" | grep -oE -- '-?[0-9]+$'
}

@test "demo share_fork: the parent reads what the child wrote (MAP_SHARED)" {
  local msg="from-child-$RANDOM"
  run_demo share_fork "$msg"
  assert_success
  assert_line --regexp '^  maps: \+0x0\.\.\+0x1000 rw-s 00000000 1 page /dev/zero \(deleted\)$'
  assert_line 'child:  reads "hello from the parent"'
  assert_line "parent: reads \"$msg\""
  assert_line "parent: the end of the page holds the child's pid"
  assert_line "=> the child's write reached the parent: the page is shared"
}

@test "demo share_fork: with -p (MAP_PRIVATE) the parent does not see it" {
  local msg="from-child-$RANDOM"
  run_demo share_fork -p "$msg"
  assert_success
  assert_line --regexp '^  maps: .* rw-p 00000000 '
  assert_line "child:  wrote \"$msg\", and its pid at the end of the page"
  assert_line 'parent: reads "hello from the parent"'
  refute_line "parent: reads \"$msg\""
  assert_line "parent: the end of the page holds 0, not the child's pid"
  assert_line --partial "=> the parent still reads its own page"
  refute_line --partial "the page is shared"
}

@test "demo share_fork: the verdict comes from the child's pid, not the text" {
  # the child writes the parent's own greeting: the text is the same in
  # both cases, and only the pid marker tells them apart
  local greeting="hello from the parent"
  run_demo share_fork -p "$greeting"
  assert_success
  assert_line "parent: reads \"$greeting\""
  assert_line "parent: the end of the page holds 0, not the child's pid"
  assert_line --partial "=> the parent still reads its own page"
  refute_line --partial "the page is shared"
  run_demo share_fork "$greeting"
  assert_success
  assert_line "parent: reads \"$greeting\""
  assert_line "parent: the end of the page holds the child's pid"
  assert_line "=> the child's write reached the parent: the page is shared"
}

@test "demo share_fork: -h is usage on stdout; a bad option is one line, exit 2" {
  run_demo share_fork -h
  assert_success
  assert_output --partial 'usage: share_fork'
  run_demo -2 --separate-stderr share_fork -x
  assert_one_error_line share_fork "option"
  # MESSAGE and its NUL must leave the page's last pid_t to the marker
  run_demo -2 --separate-stderr share_fork "$(printf '%*s' $((PAGE - 4)) '')"
  assert_one_error_line share_fork "MESSAGE must be shorter than $((PAGE - 4))"
  run_demo share_fork "$(printf '%*s' $((PAGE - 5)) '' | tr ' ' x)"
  assert_success
  assert_line "parent: the end of the page holds the child's pid"
}

@test "demo dev_zero: a shared map of /dev/zero is zero-filled and shared" {
  local n=$((RANDOM * 1000 + 7))
  run_demo dev_zero "$n"
  assert_success
  assert_line --regexp '^  /dev/zero, MAP_SHARED: +\+0x0\.\.\+0x1000 rw-s 00000000 1 page /dev/zero \(deleted\)$'
  assert_line --regexp '^  MAP_SHARED\|MAP_ANONYMOUS: \+0x0\.\.\+0x1000 rw-s 00000000 1 page /dev/zero \(deleted\)$'
  assert_line --regexp '^  /dev/zero, MAP_PRIVATE: +\+0x0\.\.\+0x1000 rw-p 00000000 1 page /dev/zero$'
  assert_line "the page holds 0 non-zero bytes of $PAGE"
  assert_line "parent: reads $n in the shared map, 0 in the private one"
}

@test "demo dev_zero: a bad NUMBER is one usage line, exit 2" {
  for bad in abc -1 2147483648; do
    run_demo -2 --separate-stderr dev_zero -- "$bad"
    assert_one_error_line dev_zero "NUMBER '$bad': .*\\(usage: "
  done
}

@test "demo lost_updates: atomic total is exactly K*M; plain total at most K*M" {
  for km in "2 1000" "4 5000" "8 2000" "3 0"; do
    set -- $km
    run_demo lost_updates "$1" "$2"
    assert_success
    assert_line "atomic_int is lock-free: yes"
    assert_line "atomic_int, atomic_fetch_add: total $(($1 * $2)) (0 lost)"
    local plain
    plain=$(number_after "plain int," "total")
    [ -n "$plain" ] || fail "no plain total for K=$1 M=$2"
    [ "$plain" -le $(($1 * $2)) ] || fail "plain total $plain > K*M for $km"
    # the count it printed is the total it got
    lost=$(($1 * $2 - plain))
    assert_line "plain int,  load then store: total $plain ($lost lost)"
    assert_line --regexp "^  the $1 loops spanned [0-9.]+ ms of wall time and used [0-9.]+ ms of CPU time in all$"
  done
}

@test "demo lost_updates: K out of range is one usage line, exit 2" {
  run_demo -2 --separate-stderr lost_updates 0 10
  assert_one_error_line lost_updates "K '0'"
  run_demo -2 --separate-stderr lost_updates 65 10
  assert_one_error_line lost_updates "K '65'"
  run_demo -2 --separate-stderr lost_updates 2
  assert_one_error_line lost_updates "expected K and M"
}

@test "demo pshared_mutex: K*M increments under a process-shared mutex are exact" {
  for km in "2 1000" "4 5000" "8 2000"; do
    set -- $km
    run_demo pshared_mutex "$1" "$2"
    assert_success
    assert_line "lock: pthread_mutex_t in the mapping, pshared attribute PTHREAD_PROCESS_SHARED"
    assert_line "total $(($1 * $2)) (0 lost)"
  done
}

@test "demo pshared_mutex: -s, a sem_init(pshared=1) semaphore, is exact too" {
  for km in "2 1000" "4 5000" "8 2000"; do
    set -- $km
    run_demo pshared_mutex -s "$1" "$2"
    assert_success
    assert_line "lock: sem_t in the mapping, sem_init(pshared=1, value=1)"
    assert_line "total $(($1 * $2)) (0 lost)"
  done
}

@test "demo pshared_mutex: a bad option or K is one usage line, exit 2" {
  run_demo -2 --separate-stderr pshared_mutex -z 2 10
  assert_one_error_line pshared_mutex "unknown option '-z'"
  run_demo -2 --separate-stderr pshared_mutex -s 0 10
  assert_one_error_line pshared_mutex "K '0'"
}

@test "demo robust_mutex: a robust mutex reports EOWNERDEAD and can be repaired" {
  run_demo robust_mutex
  assert_success
  assert_line "child:  pthread_mutex_lock -> 0 (locked); exits without unlocking"
  assert_line "parent: lock -> EOWNERDEAD"
  assert_line "parent: lock again -> 0 (locked)"
}

@test "demo robust_mutex: -u, no pthread_mutex_consistent, ruins it: ENOTRECOVERABLE" {
  run_demo robust_mutex -u
  assert_success
  assert_line "parent: lock -> EOWNERDEAD"
  assert_line "parent: lock again -> ENOTRECOVERABLE"
}

@test "demo robust_mutex: -n, an ordinary mutex, stays locked: ETIMEDOUT" {
  run_demo robust_mutex -n
  assert_success
  assert_line "parent: lock -> ETIMEDOUT"
  refute_line --partial "EOWNERDEAD"
}

@test "demo robust_mutex: -n and -u together is one usage line, exit 2" {
  run_demo -2 --separate-stderr robust_mutex -n -u
  assert_one_error_line robust_mutex "-n and -u"
}

@test "demo exec_gone: the mapping is inherited by fork but gone after exec" {
  run_demo exec_gone
  assert_success
  assert_line --regexp '^  maps: \+0x0\.\.\+0x1000 rw-s 00000000 1 page /dev/zero \(deleted\)$'
  assert_line 'child:  before exec, reads "written by the parent"'
  assert_line "after exec: shared anonymous mappings in /proc/self/maps: 0"
  # ASLR makes it very unlikely that the new image put something at the old
  # address, but it is allowed; either way the page itself is not there.
  assert_line --regexp '^after exec: (the page.s old address is not in /proc/self/maps|the old address now holds an unrelated mapping .*)$'
  assert_line 'parent: the child is gone; the page still holds "written by the parent"'
}

@test "demo false_sharing: own slots, adjacent or padded, all hold exactly M" {
  run_demo false_sharing 3 20000
  assert_success
  assert_line --regexp '^adjacent slots +8 bytes apart: 3 of 3 slots hold exactly 20000; [0-9]+ ms$'
  assert_line --regexp '^padded +slots 128 bytes apart: 3 of 3 slots hold exactly 20000; [0-9]+ ms$'
}

# ---------------------------------------------------------------- ex1_counter

# see: chapter 03 "Sharing means racing"
@test "ex1_counter: K processes x M atomic increments total exactly K*M" {
  for km in "2 1000" "4 5000" "8 2000" "1 0" "5 1"; do
    set -- $km
    run_ex ex1_counter "$1" "$2"
    assert_success
    assert_output "total: $(($1 * $2))"
  done
}

# see: chapter 03 "Sharing means racing"
@test "ex1_counter: children running at once lose no increment (a volatile ++ or a load then a store does)" {
  # 8 children, each long enough (tens of ms of increments) that they overlap
  # or preempt one another on any machine, busy or not: an increment that is
  # not atomic (volatile ++, atomic_load then atomic_store) then loses
  # updates. (A plain ++ on a non-volatile long escapes: the compiler turns
  # the child's loop into a single add of M.) Under Valgrind, which runs
  # every instruction hundreds of times slower, a shorter run.
  local k=8 m=20000000
  on_valgrind && k=4 m=1000000
  run_ex ex1_counter $k $m
  assert_success
  assert_output "total: $((k * m))"
}

@test "ex1_counter: a bad K is one usage line, exit 2" {
  for bad in 0 abc 101 3x ''; do
    run_ex -2 --separate-stderr ex1_counter "$bad" 10
    assert_one_error_line ex1_counter "K '$bad': .*\\(usage: "
  done
  run_ex -2 --separate-stderr ex1_counter -- -2 10
  assert_one_error_line ex1_counter "K '-2'"
}

@test "ex1_counter: a bad M or a missing argument is one usage line, exit 2" {
  run_ex -2 --separate-stderr ex1_counter 2 many
  assert_one_error_line ex1_counter "M 'many': not a number"
  run_ex -2 --separate-stderr ex1_counter 2
  assert_one_error_line ex1_counter "expected K and M \(usage"
}

# The child processes of PID, one per line (PID's main thread's children).
children_of() {
  local kids=()
  read -ra kids 2>/dev/null <"/proc/$1/task/$1/children" || true  # no newline: status 1
  [ ${#kids[@]} -eq 0 ] || printf '%s\n' "${kids[@]}"
}

# All processes below PID, one per line.
descendants() {
  local p
  for p in $(children_of "$1"); do
    echo "$p"
    descendants "$p"
  done
}

# see: wait(2), chapter 03 "When the holder dies"
@test "ex1_counter: children killed by a signal: named on stderr, exit 1" {
  [ -r "/proc/$$/task/$$/children" ] ||
    skip "this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)"
  # M is far too large to finish: the test kills the children once they run.
  # They run niced, so that on a small machine the busy children do not
  # starve this shell while it looks for them.
  (
    renice -n 10 -p "$BASHPID" >/dev/null
    wb_exec "$(ex_path ex1_counter)" 3 1000000000000 >out 2>err
  ) &
  local bg=$! kids=() p i
  for i in $(seq 200); do
    for p in $(descendants "$bg"); do
      mapfile -t kids < <(children_of "$p")
      [ ${#kids[@]} -eq 3 ] && break 2
    done
    kids=()
    kill -0 "$bg" 2>/dev/null || break
    sleep 0.05
  done
  if [ ${#kids[@]} -ne 3 ]; then
    kill $(descendants "$bg") "$bg" 2>/dev/null || true
    wait "$bg" || true
    fail "ex1_counter never had 3 children at once (stderr: $(cat err))"
  fi
  kill -KILL "${kids[@]}"
  local status=0
  wait "$bg" || status=$?
  assert_equal "$status" 1
  run grep -c . err
  assert_output 3
  for i in 0 1 2; do
    grep -qx "ex1_counter: child $i was killed by SIGKILL" err ||
      fail "no line for child $i in: $(cat err)"
  done
  grep -qE '^total: [0-9]+$' out || fail "no total line in: $(cat out)"
}

# ---------------------------------------------------------------- ex2_parsum

# What ex2_parsum K FILE must print, computed from the task's slicing rule.
expected_parsum() { # K FILE
  awk -v k="$1" '{ a[NR - 1] = $1 }
    END {
      n = NR; s = 0
      for (c = 0; c < k; c++) {
        from = int(c * n / k); to = int((c + 1) * n / k); p = 0
        for (j = from; j < to; j++) p += a[j]
        printf "child %d: %d numbers, partial %.0f\n", c, to - from, p
        s += p
      }
      printf "sum: %.0f\n", s
    }' "$2"
}

# see: mmap(2), chapter 03 "One page, two processes"
@test "ex2_parsum: the sum of 1..1000 and its slices for several K" {
  seq 1 1000 >nums
  for k in 1 3 4 7; do
    run_ex ex2_parsum "$k" nums
    assert_success
    assert_line "sum: 500500"
    assert_output "$(expected_parsum "$k" nums)"
  done
}

# see: mmap(2), chapter 03 "One page, two processes"
@test "ex2_parsum: the per-child slices partition a shuffled file" {
  shuf -i 1-1000000 -n 3001 --random-source=<(yes) >nums
  seq -5000 7 5000 >>nums
  local want
  want=$(awk '{ s += $1 } END { printf "%d", s }' nums)
  run_ex ex2_parsum 5 nums
  assert_success
  assert_line "sum: $want"
  # Cut the file into consecutive pieces of the sizes the program reports;
  # each piece must add up to the partial it reports.
  local start=1 total=0 c count partial got
  for c in 0 1 2 3 4; do
    count=$(number_after "child $c:" "child $c:")
    partial=$(number_after "child $c:" "partial")
    [ -n "$count" ] && [ -n "$partial" ] || fail "no line for child $c"
    got=$(tail -n +"$start" nums | head -n "$count" | awk '{ s += $1 } END { printf "%d", s }')
    assert_equal "$partial" "$got"
    start=$((start + count))
    total=$((total + count))
  done
  assert_equal "$total" "$(wc -l <nums)"
  assert_output "$(expected_parsum 5 nums)"
}

# see: mmap(2), chapter 03 "One page, two processes"
@test "ex2_parsum: files of many pages, ending mid-page and at a page boundary" {
  # 350009 numbers, about 600 pages, the last one part full, with some
  # beyond the range of int among them (awk's doubles add them exactly)
  seq -300000 3 300000 >nums
  printf '%s\n' 4000000000 -7000000001 2147483648 -2147483649 >>nums
  seq 7 -2 -300000 >>nums
  [[ $(($(stat -c %s nums) % PAGE)) -ne 0 ]] || fail "nums ends at a page boundary"
  local k
  for k in 1 6 13; do
    run_ex ex2_parsum "$k" nums
    assert_success
    assert_output "$(expected_parsum "$k" nums)"
  done
  # exactly 300 pages: lines of 8 bytes ("1000000\n" ...)
  seq 1000000 $((1000000 + PAGE / 8 * 300 - 1)) >exact
  assert_equal "$(stat -c %s exact)" $((300 * PAGE))
  run_ex ex2_parsum 5 exact
  assert_success
  assert_output "$(expected_parsum 5 exact)"
}

# see: mmap(2), chapter 01 "Getting it wrong on purpose"
@test "ex2_parsum: more children than numbers, and an empty file" {
  printf '5\n-2\n9\n' >few
  run_ex ex2_parsum 5 few
  assert_success
  assert_output "$(expected_parsum 5 few)"
  assert_line "sum: 12"
  : >empty
  run_ex ex2_parsum 2 empty
  assert_success
  assert_output "$(printf 'child 0: 0 numbers, partial 0\nchild 1: 0 numbers, partial 0\nsum: 0')"
}

@test "ex2_parsum: a bad K is one usage line, exit 2" {
  seq 1 10 >nums
  for bad in 0 abc 101; do
    run_ex -2 --separate-stderr ex2_parsum "$bad" nums
    assert_one_error_line ex2_parsum "K '$bad'"
  done
  run_ex -2 --separate-stderr ex2_parsum -- -3 nums
  assert_one_error_line ex2_parsum "K '-3'"
}

@test "ex2_parsum: a missing file or a bad line is one error line, exit 1" {
  run_ex -1 --separate-stderr ex2_parsum 2 nosuch
  assert_one_error_line ex2_parsum "nosuch.*No such file or directory"
  printf '1\n2\nthree\n4\n' >nums
  run_ex -1 --separate-stderr ex2_parsum 2 nums
  assert_one_error_line ex2_parsum "nums:3: not an integer"
  # the format is an optional '-' and digits: strtoll() alone would take
  # these too
  local bad
  for bad in ' 4' '+5' '-' '6x'; do
    printf '1\n%s\n3\n' "$bad" >nums
    run_ex -1 --separate-stderr ex2_parsum 2 nums
    assert_one_error_line ex2_parsum "nums:2: not an integer"
  done
  # trailing blanks are allowed
  printf '1 \n-2\t\n4 \t \n' >nums
  run_ex ex2_parsum 2 nums
  assert_success
  assert_line "sum: 3"
}
