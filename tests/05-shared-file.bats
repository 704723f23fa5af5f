#!/usr/bin/env bats
# Tests for chapter 05-shared-file: its demos ("demo ...") and its exercises
# ("exN_...").

load helper
load_bats_file

# Sizes every copy test goes through: empty, one byte, around one page, and
# several MiB (not a whole number of pages).
SIZES=(0 1 $((PAGE - 1)) $PAGE $((PAGE + 1)) $((5 * 1024 * 1024 + 3)))


# ---------------------------------------------------------------- mmcat

@test "demo mmcat: the output equals the file for sizes 0, 1, page-1, page, page+1 and 5 MiB" {
  for size in "${SIZES[@]}"; do
    head -c "$size" /dev/urandom >"f$size"
    wb_exec "$(demo_path mmcat)" "f$size" >got || fail "mmcat f$size failed"
    cmp got "f$size" || fail "mmcat of a $size-byte file differs from the file"
  done
}

@test "demo mmcat: several files and - (stdin) come out in order, like cat" {
  printf 'one\n' >a
  head -c $((PAGE + 7)) /dev/urandom >b
  printf 'three' >c
  wb_exec "$(demo_path mmcat)" a - b <c >got
  cat a c b >want
  cmp got want
}

@test "demo mmcat: a file whose st_size is 0 but which has contents (/proc) is read" {
  run_demo mmcat /proc/sys/kernel/ostype
  assert_success
  assert_output "$(cat /proc/sys/kernel/ostype)"
}

@test "demo mmcat: a sysfs attribute, a regular file that mmap refuses (ENODEV), is read" {
  local f=/sys/kernel/mm/transparent_hugepage/enabled
  [[ -r $f ]] || f=/sys/devices/system/cpu/online
  [[ -r $f && $(stat -f -c %T "$f") == sysfs ]] || skip "no readable sysfs attribute here"
  run_demo mmcat "$f"
  assert_success
  assert_output "$(cat "$f")"
}

@test "demo mmcat: a missing file and a directory are one error line each; the rest is printed" {
  printf 'first\n' >a
  printf 'last\n' >b
  mkdir dir
  run_demo -1 --separate-stderr mmcat a nosuch b
  assert_one_error_line mmcat "open 'nosuch': No such file or directory$"
  assert_output $'first\nlast'
  run_demo -1 --separate-stderr mmcat dir
  assert_one_error_line mmcat "'dir': Is a directory$"
  assert_output ""
}

@test "demo mmcat: an unreadable file is one error line, exit 1" {
  printf 'open\n' >readable
  printf 'secret\n' >locked
  chmod 644 readable
  chmod 000 locked
  # The same way in, with a readable file: the refusal below is the mode's.
  as_nobody "$(demo_path mmcat)" readable
  assert_success
  assert_output "open"
  as_nobody -1 --separate-stderr "$(demo_path mmcat)" locked
  assert_one_error_line mmcat "open 'locked': Permission denied$"
  assert_output ""
}

@test "demo mmcat: no FILE is a usage error, exit 2" {
  run_demo -2 --separate-stderr mmcat
  assert_one_error_line mmcat "usage"
}

# ---------------------------------------------------------------- struct_file

# le N BYTES: N as BYTES little-endian bytes, as printf escapes (two's
# complement for negative N: bash arithmetic is 64-bit).
le() {
  local k
  for ((k = 0; k < $2; k++)); do printf '\\x%02x' $((($1 >> (8 * k)) & 255)); done
}

# u4 FILE OFFSET / d8 FILE OFFSET / str FILE OFFSET LEN: fields read by od.
u4() { od -An -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
d8() { od -An -t d8 -j "$2" -N 8 "$1" | tr -d ' '; }
str() { od -An -c -j "$2" -N "$3" -w"$3" "$1" | tr -d ' '; }

@test "demo struct_file: the records are updated in place; od shows the bytes" {
  run_demo struct_file rec.dat
  assert_success
  run_demo struct_file rec.dat
  assert_success
  assert_line "found an existing file with 4 records"
  # The layout from the header comment: a 16-byte header, 4 records of 32.
  assert_equal "$(stat -c %s rec.dat)" 144
  assert_equal "$(str rec.dat 0 8)" "STRUCT05"
  assert_equal "$(u4 rec.dat 8)" 1
  assert_equal "$(u4 rec.dat 12)" 4
  local id
  for id in 1 2 3 4; do
    local at=$((16 + 32 * (id - 1)))
    assert_equal "$(u4 rec.dat $at)" "$id"
    assert_equal "$(u4 rec.dat $((at + 4)))" 2                 # two visits
    assert_equal "$(d8 rec.dat $((at + 8)))" $((2 * 10 * id))  # total
  done
  # And every byte, names and zero padding included.
  {
    printf 'STRUCT05'
    # shellcheck disable=SC2059  # formats made of escapes on purpose
    printf "$(le 1 4)$(le 4 4)"
    id=1
    for name in alpha bravo charlie delta; do
      # shellcheck disable=SC2059
      printf "$(le $id 4)$(le 2 4)$(le $((20 * id)) 8)%s" "$name"
      head -c $((16 - ${#name})) /dev/zero
      id=$((id + 1))
    done
  } >want
  cmp rec.dat want
}

@test "demo struct_file: the read(2) view printed by the program matches od" {
  run_demo struct_file rec.dat
  assert_success
  assert_line "  offset  48: id 2  visits 1  total  20  name \"bravo\""
  assert_equal "$(d8 rec.dat $((48 + 8)))" 20
}

@test "demo struct_file: a file of the wrong size is refused and left alone" {
  printf 'not a record file\n' >other
  cp other before
  run_demo -1 --separate-stderr struct_file other
  assert_one_error_line struct_file "18 bytes, not a struct_file file"
  cmp other before
}

# ---------------------------------------------------------------- eof_sigbus

@test "demo eof_sigbus: zeros past EOF, a lost write, SIGBUS past the last page and after truncation" {
  run_demo eof_sigbus 100
  assert_success
  assert_line "mapped $((2 * PAGE)) bytes = 2 pages: the file covers 1, page 1 is wholly past EOF"
  assert_line "read  offset 99 (last byte of the file): '9'"
  local tail=$((PAGE - 100))
  assert_line "read  offsets 100..$((PAGE - 1)) (past EOF, same page): $tail bytes, $tail of them zero"
  assert_line "write offset 100 (first byte past EOF): ok"
  assert_line "read  offset 100 (first byte past EOF, read back): 'Z'"
  assert_line "the file: st_size 100, pread at offset 100 returns 0 bytes"
  assert_line "read  offset $PAGE (page wholly past EOF): SIGBUS (BUS_ADRERR)"
  assert_line "write offset $PAGE (page wholly past EOF): SIGBUS (BUS_ADRERR)"
  assert_line "read  offset $PAGE (inside the file now): 0"
  assert_line "read  offset 0 (first byte, inside the file before): SIGBUS (BUS_ADRERR)"
  assert_line "write offset 99 (last byte of the old file): SIGBUS (BUS_ADRERR)"
}

@test "demo eof_sigbus: after the file grows, the mapping and pread agree on the old tail" {
  # Whether the byte stored past the old EOF survives the grow is up to the
  # filesystem (ext4 zeroes it, tmpfs keeps it on Linux 6.18): the README
  # explains. Either way the mapping and read(2) see the same page.
  for opt in "" -m; do
    run_demo eof_sigbus $opt 100
    assert_success
    # the 'Z' was there before the grow (read back through the mapping)
    assert_line "read  offset 100 (first byte past EOF, read back): 'Z'"
    if [[ $output == *"(the byte written past the old EOF): 'Z'"* ]]; then
      assert_line "pread at offset 100 returns 'Z'; the mapping reads 'Z': the stray 'Z' became file data"
    else
      assert_line "read  offset 100 (the byte written past the old EOF): 0"
      assert_line "pread at offset 100 returns 0; the mapping reads 0: the stray 'Z' reads 0 now"
    fi
  done
  run_demo eof_sigbus -m 100
  assert_line --partial "file: a memfd, tmpfs/shmem, 100 bytes"
}

@test "demo eof_sigbus: a file that ends on a page boundary has no partial page" {
  run_demo eof_sigbus $((2 * PAGE))
  assert_success
  assert_line "the file ends on a page boundary: no partial page"
  assert_line "read  offset $((2 * PAGE)) (page wholly past EOF): SIGBUS (BUS_ADRERR)"
  assert_line "read  offset $((2 * PAGE - 1)) (last byte of the file): '$(((2 * PAGE - 1) % 10))'"
}

@test "demo eof_sigbus: a bad SIZE or option is one usage line, exit 2" {
  for bad in 0 abc 2M -x; do
    run_demo -2 --separate-stderr eof_sigbus "$bad"
    assert_one_error_line eof_sigbus "size|option"
  done
}

# ---------------------------------------------------------------- prot_matrix

# What POSIX and Linux specify for mmap of a regular file (mmap(2), EACCES):
# every file mapping needs a descriptor open for reading, whatever prot is,
# so O_WRONLY never maps; MAP_SHARED with PROT_WRITE also needs it open for
# writing (O_RDWR); MAP_PRIVATE writes go to private copies, so it needs
# read access only.
expect_mmap() { # MODE FLAGS PROT
  if [[ $1 == O_WRONLY ]]; then echo EACCES
  elif [[ $2 == MAP_SHARED && $3 == *PROT_WRITE* && $1 != O_RDWR ]]; then echo EACCES
  else echo ok
  fi
}

@test "demo prot_matrix: every cell of the table is what mmap(2) specifies" {
  run_demo prot_matrix
  assert_success
  local header prots=() cells=0 line f
  header=$(grep -m1 '^open  *flags ' <<<"$output") || fail "no table header"
  read -ra f <<<"$header"
  prots=("${f[@]:2}")
  assert_equal "${prots[*]}" "PROT_NONE PROT_READ PROT_WRITE PROT_READ|PROT_WRITE"
  while IFS= read -r line; do
    read -ra f <<<"$line"
    [[ ${#f[@]} -eq 6 && ${f[0]} == O_* ]] || continue
    for k in 0 1 2 3; do
      local want
      want=$(expect_mmap "${f[0]}" "${f[1]}" "${prots[k]}")
      [[ ${f[k + 2]} == "$want" ]] ||
        fail "${f[0]} ${f[1]} ${prots[k]}: table says ${f[k + 2]}, mmap(2) says $want"
      cells=$((cells + 1))
    done
  done <<<"$output"
  assert_equal "$cells" 24   # 3 open modes x 2 flags x 4 prots
}

@test "demo prot_matrix: mprotect cannot add PROT_WRITE to a shared mapping of an O_RDONLY file" {
  run_demo prot_matrix
  assert_success
  # A MAP_SHARED mapping of a read-only descriptor may never become
  # writable; a MAP_PRIVATE one may (its writes are private copies).
  assert_line --regexp '^O_RDONLY +EACCES +ok$'
  # (O_WRONLY: the PROT_READ mapping itself is refused, before mprotect)
  assert_line --regexp '^O_WRONLY +mmap EACCES +mmap EACCES$'
  assert_line --regexp '^O_RDWR +ok +ok$'
}

# ---------------------------------------------------------------- share_two

@test "demo share_two: what one process posts, another reads; the file holds it" {
  run_demo share_two post board.dat hello from process one
  assert_success
  assert_line "'board.dat' was empty: ftruncate to 256 bytes"
  run_demo share_two read board.dat
  assert_success
  assert_output "'board.dat': message #1: \"hello from process one\""
  # The bytes, independently: magic, count, length, text.
  assert_equal "$(stat -c %s board.dat)" 256
  assert_equal "$(str board.dat 0 7)" "BOARD05"
  assert_equal "$(u4 board.dat 8)" 1
  assert_equal "$(u4 board.dat 12)" 22
  assert_equal "$(dd if=board.dat bs=1 skip=16 count=22 status=none)" "hello from process one"
}

@test "demo share_two: a waiting process sees later posts from other processes" {
  run_demo share_two post board.dat first
  assert_success
  wb_exec "$(demo_path share_two)" wait board.dat 3 >seen 2>&1 3>&- &
  local waiter=$!
  run_demo share_two post board.dat second
  assert_success
  run_demo share_two post board.dat third
  assert_success
  wait "$waiter" || fail "the waiter failed: $(cat seen)"
  assert_equal "$(tail -n 1 seen)" 'saw message #3: "third"'
  assert_equal "$(u4 board.dat 8)" 3
}

@test "demo share_two: a missing board or a file that is not one is one error line" {
  run_demo -1 --separate-stderr share_two read nosuch
  assert_one_error_line share_two "open 'nosuch': No such file or directory"
  head -c 256 /dev/urandom | tr '\0' x >junk
  run_demo -1 --separate-stderr share_two read junk
  assert_one_error_line share_two "not a board"
  run_demo -2 --separate-stderr share_two shout board.dat
  assert_one_error_line share_two "usage"
}

# ---------------------------------------------------------------- ex1_mmcopy

# see: ftruncate(2), mmap(2), chapter 05 "The end of the file"
@test "ex1_mmcopy: copies of 0, 1, page-1, page, page+1 and 5 MiB equal the source" {
  umask 022
  for size in "${SIZES[@]}"; do
    head -c "$size" /dev/urandom >"src$size"
    run_ex ex1_mmcopy "src$size" "dst$size"
    assert_success
    cmp "src$size" "dst$size" || fail "the copy of a $size-byte file differs"
    assert_equal "$(stat -c %a "dst$size")" 644
  done
}

# see: ftruncate(2), chapter 05 "The end of the file"
@test "ex1_mmcopy: a longer existing DST is cut to the size of SRC" {
  head -c $((3 * PAGE)) /dev/urandom >dst
  head -c 1000 /dev/urandom >src
  run_ex ex1_mmcopy src dst
  assert_success
  assert_equal "$(stat -c %s dst)" 1000
  cmp src dst
}

@test "ex1_mmcopy: a missing SRC is one error line, exit 1, and no DST" {
  run_ex -1 --separate-stderr ex1_mmcopy nosuch dst
  assert_one_error_line ex1_mmcopy "open 'nosuch': No such file or directory"
  assert_file_not_exist dst
}

@test "ex1_mmcopy: an unreadable SRC is one error line, exit 1" {
  printf 'secret\n' >src
  chmod 000 src
  mkdir out && chmod 777 out
  as_nobody -1 --separate-stderr "$(ex_path ex1_mmcopy)" src out/dst
  assert_one_error_line ex1_mmcopy "open 'src': Permission denied"
  assert_file_not_exist out/dst
}

@test "ex1_mmcopy: a directory SRC is one error line, exit 1" {
  mkdir dir
  run_ex -1 --separate-stderr ex1_mmcopy dir dst
  assert_one_error_line ex1_mmcopy "'dir' is a directory"
  assert_file_not_exist dst
}

# see: mmap(2) (ENODEV), chapter 05 "mmcat: cat through a mapping"
@test "ex1_mmcopy: a FIFO SRC is one error line at once, exit 1, and no DST" {
  # Nobody ever writes to the FIFO: an open that waits for a writer hangs
  # until the test's time limit.
  mkfifo fifo
  WB_TIMEOUT=10 run_ex -1 --separate-stderr ex1_mmcopy fifo dst
  assert_one_error_line ex1_mmcopy "'fifo' is not a regular file"
  assert_file_not_exist dst
}

@test "ex1_mmcopy: SRC and DST the same file is refused and the file is untouched" {
  head -c 5000 /dev/urandom >src
  cp src keep
  ln src alias
  run_ex -1 --separate-stderr ex1_mmcopy src alias
  assert_one_error_line ex1_mmcopy "'src' and 'alias' are the same file"
  cmp src keep
}

# ---------------------------------------------------------------- ex2_records

# expected_records OUT BALANCE...: the file the task describes, record k
# holding id k and the k-th BALANCE, every other byte zero.
expected_records() {
  local out=$1 k=0 b
  shift
  : >"$out"
  for b in "$@"; do
    # shellcheck disable=SC2059  # the format is made of escapes on purpose
    printf "$(le $k 4)$(le 0 4)$(le "$b" 8)" >>"$out"
    head -c 48 /dev/zero >>"$out"
    k=$((k + 1))
  done
}

# hold_lock -s|-x FILE: in the background, take flock(1)'s lock on FILE and
# keep it until a file named release appears (at most 30 s, should the test
# fail first); return once the lock is held (the holder's pid is $!). The test
# decides when the lock goes, so nothing waits on a fixed sleep.
hold_lock() {
  flock "$1" "$2" -c 'touch held; n=0
    while [ ! -e release ] && [ $n -lt 1500 ]; do sleep 0.02; n=$((n + 1)); done' 3>&- &
  local k
  for ((k = 0; k < 500; k++)); do
    [[ -e held ]] && return 0
    sleep 0.01
  done
  fail "flock(1) did not take the lock"
}

# await_flock_waiter FILE PID: return once /proc/locks shows a process
# blocked in flock(2) on FILE (a "->" line with FILE's inode: the kernel
# lists each waiting request under the lock it waits for); fail if PID
# finishes first (it did not wait for the lock), or if nothing waits within
# 25 s. Where /proc/locks cannot be read, wait 0.3 s instead: a weaker
# check, which a program that takes no lock but starts late would pass.
await_flock_waiter() {
  local ino k st
  ino=$(stat -c %i "$1")
  if [[ ! -r /proc/locks ]]; then
    sleep 0.3
    return 0
  fi
  for ((k = 0; k < 1250; k++)); do
    grep -q -- "-> FLOCK .*:$ino " /proc/locks && return 0
    st=$(sed 's/.*) //' "/proc/$2/stat" 2>/dev/null | cut -d' ' -f1)
    [[ -n $st && $st != Z ]] ||
      fail "the program finished while another process held flock on '$1': it did not wait for the lock"
    sleep 0.02
  done
  fail "nothing waited in flock(2) on '$1' within 25 s; /proc/locks for it: $(grep ":$ino " /proc/locks)"
}

# many_records OUT N [ID BALANCE]...: the file of N records the task
# describes, every balance 0 but those listed (perl: thousands of records).
many_records() {
  perl -e 'my $n = shift; my %b = @ARGV;
    print map { pack "VVq<x48", $_, 0, $b{$_} // 0 } 0 .. $n - 1' "${@:2}" >"$1"
}
# show_of N [ID BALANCE]...: what show prints for that file.
show_of() {
  perl -e 'my $n = shift; my %b = @ARGV;
    print map { "$_ " . ($b{$_} // 0) . "\n" } 0 .. $n - 1' "$@"
}

# see: chapter 05 "A struct laid over a file"
@test "ex2_records: a file of many pages: init, updates on its last page, show, init again" {
  # 1000 records are 64000 bytes: 15 pages and part of a 16th. A mapping of
  # one page, or of N bytes instead of N records, does not hold them.
  run_ex ex2_records acc init 1000
  assert_success
  assert_equal "$(stat -c %s acc)" 64000
  many_records want 1000
  cmp acc want
  run_ex ex2_records acc 999 -7 3
  assert_success
  run_ex ex2_records acc $((PAGE / 64)) 5 2
  assert_success
  run_ex ex2_records acc 500 1000000000000 1
  assert_success
  local changed=(999 -21 $((PAGE / 64)) 10 500 1000000000000)
  many_records want 1000 "${changed[@]}"
  cmp acc want
  run_ex ex2_records acc show
  assert_success
  assert_output "$(show_of 1000 "${changed[@]}")"
  run_ex -1 --separate-stderr ex2_records acc 1000 1 1
  assert_one_error_line ex2_records "no record 1000 in 'acc' \(it has 1000\)"
  # init on an existing file empties it first: no old balance survives
  run_ex ex2_records acc init 600
  assert_success
  many_records want 600
  cmp acc want
}

# see: chapter 05 "A struct laid over a file"
@test "ex2_records: init makes N records with ids and zeros; show lists them" {
  umask 022
  run_ex ex2_records acc init 5
  assert_success
  expected_records want 0 0 0 0 0
  cmp acc want
  assert_equal "$(stat -c %a acc)" 644
  run_ex ex2_records acc show
  assert_success
  assert_output $'0 0\n1 0\n2 0\n3 0\n4 0'
}

# see: chapter 05 "A struct laid over a file"
@test "ex2_records: updates land in the file in place; show and od agree" {
  run_ex ex2_records acc init 3
  assert_success
  run_ex ex2_records acc 2 -125 4
  assert_success
  run_ex ex2_records acc 0 9000000000 1
  assert_success
  run_ex ex2_records acc 2 1 0
  assert_success
  expected_records want 9000000000 0 -500
  cmp acc want
  assert_equal "$(d8 acc $((2 * 64 + 8)))" -500
  run_ex ex2_records acc show
  assert_output $'0 9000000000\n1 0\n2 -500'
}

# see: flock(2), chapter 05 "Two unrelated processes, one file"
# This checks the arithmetic and the file, not the lock: with 20000
# repetitions the updaters seldom overlap, and an update loop without flock
# usually passes. The two flock(1) tests below check the lock.
@test "ex2_records: four updaters started together end with the exact balances" {
  run_ex ex2_records acc init 4
  assert_success
  local reps=20000 pids=() p
  wb_exec "$(ex_path ex2_records)" acc 1 3 $reps 3>&- &
  pids+=($!)
  wb_exec "$(ex_path ex2_records)" acc 1 3 $reps 3>&- &
  pids+=($!)
  wb_exec "$(ex_path ex2_records)" acc 1 -1 $reps 3>&- &
  pids+=($!)
  wb_exec "$(ex_path ex2_records)" acc 2 7 $reps 3>&- &
  pids+=($!)
  for p in "${pids[@]}"; do
    wait "$p" || fail "an updater failed"
  done
  local one=$(((3 + 3 - 1) * reps)) two=$((7 * reps))
  run_ex ex2_records acc show
  assert_success
  assert_output "0 0"$'\n'"1 $one"$'\n'"2 $two"$'\n'"3 0"
  assert_equal "$(d8 acc $((64 + 8)))" "$one"
  expected_records want 0 "$one" "$two" 0
  cmp acc want
}

# see: flock(2), chapter 05 "Two unrelated processes, one file"
@test "ex2_records: an update waits while another process holds flock on the file" {
  run_ex ex2_records acc init 3
  assert_success
  # A shared lock: an update must wait even for that (LOCK_EX); an update
  # under LOCK_SH, or under no lock, would not.
  hold_lock -s acc
  local holder=$!
  wb_exec "$(ex_path ex2_records)" acc 2 5 3 3>&- &
  local updater=$!
  await_flock_waiter acc "$updater"
  assert_equal "$(d8 acc $((2 * 64 + 8)))" 0
  touch release
  wait "$holder"
  wait "$updater" || fail "the updater failed"
  assert_equal "$(d8 acc $((2 * 64 + 8)))" 15
}

# see: flock(2), chapter 05 "Two unrelated processes, one file"
@test "ex2_records: show waits while another process holds flock on the file" {
  run_ex ex2_records acc init 2
  assert_success
  run_ex ex2_records acc 1 4 1
  assert_success
  hold_lock -x acc
  local holder=$!
  wb_exec "$(ex_path ex2_records)" acc show >shown 3>&- &
  local shower=$!
  await_flock_waiter acc "$shower"
  assert_equal "$(cat shown)" ""
  touch release
  wait "$holder"
  wait "$shower" || fail "show failed"
  assert_equal "$(cat shown)" $'0 0\n1 4'
}

@test "ex2_records: a missing file, a file of the wrong size, a record out of range" {
  run_ex -1 --separate-stderr ex2_records nosuch show
  assert_one_error_line ex2_records "open 'nosuch': No such file or directory"
  head -c 100 /dev/zero >odd
  run_ex -1 --separate-stderr ex2_records odd 0 1 1
  assert_one_error_line ex2_records "100 bytes, not a whole number of 64-byte records"
  run_ex ex2_records acc init 4
  assert_success
  run_ex -1 --separate-stderr ex2_records acc 9 1 1
  assert_one_error_line ex2_records "no record 9 in 'acc' \(it has 4\)"
}
