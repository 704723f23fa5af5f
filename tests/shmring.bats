#!/usr/bin/env bats
# Tests for examples/shmring: a pipe between two processes through a sealed
# memfd mapped twice. Every test runs a receiver and a sender as two
# processes, as a person would, and checks what the other side got. All are
# demo tests ("demo shmring: ..."), run by `make test`'s demo phase.

load helper

SHMRING=$WB_BUILD/examples/shmring/shmring

setup() {
  wb_setup
  # savepid FILE COMMAND...: write this process's pid to FILE, then exec the
  # command, so the pid is the program's own (Valgrind runs its client in
  # the same process). Put in front of WB_WRAPPER to kill a side by pid.
  # shellcheck disable=SC2016  # the script's own $$, $1 and $@
  printf '#!/bin/sh\necho $$ >"$1"; shift; exec "$@"\n' >savepid
  chmod +x savepid
  LIMIT=20
  if on_instrumented; then LIMIT=120; fi
}

sr() {
  local flags=()
  while [[ $# -gt 0 && ( $1 == -[0-9]* || $1 == '!' || $1 == --separate-stderr ) ]]; do
    flags+=("$1")
    shift
  done
  wb_run "${flags[@]}" "$SHMRING" "$@"
}

# with_pid FILE ARGS...: run shmring ARGS through the wrapper, its pid in FILE.
with_pid() {
  local file=$1
  shift
  WB_WRAPPER="$BATS_TEST_TMPDIR/savepid $BATS_TEST_TMPDIR/$file ${WB_WRAPPER:-}" wb_exec "$SHMRING" "$@"
}

# wait_until COMMAND...: poll until COMMAND succeeds, or fail after LIMIT s.
wait_until() {
  local i
  for ((i = 0; i < LIMIT * 20; i++)); do
    "$@" && return 0
    sleep 0.05
  done
  fail "waited ${LIMIT}s for: $*"
}
size_is() { [[ -f $1 && $(stat -c %s "$1") -eq $2 ]]; }
gone() { [[ ! -e $1 ]]; }
is_socket() { [[ -S $1 ]]; }
has_pid() { [[ -s $1 ]]; }

# netstrings FILE N...: messages of N random bytes each, as netstrings.
netstrings() {
  local out=$1 n
  shift
  : >"$out"
  for n in "$@"; do
    { printf '%d:' "$n"; head -c "$n" /dev/urandom; printf ','; } >>"$out"
  done
}

# ---------------------------------------------------------------- through

@test "demo shmring: 3 MB of random bytes go through intact, with a 1 MiB ring and with a one-page ring" {
  head -c 3000000 /dev/urandom >in
  local size
  for size in 1M "$PAGE"; do
    wb_exec "$SHMRING" recv -s "$size" sock >out 2>recv.err &
    local r=$!
    run wb_exec "$SHMRING" send sock <in
    assert_success
    wait "$r" || fail "recv failed: $(cat recv.err)"
    cmp in out
    [[ ! -s recv.err ]] || fail "recv said: $(cat recv.err)"
    [[ ! -e sock ]] || fail "the socket file was left behind"
  done
}

@test "demo shmring: netstrings keep every message's boundaries and bytes, records wrap the end of a one-page ring, the largest fits" {
  local max=$((PAGE - 8)) sizes=() n pos=0 rec wraps=0
  # Sizes that make records straddle the ring's end; then an empty message
  # and the largest one (the ring is empty when it is sent).
  sizes=(1000 1500 2000 7 3000 0 2500 1 "$max" 33 $((PAGE / 2)) 999)
  for n in "${sizes[@]}"; do
    rec=$((8 + (n + 7) / 8 * 8))
    (((pos % PAGE) + rec > PAGE)) && wraps=$((wraps + 1))
    pos=$((pos + rec))
  done
  [[ $wraps -ge 3 ]] || fail "the sizes were meant to wrap the ring at least 3 times (got $wraps)"
  netstrings in "${sizes[@]}"
  wb_exec "$SHMRING" recv -n -s "$PAGE" sock >out 2>recv.err &
  local r=$!
  run wb_exec "$SHMRING" send -n sock <in
  assert_success
  wait "$r" || fail "recv failed: $(cat recv.err)"
  cmp in out
  echo "# ${#sizes[@]} messages, $wraps records across the end of the $PAGE-byte ring" >&3
}

@test "demo shmring: a pipe replacement in a pipeline: seq | send, recv | sort | tail" {
  wb_exec "$SHMRING" recv sock 2>recv.err | sort -n | tail -1 >last &
  local r=$!
  seq 1 200000 | wb_exec "$SHMRING" send sock
  wait "$r"
  assert_equal "$(cat last)" 200000
}

@test "demo shmring: the session in examples/shmring/README.md is a real run" {
  # pids differ per run: compared as "pid N"
  shmring() { wb_exec "$SHMRING" "$@"; }
  replay_session "$WB_ROOT/examples/shmring/README.md" 's/pid [0-9]+/pid N/'
}

# ---------------------------------------------------------------- errors

@test "demo shmring: a message larger than the ring is one error line from send; recv saw the ones before it and says the sender left early" {
  local max=$((PAGE - 8))
  netstrings in 100 $max $((max + 1)) 5
  head -c $((4 + 100 + 1 + ${#max} + 1 + max + 1)) in >want # the first two
  wb_exec "$SHMRING" recv -n -s "$PAGE" sock >out 2>recv.err &
  local r=$! rs=0
  sr -1 --separate-stderr send -n sock <in
  assert_one_error_line shmring "send: message 3 is $((PAGE - 7)) bytes: larger than the ring \($((PAGE - 8)) bytes at most\)"
  wait "$r" || rs=$?
  assert_equal "$rs" 1
  run cat recv.err
  assert_output --regexp '^shmring: recv: the sender \(pid [0-9]+\) went away before the end: 2 messages \('$((100 + PAGE - 8))' bytes\) received$'
  cmp want out
}

@test "demo shmring: a sender killed with SIGKILL: recv reports it and exits 1 within 2 s, having written every byte sent" {
  mkfifo fifo
  head -c 100000 /dev/urandom >in
  wb_exec "$SHMRING" recv sock >out 2>recv.err &
  local r=$! rs=0 t0 t1
  with_pid send.pid send sock <fifo 2>send.err &
  exec 5>fifo
  cat in >&5
  wait_until size_is out 100000
  wait_until has_pid send.pid
  kill -KILL "$(cat send.pid)"
  t0=$EPOCHREALTIME
  wait "$r" || rs=$?
  t1=$EPOCHREALTIME
  exec 5>&-
  assert_equal "$rs" 1
  run cat recv.err
  assert_output --regexp "^shmring: recv: the sender \(pid $(cat send.pid)\) went away before the end: [0-9]+ messages? \(100000 bytes\) received$"
  cmp in out
  local ms
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
  echo "# recv noticed the dead sender and exited ${ms} ms after the SIGKILL" >&3
  on_instrumented || [[ $ms -lt 2000 ]] || fail "recv took $ms ms to notice"
}

@test "demo shmring: a receiver killed with SIGKILL while the sender waits on a full ring: send reports it and exits 1 within 2 s" {
  mkfifo outfifo
  head -c 1000000 /dev/zero >in
  # recv's stdout is a FIFO nobody reads: recv blocks in write(2), the
  # one-page ring fills, and the sender waits for room.
  exec 6<>outfifo
  with_pid recv.pid recv -s "$PAGE" sock >outfifo 2>recv.err &
  wait_until has_pid recv.pid
  wait_until is_socket sock
  wb_exec "$SHMRING" send sock <in 2>send.err &
  local s=$! ss=0 t0 t1
  wait_until gone sock # accepted: recv removes the socket file
  sleep 0.5
  kill -KILL "$(cat recv.pid)"
  t0=$EPOCHREALTIME
  wait "$s" || ss=$?
  t1=$EPOCHREALTIME
  exec 6<&-
  assert_equal "$ss" 1
  run cat send.err
  assert_output --regexp "^shmring: send: the receiver \(pid $(cat recv.pid)\) went away after [0-9]+ messages? \([0-9]+ bytes\) sent$"
  local ms
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1000 }')
  echo "# send noticed the dead receiver and exited ${ms} ms after the SIGKILL" >&3
  on_instrumented || [[ $ms -lt 2000 ]] || fail "send took $ms ms to notice"
}

@test "demo shmring: usage errors exit 2; bad netstrings, no receiver and a bad ring size are one line each" {
  sr -2 --separate-stderr
  assert_one_error_line shmring "say recv or send"
  sr -2 --separate-stderr cat sock
  assert_one_error_line shmring "unknown command 'cat'"
  sr -2 --separate-stderr recv -s 5000 sock
  assert_one_error_line shmring "ring size 5000: a power of two from $PAGE to 1G"
  sr -2 --separate-stderr recv -s 2G sock
  assert_one_error_line shmring "ring size"
  sr -2 --separate-stderr send -t x sock
  assert_one_error_line shmring "seconds 'x'"
  sr -2 --separate-stderr send a b
  assert_one_error_line shmring "send needs one SOCKET"
  sr -2 --separate-stderr recv "$(printf 'x%.0s' {1..120})"
  assert_one_error_line shmring "socket path of 120 bytes: at most 107"
  sr -1 --separate-stderr send -t 0 nosock
  assert_one_error_line shmring "connect 'nosock': No such file or directory"
  sr -0 -h
  assert_output --partial "usage: shmring"
  local bad
  for bad in '3:ab,' '03:abc,' 'x:,' '3:abcd' '5:abc'; do
    wb_exec "$SHMRING" recv -n sock >out 2>recv.err &
    local r=$!
    run --separate-stderr wb_exec "$SHMRING" send -n sock <<<"$bad"
    wait "$r" || true
    [[ $status -eq 1 ]] || fail "send -n of '$bad': status $status"
    [[ $stderr =~ ^shmring:\ send:\ stdin ]] || fail "send -n of '$bad': $stderr"
    [[ $(grep -c . <<<"$stderr") -eq 1 ]] || fail "send -n of '$bad': not one line: $stderr"
  done
}

# ---------------------------------------------------------------- the mapping

@test "demo shmring: both processes map one memfd: header and data, then the data again; nothing appears in /dev/shm; the socket file is gone" {
  ls -A /dev/shm >shm.before
  mkfifo fifo
  with_pid recv.pid recv -s $((2 * PAGE)) sock >out 2>recv.err &
  local r=$!
  wait_until is_socket sock
  with_pid send.pid send sock <fifo 2>send.err &
  local s=$!
  exec 5>fifo
  wait_until gone sock
  wait_until has_pid recv.pid
  wait_until has_pid send.pid
  local pid side
  for side in recv send; do
    pid=$(cat $side.pid)
    # the memfd's lines, addresses in pages from the first one's start
    run maps_of_ring "/proc/$pid/maps"
    # header page and view 1 (file offsets 0 to 3 pages), then view 2,
    # which starts over at the data's first page
    assert_output "+0..+3 rw-s 00000000 /memfd:shmring (deleted)
+3..+5 rw-s $(printf '%08x' "$PAGE") /memfd:shmring (deleted)"
  done
  ls -A /dev/shm >shm.after
  diff shm.before shm.after
  echo hello >&5
  exec 5>&-
  wait "$s"
  wait "$r"
  assert_equal "$(cat out)" hello
}

# maps_of_ring FILE: the lines of /proc/PID/maps for the memfd, as
# "+FROM..+TO PERMS OFFSET PATH" with FROM and TO in pages from the first.
maps_of_ring() {
  local range perms off dev inode path base="" from to
  while read -r range perms off dev inode path; do
    [[ $path == "/memfd:shmring (deleted)" ]] || continue
    from=$((16#${range%-*}))
    to=$((16#${range#*-}))
    [[ -n $base ]] || base=$from
    echo "+$(((from - base) / PAGE))..+$(((to - base) / PAGE)) $perms $off $path"
  done <"$1"
}

# need_python: the hostile peers use os.memfd_create, os.eventfd and
# socket.send_fds/recv_fds (Python 3.10 and later).
need_python() {
  python3 -c 'import os, socket; os.memfd_create, os.eventfd, socket.send_fds' 2>/dev/null ||
    skip "python3 3.10 or later (os.eventfd, socket.send_fds) plays the hostile peer, and it is missing"
}

# A receiver of the test's own, in Python, that hands the sender something
# other than a sealed ring: the sender must refuse it with one line. MODE
# unsealed: a ring whose size is not sealed; nofds: no descriptors; pipe: a
# sealed ring whose consumer asks to be woken at once (cons_wants = 1, at
# byte 72 of the header), with the write end of a pipe whose read end is
# closed in place of the data eventfd, so that the sender's first wake-up
# writes to a pipe without a reader (SIGPIPE, unless it checks or ignores);
# blocking: the same ring with a blocking data eventfd whose counter is one
# short of full (0xfffffffffffffffe), so that the sender's first wake-up
# would block in write(2) for as long as the counter stays full (eventfd(2)).
hostile_receiver() { # MODE
  timeout 60 python3 - "$1" 3>&- <<'EOF' &
import fcntl, os, socket, sys
mode = sys.argv[1]
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind("sock"); ls.listen(1)
c, _ = ls.accept(); os.unlink("sock")
page = os.sysconf("SC_PAGE_SIZE")
fd = os.memfd_create("shmring", os.MFD_ALLOW_SEALING)
os.ftruncate(fd, 2 * page)
os.pwrite(fd, b"SHMRING1" + page.to_bytes(8, "little"), 0)
fds = [fd, os.eventfd(0), os.eventfd(0)]
if mode == "pipe":
    os.pwrite(fd, (1).to_bytes(8, "little"), 72)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
    r, fds[1] = os.pipe()
    os.close(r)
if mode == "blocking":
    os.pwrite(fd, (1).to_bytes(8, "little"), 72)
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW)
    os.eventfd_write(fds[1], 0xfffffffffffffffe)
if mode == "nofds":
    c.send(b"shmring\0")
else:
    socket.send_fds(c, [b"shmring\0"], fds)
c.recv(1)
EOF
  HOSTILE=$!
  wait_until is_socket sock
}

@test "demo shmring: send refuses a memfd without size seals, and a receiver that sends no descriptors: one line each" {
  need_python
  hostile_receiver unsealed
  sr -1 --separate-stderr send sock </dev/null
  assert_one_error_line shmring "send: the memfd received is not sealed against resizing"
  wait "$HOSTILE"
  hostile_receiver nofds
  sr -1 --separate-stderr send sock </dev/null
  assert_one_error_line shmring "receive the ring: the receiver sent no ring"
  wait "$HOSTILE"
}

@test "demo shmring: send refuses a pipe without a reader passed in place of the data eventfd: one line, exit 1, not killed by SIGPIPE" {
  need_python
  hostile_receiver pipe
  sr -1 --separate-stderr send sock <<<hello
  assert_one_error_line shmring "send: the data eventfd received is pipe:\[[0-9]+\], not an eventfd$"
  wait "$HOSTILE"
}

@test "demo shmring: send refuses a blocking eventfd whose counter is full, which would hang its first wake-up: one line, exit 1" {
  need_python
  hostile_receiver blocking
  sr -1 --separate-stderr send sock <<<hello
  assert_one_error_line shmring "send: the data eventfd received is blocking \(no O_NONBLOCK\)$"
  wait "$HOSTILE"
}

# The same hostile peer, seen from the other side: a "producer" whose
# record length points past what it published. recv's ring is its own, so
# the test plays producer through a ring recv made: run recv, connect as
# the sender in Python, write a bad record into the shared memory.
@test "demo shmring: recv refuses a corrupt record (a length past the published head) with one line, no crash" {
  need_python
  wb_exec "$SHMRING" recv -s "$PAGE" sock >out 2>recv.err &
  local r=$! rs=0
  wait_until is_socket sock
  timeout 60 python3 - 3>&- <<'EOF'
import mmap, os, socket, time
for _ in range(400):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect("sock"); break
    except OSError:
        time.sleep(0.05)
msg, fds, _, _ = socket.recv_fds(s, 8, 3)
page = os.sysconf("SC_PAGE_SIZE")
m = mmap.mmap(fds[0], 2 * page)
m[page:page + 8] = (3000).to_bytes(4, "little") + bytes(4)   # claims 3000 bytes
m[64:72] = (16).to_bytes(8, "little")                        # publishes 16
os.eventfd_write(fds[1], 1)
s.recv(1)   # until recv has gone
EOF
  wait "$r" || rs=$?
  assert_equal "$rs" 1
  run cat recv.err
  assert_output "shmring: recv: corrupt record at byte 0: length 3000"
  [[ ! -s out ]]
}
