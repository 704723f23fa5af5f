#!/usr/bin/env bats
# Tests for chapter 14-perfdata: its demos ("demo ...") and its exercises ("exN_...").
#
# Every producer and monitor here uses BASE=base, in the test's own directory
# (through $PERFDATA_TMPDIR), never the real /tmp. The one exception is the
# JVM interop test, which reads the file a real JVM writes in
# /tmp/hsperfdata_USER. BASE is relative because the grader's sandbox runs
# programs as another uid, which may not traverse the directories above.

load helper

setup() {
  wb_setup
  export PERFDATA_TMPDIR=base
  mkdir -p "$PERFDATA_TMPDIR"
  ME=$(id -un)
  UDIR=$PERFDATA_TMPDIR/hsperfdata_$ME
  BG=()
}

# Stop every background process a test started (by pid), and a JVM.
teardown() {
  local p
  for p in ${VM_PID:-} "${BG[@]}" ${JVM_PID:-}; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${BG[@]}" ${JVM_PID:-}; do
    wait "$p" 2>/dev/null || true
  done
  remove_jvm_dir
  jvm_unlock
}

# ------------------------------------------------------------------ helpers

# Bytes for printf: hex8 N, hex32 N ORDER, hex64 N ORDER (ORDER le or be).
hex8() { printf '\\x%02x' $(($1 & 255)); }
hex32() {
  local n=$1 b=()
  b=($((n & 255)) $((n >> 8 & 255)) $((n >> 16 & 255)) $((n >> 24 & 255)))
  [[ ${2:-le} == be ]] && b=("${b[3]}" "${b[2]}" "${b[1]}" "${b[0]}")
  printf '\\x%02x' "${b[@]}"
}
hex64() {
  local n=$1 k b=()
  for k in 0 1 2 3 4 5 6 7; do b+=($((n >> (8 * k) & 255))); done
  [[ ${2:-le} == be ]] && b=("${b[7]}" "${b[6]}" "${b[5]}" "${b[4]}" "${b[3]}" "${b[2]}" "${b[1]}" "${b[0]}")
  printf '\\x%02x' "${b[@]}"
}
# poke FILE OFFSET ESCAPES: overwrite bytes in place.
poke() {
  # shellcheck disable=SC2059  # the escapes are the format
  printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# Numbers read back from a file in this machine's byte order.
u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }
s64() { od -An -td8 -j "$2" -N8 "$1" | tr -d ' '; }
cstr() { dd if="$1" bs=1 skip="$2" count=200 status=none | tr '\0' '\n' | head -1; }

# entry FILE ORDER OFF LEN NAME VLEN TYPE UNITS VARIABILITY DATAOFF DATA
entry() {
  poke "$1" "$3" "$(hex32 "$4" "$2")$(hex32 20 "$2")$(hex32 "$6" "$2")$7\\x01$(hex8 "$8")$(hex8 "$9")$(hex32 "${10}" "$2")$5\\x00"
  poke "$1" $(($3 + ${10})) "${11}"
}

# craft FILE ORDER: a 4096-byte region made by hand from the documented
# format, three counters: a.long=-5 (J), b.str="hi" (B, String, NUL inside),
# c.bytes=0x01abff (B, units Bytes). Made once per file of tests and copied:
# the dozens of small printf and dd runs cost a tenth of a second each time.
craft() {
  local cache=$BATS_FILE_TMPDIR/crafted.$2
  [[ -s $cache ]] || { craft_anew "$cache.new" "$2" && mv "$cache.new" "$cache"; }
  cp "$cache" "$1"
}
craft_anew() {
  local f=$1 o=$2
  head -c 4096 /dev/zero >"$f"
  poke "$f" 0 '\xca\xfe\xc0\xc0'
  poke "$f" 4 "$(hex8 "$([[ $o == be ]] && echo 0 || echo 1)")\\x02\\x00\\x01"
  poke "$f" 8 "$(hex32 144 "$o")"
  poke "$f" 24 "$(hex32 32 "$o")$(hex32 3 "$o")"
  entry "$f" "$o" 32 40 a.long 0 J 4 2 32 "$(hex64 -5 "$o")"
  entry "$f" "$o" 72 40 b.str 8 B 5 1 26 'hi\x00junk'
  entry "$f" "$o" 112 32 c.bytes 3 B 2 1 28 '\x01\xab\xff'
}
CRAFTED=$'a.long=-5\nb.str="hi"\nc.bytes=0x01abff'

# A region saved by perfvm: 8 counters, the first one (perfvm.rt.version) at
# offset 32: name at 52, 18 bytes with its NUL, data at 70, length 88.
save_region() { # FILE [perfvm args]
  local f=$1
  shift
  wb_exec "$(demo_path perfvm)" -t 0 -s "$f" "$@" >/dev/null || fail "perfvm -s $f failed"
}

# The hostile variants of a saved region, as NAME PATTERN pairs; make_hostile
# NAME FILE corrupts FILE accordingly. PATTERN is what the error must say.
HOSTILE=(
  magic 'bad magic 00 fe c0 c0'
  order 'bad byte order 7'
  major 'unsupported major version 3'
  entry_offset 'entry_offset 40000 is outside'
  past_end 'entry 0.*past the end'
  no_advance 'entry 0.*entry_length 8 does not advance'
  no_nul 'entry 0.*the name has no NUL inside the entry'
  vector 'entry 0.*vector_length 1000 does not fit in the entry'
  truncated 'entry 83.*past the end'
)
make_hostile() { # NAME FILE
  local f=$2
  if [[ $1 == truncated ]]; then
    save_region "$f" -e 200
    truncate -s 4096 "$f"   # a page multiple, cutting entry 83 (at 4080) in two
    poke "$f" 8 "$(hex32 4096)"   # and used no longer says so
    return
  fi
  save_region "$f"
  case $1 in
    magic) poke "$f" 0 '\x00' ;;
    order) poke "$f" 4 '\x07' ;;
    major) poke "$f" 5 '\x03' ;;
    entry_offset) poke "$f" 24 "$(hex32 40000)" ;;
    past_end) poke "$f" 32 "$(hex32 1048576)" ;;
    no_advance) poke "$f" 32 "$(hex32 8)" ;;
    no_nul) poke "$f" 52 "$(printf 'A%.0s' {1..68})" ;;
    vector) poke "$f" 40 "$(hex32 1000)" ;;
  esac
}

# ran_for T: perfvm's last line in $output, "ran for MS ms (-t T): N updates",
# MS the time it measured, which must be at least T, and at least 10N ms (an
# update every 10 ms or more: the -t value alone can be less); sets RAN_N.
ran_for() {
  local t=$1 re='^ran for ([0-9]+) ms \(-t ([0-9]+)\): ([0-9]+) updates$' line
  RAN_N=
  line=$(grep -E "$re" <<<"$output") ||
    { fail "no 'ran for MS ms (-t $t): N updates' line in: $output"; return; }
  [[ $line =~ $re && ${BASH_REMATCH[2]} == "$t" ]] || { fail "not perfvm -t $t: '$line'"; return; }
  [[ ${BASH_REMATCH[1]} -ge $t ]] || { fail "perfvm -t $t says it ran for less: '$line'"; return; }
  [[ ${BASH_REMATCH[1]} -ge $((10 * BASH_REMATCH[3])) ]] ||
    { fail "${BASH_REMATCH[3]} updates, one every 10 ms or more, in less than 10 ms each: '$line'"; return; }
  RAN_N=${BASH_REMATCH[3]}
}

# A process that is alive for the test's length, and one surely dead.
live_pid() { sleep 600 & BG+=($!); LIVE=$!; }
dead_pid() { DEAD=$(($(cat /proc/sys/kernel/pid_max) + 1)); }

# start_vm ARGS: perfvm in the background; waits until its region is
# accessible; VM_PID is its pid (the name of its file), VMDIR its directory
# (as perfvm said: when grading, programs run as a sandbox uid, whose
# directory is not $UDIR). The tests give it -t 600000 and end it with
# stop_vm: its lifetime must outlast the slowest test (under QEMU on a loaded
# machine, 10 s may not); the per-program timeout still bounds it.
start_vm() {
  wb_exec "$(demo_path perfvm)" "$@" >vm.out 2>vm.err &
  BG+=($!)
  local k
  for ((k = 0; k < 600; k++)); do
    if grep -q '^accessible = 1' vm.out 2>/dev/null; then
      VM_PID=$(sed -n 's/^file \([0-9]*\): .*/\1/p' vm.out)
      VMDIR=$(vm_dir <vm.out)
      [[ -n $VM_PID && -f $VMDIR/$VM_PID ]] && return 0
    fi
    sleep 0.05
  done
  fail "perfvm did not publish its region: $(cat vm.out vm.err)"
}
# The per-user directory named in perfvm's output (on stdin).
vm_dir() { sed -n 's/^directory \(.*\): .*/\1/p'; }

# The uid the programs run as: when grading as root, the sandbox's.
runner_uid() {
  if [[ -n ${WB_SANDBOX:-} && $EUID -eq 0 ]]; then echo "${WB_SANDBOX_UID:-$(id -u nobody)}"; else id -u; fi
}
stop_vm() {
  kill -TERM "$VM_PID"
  local k
  for ((k = 0; k < 600; k++)); do
    kill -0 "$VM_PID" 2>/dev/null || return 0
    sleep 0.05
  done
  fail "perfvm $VM_PID did not stop on SIGTERM"
}

# A region file for a live process, under the per-user directory.
plant_for_live() { # SOURCE-FILE: puts a copy at $UDIR/$LIVE
  live_pid
  mkdir -p "$UDIR"
  chmod 0755 "$UDIR"
  cp "$1" "$UDIR/$LIVE"
}

# The JVM: a Java program that prints "ready" and sleeps.
start_jvm() {
  command -v java >/dev/null && command -v jcmd >/dev/null ||
    skip "no JDK: java and jcmd are not both on PATH (apt-get install openjdk-17-jdk-headless)"
  cat >Sleep.java <<'EOF'
public class Sleep {
    public static void main(String[] args) throws Exception {
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(60000);
    }
}
EOF
  # the JVM makes /tmp/hsperfdata_USER if it is not there: then it is ours
  # to remove afterwards (rmdir: only if no other JVM has a file in it);
  # the lock keeps another Bats run's JVM test out until then (helper.bash)
  jvm_lock
  [[ -d /tmp/hsperfdata_$ME ]] || JVM_DIR_NEW=/tmp/hsperfdata_$ME
  java Sleep.java >jvm.out 2>&1 {WB_JVM_LOCK_FD}>&- &
  JVM_PID=$!
  JVM_FILE=/tmp/hsperfdata_$ME/$JVM_PID
  local k
  for ((k = 0; k < 600; k++)); do
    grep -q ready jvm.out 2>/dev/null && [[ -f $JVM_FILE ]] && return 0
    kill -0 "$JVM_PID" 2>/dev/null || break
    sleep 0.05
  done
  fail "the JVM did not start: $(cat jvm.out)"
}
stop_jvm() {
  kill -TERM "$JVM_PID"
  wait "$JVM_PID" || true
  JVM_PID=
  [[ ! -e $JVM_FILE ]] || fail "the JVM left $JVM_FILE behind"
}
remove_jvm_dir() { [[ -z ${JVM_DIR_NEW:-} ]] || rmdir "$JVM_DIR_NEW" 2>/dev/null || true; }
# jcmd's counters, without its first line ("PID:"). -XX:-UsePerfData keeps
# jcmd's own JVM from making a file of its own.
jcmd_counters() {
  local out
  out=$(jcmd -J-XX:-UsePerfData "$JVM_PID" PerfCounter.print) || fail "jcmd failed: $out"
  [[ ${out%%$'\n'*} == "$JVM_PID:" ]] || fail "jcmd's first line is '${out%%$'\n'*}'"
  printf '%s\n' "$out" | tail -n +2
}

# ------------------------------------------------------------------ perfvm

@test "demo perfvm: BASE/hsperfdata_USER/PID: 0600, 32 KiB, flock-ed, mapped shared, accessible" {
  start_vm -t 600000
  local f=$UDIR/$VM_PID abs
  abs=$(realpath "$f")
  # mkdir's 0755, less the umask (umask 077 gives 700)
  assert_equal "$(stat -c '%F %a %U' "$UDIR")" "directory $(printf '%o' $((0755 & ~$(umask)))) $ME"
  assert_equal "$(stat -c '%F %a %U %s %h' "$f")" "regular file 600 $ME 32768 1"
  # the magic, byte order of this machine, version 2.0, accessible
  local order
  order=$(printf '\1\0' | od -An -tu2 | tr -d ' ')   # 1 on a little-endian machine
  assert_equal "$(od -An -tx1 -N8 "$f" | tr -d ' ')" "cafec0c00$([[ $order == 1 ]] && echo 1 || echo 0)020001"
  # the kernel's view: an flock held on this inode by perfvm, and the mapping
  local ino
  ino=$(stat -c %i "$f")
  grep -qE "^[0-9]+: FLOCK +ADVISORY +WRITE +$VM_PID [0-9a-f:]+:$ino " /proc/locks ||
    fail "no flock on inode $ino held by $VM_PID in /proc/locks"
  grep -qE " rw-s 00000000 .* $abs\$" "/proc/$VM_PID/maps" || fail "no rw-s mapping of $abs in perfvm"
  # no descriptor is open on it: the mapping alone holds the file (and the lock)
  run find "/proc/$VM_PID/fd" -lname "$abs"
  assert_output ""
  stop_vm
  wait "${BG[0]}" || fail "perfvm failed"
  [[ ! -e $f ]] || fail "perfvm left $f behind"
  grep -qE '^stopped by SIGTERM after [0-9]+ updates$' vm.out || fail "$(cat vm.out)"
  grep -qx "removed $UDIR/$VM_PID" vm.out || fail "$(cat vm.out)"
}

@test "demo perfvm: -s saves the region, and its bytes follow the documented format" {
  run_demo perfvm -t 50 -s saved
  assert_success
  local f=saved
  assert_equal "$(stat -c %s $f)" 32768
  assert_equal "$(u8 $f 7)" 1           # accessible
  assert_equal "$(u32 $f 24)" 32        # entry_offset
  assert_equal "$(u32 $f 28)" 8         # num_entries
  assert_equal "$(u32 $f 12)" 0         # overflow
  # walk the entries the way the format says
  local off=32 k len noff vlen type units var doff name used=32 seen=""
  for ((k = 0; k < 8; k++)); do
    len=$(u32 $f $off) noff=$(u32 $f $((off + 4))) vlen=$(u32 $f $((off + 8)))
    type=$(dd if=$f bs=1 skip=$((off + 12)) count=1 status=none)
    units=$(u8 $f $((off + 14))) var=$(u8 $f $((off + 15))) doff=$(u32 $f $((off + 16)))
    name=$(cstr $f $((off + noff)))
    assert_equal "$noff" 20
    assert_equal "$(u8 $f $((off + 13)))" 1            # flags: supported
    [[ $((len % 8)) -eq 0 ]] || fail "$name: entry_length $len is not a multiple of 8"
    [[ $doff -ge $((noff + ${#name} + 1)) ]] || fail "$name: data before the end of its name"
    if [[ $type == J ]]; then
      assert_equal "$vlen" 0
      [[ $(((off + doff) % 8)) -eq 0 ]] || fail "$name: value not 8-byte aligned"
    else
      [[ $type == B && $doff -eq $((noff + ${#name} + 1)) ]] || fail "$name: type $type, data_offset $doff"
    fi
    seen+="$name $type $units $var"$'\n'
    case $name in
      perfvm.work.steps) ran_for 50; assert_equal "$(s64 $f $((off + doff)))" "$RAN_N" ;;
      perfvm.os.hrt.frequency) assert_equal "$(s64 $f $((off + doff)))" 1000000000 ;;
      perfvm.rt.regionSize) assert_equal "$(s64 $f $((off + doff)))" 32768 ;;
      perfvm.rt.version) assert_equal "$(cstr $f $((off + doff)))" "perfvm 1.0 (the mmap workbook, chapter 14)" ;;
      perfvm.work.state) assert_equal "$(cstr $f $((off + doff)))" stopping ;;
    esac
    off=$((off + len)) used=$((used + len))
  done
  assert_equal "$(u32 $f $off)" 0                     # the list ends
  assert_equal "$(u32 $f 8)" "$used"                  # used covers exactly the entries
  assert_equal "$(sort <<<"${seen%$'\n'}")" "$(sort <<'EOF'
perfvm.rt.version B 5 1
perfvm.rt.startTime J 3 1
perfvm.os.hrt.frequency J 6 1
perfvm.rt.regionSize J 2 1
perfvm.work.steps J 4 2
perfvm.work.ticks J 3 2
perfvm.work.queue J 1 3
perfvm.work.state B 5 3
EOF
)"
  assert_line "published 8 counters: used $used of 32768 bytes, overflow 0"
  assert_line "saved the region to saved (32768 bytes)"
  assert_equal "$(ls -A "$UDIR")" ""
}

@test "demo perfvm: stale files are removed before creation; live and locked ones are kept" {
  mkdir -p "$UDIR"
  live_pid
  dead_pid
  local locked=$((DEAD + 1))
  echo junk >"$UDIR/junk"
  echo stale >"$UDIR/$DEAD"
  echo live >"$UDIR/$LIVE"
  echo held >"$UDIR/$locked"
  mkdir "$UDIR/4242"             # not a regular file: not touched
  flock -o "$UDIR/$locked" -c 'echo $$ >holder; exec sleep 30' &
  BG+=($!)
  local k
  for ((k = 0; k < 200; k++)); do [[ -s holder ]] && break; sleep 0.05; done
  BG+=("$(cat holder)")
  run_demo perfvm -t 0
  assert_success
  assert_line "  removed junk (not a process id)"
  assert_line "  removed $DEAD (no such process)"
  assert_line "  kept $LIVE (the process is alive)"
  assert_line "  kept $locked (locked by a live producer)"
  # (4242 as a number of its own: perfvm's own pid may contain those digits)
  refute_line --regexp '(^|[^0-9])4242([^0-9]|$)'
  assert_equal "$(ls "$UDIR" | sort)" "$(printf '%s\n' 4242 "$LIVE" "$locked" | sort)"
  assert_equal "$(cat "$UDIR/$locked")" held
}

@test "demo perfvm: a second producer with the same pid (another container) leaves the first's file alone" {
  start_vm -t 600000
  local f=$UDIR/$VM_PID ino
  ino=$(stat -c %i "$f")
  run_demo --separate-stderr perfvm -p "$VM_PID" -t 0
  assert_success
  assert_one_error_line perfvm "warning: $f: is locked by another process \(EWOULDBLOCK\); using ordinary memory"
  assert_line "  kept $VM_PID (locked by a live producer)"
  assert_line "region: 32768 bytes of ordinary memory (MAP_PRIVATE|MAP_ANONYMOUS)"
  # the first producer's file is the same file, still whole, still counting
  assert_equal "$(stat -c '%i %s' "$f")" "$ino 32768"
  run_demo perfstat -i 50 -n 3 "$VM_PID" perfvm.work.steps perfvm.rt.version
  assert_success
  [[ ${lines[3]} == *'"perfvm 1.0 (the mmap workbook, chapter 14)"' ]] || fail "${lines[3]}"
  [[ ${lines[3]%% \"*} -gt ${lines[1]%% \"*} ]] || fail "the steps did not grow: ${lines[1]} / ${lines[3]}"
  stop_vm
}

@test "demo perfvm: an unsafe per-user directory: one warning, ordinary memory, nothing written there" {
  mkdir elsewhere
  ln -s "$PWD/elsewhere" "$UDIR"
  run_demo --separate-stderr perfvm -t 0
  assert_success
  assert_one_error_line perfvm "warning: $UDIR: is a symbolic link \(not followed\); using ordinary memory"
  assert_line "region: 32768 bytes of ordinary memory (MAP_PRIVATE|MAP_ANONYMOUS)"
  assert_equal "$(ls -A elsewhere)" ""
  rm "$UDIR"
  mkdir "$UDIR"
  chmod 0775 "$UDIR"
  run_demo --separate-stderr perfvm -t 0
  assert_success
  assert_one_error_line perfvm "warning: $UDIR: is group-writable \(mode 0775\)"
  assert_equal "$(ls -A "$UDIR")" ""
}

@test "demo perfvm: a directory owned by another user is refused (as root: chown nobody)" {
  [[ $EUID -eq 0 ]] || skip "needs root to give the directory to another user"
  mkdir -m 0755 "$UDIR"
  chown nobody "$UDIR"
  run_demo --separate-stderr perfvm -t 0
  assert_success
  assert_one_error_line perfvm "warning: $UDIR: is owned by uid $(id -u nobody), not by uid 0"
  assert_equal "$(ls -A "$UDIR")" ""
}

@test "demo perfvm: a planted symbolic link for our pid is not followed; a planted hard link is cleaned away" {
  mkdir -m 0755 "$UDIR"
  echo precious >victim
  ln -s "$PWD/victim" "$UDIR/4242"
  run_demo --separate-stderr perfvm -p 4242 -t 0
  assert_success
  assert_one_error_line perfvm "warning: $UDIR/4242: is a symbolic link \(not followed\)"
  assert_equal "$(cat victim)" precious
  rm "$UDIR/4242"
  ln victim "$UDIR/4242"
  run_demo --separate-stderr perfvm -p 4242 -t 0
  assert_success
  assert_equal "$stderr" ""
  assert_line "  removed 4242 (a leftover with our own pid)"
  assert_equal "$(cat victim)" precious
  assert_equal "$(stat -c %h victim)" 1
}

@test "demo perfvm: -n (PerfDisableSharedMem) keeps the counters in ordinary memory, no file at all" {
  run_demo --separate-stderr perfvm -n -t 0 -s saved
  assert_success
  assert_equal "$stderr" ""
  assert_line "region: 32768 bytes of ordinary memory (MAP_PRIVATE|MAP_ANONYMOUS)"
  assert_equal "$(ls -A "$PERFDATA_TMPDIR")" ""
  # the region is the same format all the same
  assert_equal "$(od -An -tx1 -N4 saved | tr -d ' ')" cafec0c0
}

@test "demo perfvm: -e fills the region; what does not fit is counted in overflow" {
  # an extra counter is named perfvm.extra.NNNNN (18 characters): header 20,
  # name and NUL 19, padded to 40 for the 8-byte value, 48 in all
  local each=$(( ((20 + 19 + 7) / 8 * 8 + 8 + 7) / 8 * 8 )) base_used=480 n=1000
  local fit=$(( (32768 - base_used) / each ))
  run_demo perfvm -t 0 -e $n -s saved
  assert_success
  assert_line "published $((8 + fit)) counters: used $((base_used + fit * each)) of 32768 bytes, overflow $(((n - fit) * each))"
  run_demo perfstat -f saved
  assert_success
  assert_equal "$(grep -c '^perfvm.extra' <<<"$output")" "$fit"
  assert_line "sun.perfdata.overflow=$(((n - fit) * each))"
  assert_line "perfvm.extra.$(printf %05d $((fit - 1)))=$((fit - 1))"
}

@test "demo perfvm: on a full filesystem, ENOSPC at creation and ordinary memory, not SIGBUS (JDK-7007769)" {
  can_unshare_mounts || skip "cannot make a mount namespace here (unshare -m and -rm both refused)"
  mkdir small
  # a 16 KiB tmpfs as BASE, in a mount namespace of its own
  run --separate-stderr ns_run "${UNSHARE[@]}" bash -c \
    'mount -t tmpfs -o size=16k tmpfs small || exit 99
     PERFDATA_TMPDIR=small wb_exec "$1" -t 0; s=$?
     echo "left behind: $(ls -A small/hsperfdata_*)"; exit $s' bash "$(demo_path perfvm)"
  assert_success
  assert_one_error_line perfvm "warning: small/hsperfdata_[a-z_0-9]+/[0-9]+: pwrite of one byte at page $((16384 / PAGE)): No space left on device; using ordinary memory"
  assert_line "region: 32768 bytes of ordinary memory (MAP_PRIVATE|MAP_ANONYMOUS)"
  assert_line "left behind: "
}

@test "demo perfvm: -h, and bad options are one usage line" {
  run_demo perfvm -h
  assert_success
  assert_output --partial "usage"
  run_demo -2 --separate-stderr perfvm -t soon
  assert_one_error_line perfvm "MS 'soon'"
  run_demo -2 --separate-stderr perfvm extra
  assert_one_error_line perfvm "unexpected argument 'extra'"
  run_demo -2 --separate-stderr perfvm -n -m
  assert_one_error_line perfvm "-m needs the shared file"
}

@test "demo perfvm: -m starts perfstat on itself, which sees the values change" {
  # 5 samples 20 ms apart outlast -t 30: perfvm runs on, "running", until
  # the monitor is done, however slow the machine
  run_demo perfvm -t 30 -m
  assert_success
  assert_line --regexp '^monitor: perfstat -i 20 -n 5 [0-9]+ perfvm.work.queue perfvm.work.state$'
  assert_line "perfvm.work.queue perfvm.work.state"
  local queue
  queue=$(sed -nE 's/^ +([0-9]) +"running"$/\1/p' <<<"$output")
  assert_equal "$(wc -l <<<"$queue")" 5
  # perfvm stores 7n mod 10 at its nth update, one every 10 ms or more; the
  # five samples, 20 ms or more apart, can all be equal only if it made no
  # update at all between the first and the last (or a multiple of 10
  # updates between every two), starved of CPU for the monitor's whole run
  [[ $(sort -u <<<"$queue" | wc -l) -gt 1 ]] ||
    fail "perfstat saw the queue stand still: $(echo $queue)"
  assert_line --regexp '^ran for [0-9]+ ms, past -t 30 until the monitor was done: [0-9]+ updates$'
  refute_line "monitor: perfstat failed"
}

# ------------------------------------------------------------------ perfstat

@test "demo perfstat: -l lists a live producer's counters by name, with the prologue's six" {
  start_vm -t 600000
  run_demo perfstat -l "$VM_PID"
  assert_success
  assert_equal "${#lines[@]}" 14
  LC_ALL=C sort -c <<<"$(cut -d= -f1 <<<"$output")" || fail "not sorted by name"
  assert_line 'perfvm.rt.version="perfvm 1.0 (the mmap workbook, chapter 14)"'
  assert_line 'perfvm.work.state="running"'
  assert_line "perfvm.os.hrt.frequency=1000000000"
  assert_line "sun.perfdata.majorVersion=2"
  assert_line "sun.perfdata.minorVersion=0"
  assert_line "sun.perfdata.size=32768"
  assert_line "sun.perfdata.used=$(u32 "$UDIR/$VM_PID" 8)"
  assert_line "sun.perfdata.overflow=0"
  assert_line --regexp '^sun.perfdata.timestamp=[0-9]+$'
  stop_vm
}

@test "demo perfstat: -v puts the variability and units in front, tab-separated" {
  start_vm -t 600000
  run_demo perfstat -v -l "$VM_PID"
  assert_success
  assert_line "$(printf 'Constant\tString\tperfvm.rt.version="perfvm 1.0 (the mmap workbook, chapter 14)"')"
  assert_line "$(printf 'Constant\tHertz\tperfvm.os.hrt.frequency=1000000000')"
  assert_line "$(printf 'Constant\tBytes\tperfvm.rt.regionSize=32768')"
  assert_line --regexp "$(printf '^Monotonic\tEvents\tperfvm.work.steps=[0-9]+$')"
  assert_line --regexp "$(printf '^Variable\tNone\tperfvm.work.queue=[0-9]$')"
  assert_line "$(printf 'Variable\tString\tperfvm.work.state="running"')"
  stop_vm
}

@test "demo perfstat: samples live counters like jstat: names, then values that move" {
  start_vm -t 600000
  run_demo perfstat "$VM_PID" perfvm.work.steps perfvm.work.state sun.perfdata.size -i 100 -n 4
  assert_success
  assert_equal "${#lines[@]}" 5
  assert_equal "${lines[0]}" "perfvm.work.steps perfvm.work.state sun.perfdata.size"
  # steps never go back, and grow over the run (between two samples a
  # producer starved of CPU on a loaded machine may not have stepped)
  local k prev=-1 first a b c
  for k in 1 2 3 4; do
    read -r a b c <<<"${lines[$k]}"
    assert_equal "$b $c" '"running" 32768'
    [[ $a -ge $prev ]] || fail "steps went back: ${lines[*]}"
    prev=$a
    first=${first:-$a}
  done
  [[ $prev -gt $first ]] || fail "steps did not grow: ${lines[*]}"
  # the columns are right-aligned under their names
  assert_equal "${#lines[1]}" "${#lines[0]}"
  stop_vm
}

@test "demo perfstat: -f reads a saved region; the values are the producer's last ones" {
  run_demo perfvm -t 40 -s saved
  ran_for 40
  run_demo perfstat -f saved perfvm.work.steps perfvm.work.state
  assert_success
  assert_equal "${lines[1]}" "$(printf '%17s %17s' "$RAN_N" '"stopping"')"
}

@test "demo perfstat: -f reads a region made by hand from the format, either byte order" {
  local o
  for o in le be; do
    craft "r.$o" "$o"
    run_demo perfstat -f "r.$o"
    assert_success
    assert_output "$CRAFTED"$'\nsun.perfdata.majorVersion=2\nsun.perfdata.minorVersion=0\nsun.perfdata.overflow=0\nsun.perfdata.size=4096\nsun.perfdata.timestamp=0\nsun.perfdata.used=144'
  done
}

@test "demo perfstat: of several hsperfdata_* files for one pid, the newest is read" {
  live_pid
  craft older le
  save_region newer
  mkdir -p -m 0755 "$PERFDATA_TMPDIR/hsperfdata_zzother" "$UDIR"
  cp older "$PERFDATA_TMPDIR/hsperfdata_zzother/$LIVE"
  sleep 0.05
  cp newer "$UDIR/$LIVE"
  run_demo perfstat "$LIVE" perfvm.rt.regionSize
  assert_success
  assert_equal "${lines[1]// /}" 32768
  # and the other way round
  touch "$PERFDATA_TMPDIR/hsperfdata_zzother/$LIVE"    # a newer ctime
  run_demo perfstat -l "$LIVE"
  assert_success
  assert_line "a.long=-5"
}

@test "demo perfstat: finds a producer in another pid namespace through NSpid and /proc/PID/root (JDK-8193710)" {
  unshare --pid --fork true 2>/dev/null || skip "cannot make a pid namespace here (unshare --pid refused)"
  ns_run --pid --fork bash -c 'wb_exec "$1" -t 10000' bash "$(demo_path perfvm)" >vm.out 2>&1 &
  BG+=($!)
  local k inner="" host=""
  for ((k = 0; k < 600; k++)); do
    grep -q '^accessible = 1' vm.out 2>/dev/null && break
    sleep 0.05
  done
  # its file is named with the pid it has in its own namespace ...
  inner=$(sed -n 's/^file \([0-9]*\): .*/\1/p' vm.out)
  [[ -n $inner && -f $UDIR/$inner ]] || fail "no file from the namespaced perfvm: $(cat vm.out)"
  # ... and out here it is the process whose NSpid line ends in that pid
  for k in $(pgrep -f "$(demo_path perfvm)"); do
    grep -qE "^NSpid:[[:space:]]+$k[[:space:]]+$inner\$" "/proc/$k/status" 2>/dev/null && host=$k
  done
  [[ -n $host ]] || fail "no host pid for the namespaced perfvm"
  [[ $host != "$inner" && ! -e $UDIR/$host ]] || fail "a file named after the host pid $host exists"
  run_demo perfstat -l "$host"
  assert_success
  assert_line 'perfvm.work.state="running"'
  kill -TERM "$host"
}

@test "demo perfstat: an unsafe per-user directory is one error line" {
  save_region good
  plant_for_live good
  mv "$UDIR" real
  ln -s "$PWD/real" "$UDIR"
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "process $LIVE: no usable hsperfdata file under .*\(skipped $UDIR: is a symbolic link \(not followed\)\)"
  rm "$UDIR"
  mv real "$UDIR"
  chmod 0775 "$UDIR"
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "skipped $UDIR: is group-writable \(mode 0775\)"
  chmod 0757 "$UDIR"
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "skipped $UDIR: is world-writable \(mode 0757\)"
  if [[ $EUID -eq 0 ]]; then
    chmod 0755 "$UDIR"
    chown nobody "$UDIR"
    run_demo -1 --separate-stderr perfstat -l "$LIVE"
    assert_one_error_line perfstat "skipped $UDIR: is owned by uid $(id -u nobody), not by uid 0"
  fi
}

@test "demo perfstat: a symlinked, hard-linked, empty or odd-sized file is one error line" {
  save_region good
  plant_for_live good
  local f=$UDIR/$LIVE
  mv "$f" elsewhere
  ln -s "$PWD/elsewhere" "$f"
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "$f: is a symbolic link \(not followed\)"
  rm "$f"
  ln elsewhere "$f"
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "$f: has 2 links"
  rm "$f"
  : >"$f"
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "$f: is empty$"
  head -c 5000 good >"$f"
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "$f: size 5000 is not a multiple of the page size \($PAGE\)$"
}

@test "demo perfstat: hostile contents are one error line each, never a crash" {
  local k name pattern
  live_pid
  mkdir -m 0755 "$UDIR"
  for ((k = 0; k < ${#HOSTILE[@]}; k += 2)); do
    name=${HOSTILE[k]} pattern=${HOSTILE[k + 1]}
    make_hostile "$name" "$UDIR/$LIVE"
    run_demo -1 --separate-stderr perfstat -l "$LIVE"
    assert_one_error_line perfstat "$UDIR/$LIVE: .*$pattern"
    run_demo -1 --separate-stderr perfstat -f "$UDIR/$LIVE"
    assert_one_error_line perfstat "$pattern"
  done
}

@test "demo perfstat: a region never marked accessible: a bounded wait, then one error line" {
  save_region good
  poke good 7 '\x00'
  plant_for_live good
  local t0=$SECONDS
  run_demo -1 --separate-stderr perfstat -w 300 -l "$LIVE"
  assert_one_error_line perfstat "$UDIR/$LIVE: not accessible yet: gave up waiting"
  [[ $((SECONDS - t0)) -lt 10 ]] || fail "the wait was not bounded"
  run_demo -1 --separate-stderr perfstat -f good
  assert_one_error_line perfstat "good: not accessible \(its producer"
}

@test "demo perfstat: a live entry counted before it is written (as HotSpot does) is copied again until it parses" {
  # Entry 0's length says 8, so its name runs past it ("does not advance"),
  # as in a copy taken while the JVM was writing it. The test restores the
  # length once perfstat has the file mapped: its next copy parses.
  save_region good
  cp good half
  poke half 32 "$(hex32 8)"
  plant_for_live half
  wb_exec "$(demo_path perfstat)" -l "$LIVE" >out 2>err &
  local bgp=$! k status=0
  for ((k = 0; k < 500; k++)); do
    grep -qs -- "$UDIR/$LIVE" /proc/[0-9]*/maps && break
    sleep 0.01
  done
  dd if=good of="$UDIR/$LIVE" bs=1 skip=32 seek=32 count=4 conv=notrunc status=none
  wait $bgp || status=$?
  [[ $status == 0 ]] || fail "perfstat exited $status: $(cat err)"
  run grep -Ec '^\(the first copy did not parse, [0-9]+ more were taken: an entry was being written\)$' out
  assert_output 1
  run_demo perfstat -f good -l
  assert_success
  assert_equal "$(grep -v '^(the first copy' out)" "$output"
}

@test "demo perfstat: a file truncated under the mapping is an error line, not a crash (SIGBUS)" {
  save_region good
  poke good 7 '\x00'             # perfstat keeps reading the mapping while it waits
  plant_for_live good
  local delay=0.5
  on_valgrind && delay=4
  wb_exec "$(demo_path perfstat)" -w 20000 -l "$LIVE" >out 2>err &
  local bgp=$!
  sleep $delay
  truncate -s 0 "$UDIR/$LIVE"
  local status=0
  wait $bgp || status=$?
  assert_equal "$status" 1
  assert_equal "$(cat err)" "perfstat: $UDIR/$LIVE: the file shrank under the mapping (SIGBUS)"
}

@test "demo perfstat: no such process, no file, no such counter, bad usage" {
  dead_pid
  run_demo -1 --separate-stderr perfstat -l "$DEAD"
  assert_one_error_line perfstat "process $DEAD not found$"
  live_pid
  run_demo -1 --separate-stderr perfstat -l "$LIVE"
  assert_one_error_line perfstat "process $LIVE: no usable hsperfdata file under $PERFDATA_TMPDIR$"
  save_region good
  run_demo -1 --separate-stderr perfstat -f good perfvm.no.such
  assert_one_error_line perfstat "good: no counter named 'perfvm.no.such'"
  run_demo -2 --separate-stderr perfstat
  assert_one_error_line perfstat "which process"
  run_demo -2 --separate-stderr perfstat -l 12 perfvm.work.steps
  assert_one_error_line perfstat "-l lists every counter"
  run_demo -2 --separate-stderr perfstat -i 0 -f good perfvm.work.steps
  assert_one_error_line perfstat "MS '0'"
}

@test "demo perfstat: reads a live JVM's hsperfdata: jcmd PerfCounter.print's names, and its constants' values" {
  start_jvm
  local attempt ps jc
  for attempt in 1 2 3; do
    run_demo perfstat -d /tmp -l "$JVM_PID"
    assert_success
    ps=$output
    jc=$(jcmd_counters)
    [[ $(cut -d= -f1 <<<"$ps") == "$(cut -d= -f1 <<<"$jc")" ]] && break
    sleep 0.5                   # the JVM was still adding counters: again
  done
  assert_equal "$(cut -d= -f1 <<<"$ps")" "$(cut -d= -f1 <<<"$jc")"
  [[ $(wc -l <<<"$ps") -gt 150 ]] || fail "only $(wc -l <<<"$ps") counters"
  # every Constant counter has jcmd's value, to the byte
  run_demo perfstat -d /tmp -v -l "$JVM_PID"
  assert_success
  local constants
  constants=$(awk -F'\t' '$1 == "Constant" { print $3 }' <<<"$output")
  [[ $(wc -l <<<"$constants") -gt 30 ]] || fail "only $(wc -l <<<"$constants") constants"
  grep -q '^java.property.java.version="' <<<"$constants" || fail "no java.version among the constants"
  local missing
  missing=$(grep -vxFf <(printf '%s\n' "$jc") <<<"$constants" || true)
  [[ -z $missing ]] || fail "constants that differ from jcmd's: $missing"
  stop_jvm
}

# ------------------------------------------------------------------ planted_links, full_tmp

@test "demo planted_links: the 2013 path destroys the file behind both links; the hardened path refuses both" {
  run_demo planted_links
  assert_success
  assert_line 'precious.txt: 17 bytes, starting "the victim'"'"'s data"'
  # what the planting made, as lstat/stat report it: mkdir(0755) under our umask
  local mode
  mode=$(printf '%04o' $((0755 & ~$(umask))))
  assert_line "the attacker made hsperfdata_dir; lstat: a directory, not a link, mode $mode, not writable by group or others: the 2013 check passes"
  # one user plays attacker and victim: it owns the directory and may write
  # to it, so the 2013 start-up cleanup removes each name planted in advance
  # (the JVM's own pid), and the demo, seeing it gone, plants it again before
  # the open; a name that survived would need no second planting
  assert_line "attacker and victim are one user here, the owner of hsperfdata_dir: the victim may write to the directory, so its cleanup may unlink names in it"
  local pid kind
  for pid in 4242 4243; do
    if [[ $pid == 4242 ]]; then kind='4242 -> ../precious.txt (lstat: a symbolic link)'
    else kind='4243 = precious.txt (a hard link: stat gives the same inode, whose st_nlink is now 2)'; fi
    assert_line "  planted in advance: $kind"
    assert_line "  pid $pid starts; its cleanup removed $pid (the JVM's own pid, taken for a stale file)"
    assert_line "  $pid is gone: the attacker must plant it again between the cleanup and the open, a race it can retry in a loop; the demo plays its winning turn"
    assert_line "  planted again after the cleanup, before the open: $kind"
    assert_line "  pid $pid: opened and sized to 32768 bytes; precious.txt: 32768 bytes, starting \"\" (its data is gone)"
  done
  # the cleanup removed nothing else (the directory held only the one name),
  # and no name survived it
  [[ $(grep -c 'its cleanup removed' <<<"$output") == 2 ]] || fail "the cleanup removed other names: $output"
  refute_output --partial 'could not remove'
  refute_output --partial 'survived the cleanup'
  assert_line '  pid 4242: refused: is a symbolic link (not followed)'
  assert_line '  pid 4243: refused: has 2 links: a hard link could make it any file on the filesystem'
  assert_equal "${lines[-1]}" 'afterwards precious.txt: 17 bytes, starting "the victim'"'"'s data"'
  assert_equal "$(ls -A)" base
}

@test "demo full_tmp: SIGBUS at the first page with no space; ENOSPC at creation with a byte per page" {
  run_demo full_tmp
  assert_success
  [[ $output != "cannot make a private mount namespace"* ]] || skip "$output"
  local full=$((16384 / PAGE)) k
  for ((k = 0; k < full; k++)); do
    assert_line "  store into page $k: ok"
    assert_line "  page $k: ok"
  done
  # tmpfs counts its blocks in pages: a 16 KiB mount has 16384/PAGE of them
  assert_line "  store into page $full: SIGBUS (BUS_ADRERR); statvfs: 0 of $full blocks free: the filesystem is full, and a store has no system call to return ENOSPC"
  assert_line "  page $full: ENOSPC: a clear error at creation; a JVM warns and runs on without shared counters"
  assert_equal "$(ls -A)" base
}

# ------------------------------------------------------------------ ex1_reader

# see: chapter 14 "The format"
@test "ex1_reader: a region made by hand, little- and big-endian" {
  local o
  for o in le be; do
    craft "r.$o" "$o"
    run_ex ex1_reader "r.$o"
    assert_success
    assert_output "$CRAFTED"
  done
}

# see: chapter 14 "The format"
@test "ex1_reader: num_entries is a limit; an entry_length of 0 ends the list early" {
  craft r le
  poke r 28 "$(hex32 2)"
  run_ex ex1_reader r
  assert_success
  assert_output $'a.long=-5\nb.str="hi"'
  poke r 28 "$(hex32 1000)"      # more than there are: the zero entry ends it
  run_ex ex1_reader r
  assert_success
  assert_output "$CRAFTED"
}

# see: chapter 14 "The format"
@test "ex1_reader: a saved perfvm region, sorted by name" {
  run_demo perfvm -t 30 -s saved
  ran_for 30
  run_ex ex1_reader saved
  assert_success
  assert_equal "${#lines[@]}" 8
  assert_equal "$(cut -d= -f1 <<<"$output")" "$(printf '%s\n' perfvm.os.hrt.frequency perfvm.rt.regionSize \
    perfvm.rt.startTime perfvm.rt.version perfvm.work.queue perfvm.work.state perfvm.work.steps perfvm.work.ticks)"
  assert_line 'perfvm.rt.version="perfvm 1.0 (the mmap workbook, chapter 14)"'
  assert_line "perfvm.work.steps=$RAN_N"
  assert_line 'perfvm.work.state="stopping"'
  assert_line "perfvm.rt.regionSize=32768"
}

# see: chapter 14 "The format"
@test "ex1_reader: a region full of counters, entries over all of its 32 KiB, the last one ending mid-page" {
  # as in the demo's -e test: 8 counters in 480 bytes, then extra ones of
  # 48 bytes each (perfvm.extra.NNNNN=N) as long as they fit in 32 KiB
  local fit=$(((32768 - 480) / 48)) k
  save_region full -e 1000
  run_ex ex1_reader full
  assert_success
  assert_equal "${#lines[@]}" $((8 + fit))
  assert_equal "$(grep -c '^perfvm\.extra\.' <<<"$output")" "$fit"
  for k in 0 1 $((fit / 2)) $((fit - 2)) $((fit - 1)); do
    assert_line "perfvm.extra.$(printf %05d "$k")=$k"
  done
  assert_line 'perfvm.work.state="stopping"'
  cut -d= -f1 <<<"$output" | LC_ALL=C sort -c || fail "the names are not in strcmp order"
}

# see: chapter 14 "The monitor: perfstat"
@test "ex1_reader: the live file of a running producer" {
  start_vm -t 600000
  run_ex ex1_reader "$VMDIR/$VM_PID"
  assert_success
  assert_equal "${#lines[@]}" 8
  assert_line 'perfvm.work.state="running"'
  assert_line "perfvm.os.hrt.frequency=1000000000"
  stop_vm
}

# see: chapter 14 "The format", chapter 14 "The monitor: perfstat"
@test "ex1_reader: hostile files are one error line each, exit 1" {
  local k name pattern
  for ((k = 0; k < ${#HOSTILE[@]}; k += 2)); do
    name=${HOSTILE[k]} pattern=${HOSTILE[k + 1]}
    make_hostile "$name" "h.$name"
    pattern=${pattern/runs past/goes past}
    run_ex -1 --separate-stderr ex1_reader "h.$name"
    assert_one_error_line ex1_reader "h.$name: $pattern"
  done
}

@test "ex1_reader: empty, tiny, missing and odd-typed files" {
  : >empty
  run_ex -1 --separate-stderr ex1_reader empty
  assert_one_error_line ex1_reader "empty: is empty$"
  printf '\xca\xfe\xc0\xc0\x01\x02' >tiny
  run_ex -1 --separate-stderr ex1_reader tiny
  assert_one_error_line ex1_reader "tiny: too small for the 32-byte prologue"
  run_ex -1 --separate-stderr ex1_reader nosuch
  assert_one_error_line ex1_reader "open 'nosuch': No such file or directory$"
  mkdir dir
  run_ex -1 --separate-stderr ex1_reader dir
  assert_one_error_line ex1_reader "dir: is not a regular file$"
  craft r le
  poke r $((112 + 12)) 'D'       # c.bytes becomes type 'D' (a double)
  run_ex -1 --separate-stderr ex1_reader r
  assert_one_error_line ex1_reader "r: entry 2: unsupported data type 0x44"
  craft r le
  poke r $((32 + 8)) "$(hex32 1)"  # a.long with vector_length 1
  run_ex -1 --separate-stderr ex1_reader r
  assert_one_error_line ex1_reader "r: entry 0: the 8-byte value does not fit in the entry"
  craft r le
  poke r $((72 + 16)) "$(hex32 22)"  # b.str's data inside its name
  run_ex -1 --separate-stderr ex1_reader r
  assert_one_error_line ex1_reader "r: entry 1: data_offset 22 is outside the entry"
  craft r le
  poke r $((72 + 16)) "$(hex32 25)"  # b.str's data at its name's NUL
  run_ex -1 --separate-stderr ex1_reader r
  assert_one_error_line ex1_reader "r: entry 1: data_offset 25 is outside the entry"
  craft r le
  poke r $((72 + 4)) "$(hex32 40)"  # b.str's name at its entry's end
  run_ex -1 --separate-stderr ex1_reader r
  assert_one_error_line ex1_reader "r: entry 1: name_offset 40 is outside the entry"
}

# see: chapter 14 "Reading a real JVM"
@test "ex1_reader: a live JVM's file gives jcmd's lines, less the sun.perfdata ones" {
  start_jvm
  cp "$JVM_FILE" jvm.copy
  local jc
  jc=$(jcmd_counters | grep -v '^sun\.perfdata\.')
  run_ex ex1_reader jvm.copy
  assert_success
  assert_equal "$(cut -d= -f1 <<<"$output")" "$(cut -d= -f1 <<<"$jc")"
  assert_line --regexp '^java.property.java.version="[0-9]'
  stop_jvm
}

# ------------------------------------------------------------------ ex2_securedir

@test "ex2_securedir: a private directory of ours is ok" {
  mkdir -m 0755 d1
  mkdir -m 0700 d2
  run_ex ex2_securedir d1
  assert_success
  assert_output ok
  run_ex ex2_securedir d2
  assert_success
  assert_output ok
  run_ex ex2_securedir -o "$(runner_uid)" ./d1/
  assert_success
  assert_output ok
}

# see: open(2) (O_NOFOLLOW), lstat(2), chapter 14 "Planted links"
@test "ex2_securedir: a symbolic link, even to a good directory, a file, a missing path" {
  mkdir -m 0755 good
  ln -s good link
  ln -s nowhere dangling
  : >file
  run_ex -1 --separate-stderr ex2_securedir link
  assert_one_error_line ex2_securedir "link: is a symbolic link$"
  run_ex -1 --separate-stderr ex2_securedir dangling
  assert_one_error_line ex2_securedir "dangling: is a symbolic link$"
  run_ex -1 --separate-stderr ex2_securedir file
  assert_one_error_line ex2_securedir "file: is not a directory$"
  run_ex -1 --separate-stderr ex2_securedir nosuch
  assert_one_error_line ex2_securedir "nosuch: No such file or directory$"
}

# see: chapter 14 "Planted links"
@test "ex2_securedir: group- or world-writable modes, sticky or not" {
  mkdir d
  local mode want
  for mode in 0775:group 0757:world 0777:world 1777:world 0770:group; do
    chmod "${mode%%:*}" d
    want="${mode#*:}-writable \(mode ${mode%%:*}\)"
    run_ex -1 --separate-stderr ex2_securedir d
    assert_one_error_line ex2_securedir "d: is $want$"
  done
}

# see: chapter 14 "Planted links"
@test "ex2_securedir: the owner must be us, or the -o UID given (as root: chown nobody)" {
  mkdir -m 0755 d
  run_ex -1 --separate-stderr ex2_securedir -o 4242424 d
  assert_one_error_line ex2_securedir "d: is owned by uid $(runner_uid), not 4242424$"
  # (when grading, the sandbox gives every file to the program's uid: no
  # other owner can be arranged there)
  if [[ $EUID -eq 0 && -z ${WB_SANDBOX:-} ]]; then
    chown nobody d
    run_ex -1 --separate-stderr ex2_securedir d
    assert_one_error_line ex2_securedir "d: is owned by uid $(id -u nobody), not 0$"
    run_ex ex2_securedir -o "$(id -u nobody)" d
    assert_success
    assert_output ok
  fi
}

@test "ex2_securedir: the directory perfvm makes passes; usage errors exit 2" {
  run_demo perfvm -t 0
  local dir
  dir=$(vm_dir <<<"$output")
  [[ -d $dir ]] || fail "perfvm made no directory: $output"
  run_ex ex2_securedir "$dir"
  assert_success
  assert_output ok
  run_ex -2 --separate-stderr ex2_securedir
  assert_one_error_line ex2_securedir "expected DIR \\(usage: "
  run_ex -2 --separate-stderr ex2_securedir -o nobody d
  assert_one_error_line ex2_securedir "UID 'nobody': not a number \\(usage: "
}

# ------------------------------------------------------------------ ex3_cleanup

# see: flock(2), kill(2), chapter 14 "Stale files"
@test "ex3_cleanup: removes junk and dead pids; keeps live, locked and non-regular entries" {
  mkdir d
  live_pid
  dead_pid
  sh -c 'exit 0' &
  local reaped=$! locked=$((DEAD + 7))
  wait $reaped
  local name
  for name in abc 0 007 -1 12abc 99999999999 "$DEAD" "$reaped" "$LIVE" "$locked"; do
    echo x >"d/$name"
  done
  mkdir d/4242
  # to a regular file that stays: a check that follows the link would see one
  ln -s "$LIVE" "d/$((DEAD + 3))"
  flock -o "d/$locked" -c 'echo $$ >holder; exec sleep 30' &
  BG+=($!)
  local k
  for ((k = 0; k < 200; k++)); do [[ -s holder ]] && break; sleep 0.05; done
  BG+=("$(cat holder)")
  run_ex ex3_cleanup d
  assert_success
  local want
  want=$(LC_ALL=C sort <<EOF
removed abc: not a process id
removed 0: not a process id
removed 007: not a process id
removed -1: not a process id
removed 12abc: not a process id
removed 99999999999: not a process id
removed $DEAD: no such process
removed $reaped: no such process
kept $LIVE: the process is alive
kept $locked: locked by a live producer
kept 4242: not a regular file
kept $((DEAD + 3)): not a regular file
EOF
)
  # one line per entry, in strcmp order of the names, then the totals
  want=$(awk '{ n = $2; sub(":$", "", n); print n "\t" $0 }' <<<"$want" | LC_ALL=C sort -k1,1 | cut -f2-)
  assert_output "$want"$'\n'"8 removed, 4 kept"
  assert_equal "$(ls d | LC_ALL=C sort)" "$(printf '%s\n' 4242 "$LIVE" "$locked" "$((DEAD + 3))" | LC_ALL=C sort)"
}

# see: flock(2), chapter 14 "Stale files"
@test "ex3_cleanup: a live producer's file is kept (it is locked), a dead one's removed" {
  start_vm -t 600000
  dead_pid
  cp "$VMDIR/$VM_PID" "$VMDIR/$DEAD"
  run_ex ex3_cleanup "$VMDIR"
  assert_success
  assert_line "removed $DEAD: no such process"
  assert_line "kept $VM_PID: locked by a live producer"
  assert_line "1 removed, 1 kept"
  [[ -f $VMDIR/$VM_PID ]] || fail "the live file was removed"
  stop_vm
}

@test "ex3_cleanup: an empty directory; a symbolic link or a missing directory is an error" {
  mkdir d
  run_ex ex3_cleanup d
  assert_success
  assert_output "0 removed, 0 kept"
  ln -s d link
  echo x >d/junk
  run_ex -1 --separate-stderr ex3_cleanup link
  assert_one_error_line ex3_cleanup "link: is a symbolic link$"
  [[ -f d/junk ]] || fail "ex3_cleanup followed the link"
  run_ex -1 --separate-stderr ex3_cleanup nosuch
  assert_one_error_line ex3_cleanup "nosuch: No such file or directory$"
}

# see: chapter 14 "Stale files"
@test "ex3_cleanup: a directory of a thousand entries, every one judged, in strcmp order" {
  mkdir d
  local k
  for ((k = 0; k < 1000; k++)); do : >"d/junk$k"; done
  run_ex ex3_cleanup d
  assert_success
  assert_output "$(for ((k = 0; k < 1000; k++)); do echo "junk$k"; done | LC_ALL=C sort |
    sed 's/.*/removed &: not a process id/'; echo "1000 removed, 0 kept")"
  assert_equal "$(ls -A d)" ""
}
