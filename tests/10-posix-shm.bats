#!/usr/bin/env bats
# Tests for chapter 10-posix-shm: its demos ("demo ...") and its exercises ("exN_...").
#
# Every shm name a test makes itself is /wb10-* with the test's pid and a
# random number, and teardown removes it even when the test fails; the
# demos make and remove their own (/DEMO.PID). Each test also checks that
# the name it cares about is gone from /dev/shm at the end.

load helper

TEST_NAME=""

teardown() {
  if [[ -n $TEST_NAME ]]; then rm -f "/dev/shm/${TEST_NAME#/}"; fi
  if [[ -n ${BG_PID:-} ]]; then kill "$BG_PID" 2>/dev/null || true; fi
}

# new_name: a fresh shm name for this test, in TEST_NAME.
new_name() { TEST_NAME="/wb10-$$-$RANDOM$RANDOM"; }

# name_in REGEX: the first capture of REGEX in $output.
name_in() {
  [[ $output =~ $1 ]] || fail "no match for /$1/ in the output"
  echo "${BASH_REMATCH[1]}"
}
# no_shm PATTERN: nothing in /dev/shm matches the glob PATTERN.
no_shm() {
  local left
  left=$(compgen -G "/dev/shm/$1" || true)
  [[ -z $left ]] || fail "left behind in /dev/shm: $left"
}

# ---------------------------------------------------------------- shm_pair

@test "demo shm_pair: a 0600 object of 4096 bytes appears in /dev/shm, an exec'd reader finds it by name, then it is gone" {
  run_demo shm_pair
  assert_success
  local name path
  name=$(name_in 'shm_open\("(/shm_pair\.[0-9]+)", O_RDWR\|O_CREAT\|O_EXCL, 0600\)')
  path=/dev/shm/${name#/}
  assert_line "writer: $path: regular file, mode 0600, 4096 bytes"
  # the same object in both processes: the writer's mapping and the reader's
  assert_equal "$(grep -cxF -- "$(vma obj 0 1 rw-s 0 "$path")" <<<"$output")" 2
  # the reader had no descriptor for it before it called shm_open
  assert_line "reader: descriptors for $path before shm_open: 0"
  assert_line "reader: shm_open(\"$name\", O_RDWR): 4096 bytes, mapped:"
  assert_line 'reader: offset 0 holds "hello from the writer"'
  # the reply came from another process, and the writer saw it in its mapping
  local reader_pid
  reader_pid=$(name_in 'stored "and hello back from pid ([0-9]+)" at offset 2048')
  [[ $reader_pid != "${name##*.}" ]] || fail "the reader is the writer's own process"
  assert_line "writer: the reader has exited; offset 2048 holds \"and hello back from pid $reader_pid\""
  assert_line "writer: shm_unlink: $path is gone"
  [[ ! -e $path ]] || fail "$path is still there"
}

@test "demo shm_pair: -r attaches to an object the test wrote into /dev/shm with the shell, and its reply lands in that file" {
  new_name
  local f=/dev/shm/${TEST_NAME#/}
  printf 'written by the shell' >"$f"
  truncate -s 4096 "$f"
  run_demo shm_pair -r "$TEST_NAME"
  assert_success
  assert_line "reader: shm_open(\"$TEST_NAME\", O_RDWR): 4096 bytes, mapped:"
  assert_line "$(vma obj 0 1 rw-s 0 "$f")"
  assert_line 'reader: offset 0 holds "written by the shell"'
  # what the reader stored through its mapping is in the file, at 2048
  local reply
  reply=$(tail -c +2049 "$f" | tr -d '\0')
  [[ $reply == "and hello back from pid "[0-9]* ]] || fail "the file holds '$reply' at 2048"
  assert_line "reader: stored \"$reply\" at offset 2048"
  assert_equal "$(stat -c %s "$f")" 4096
  # the reader never removes a name
  [[ -e $f ]] || fail "the reader removed $f"
  rm -f "$f"
}

@test "demo shm_pair: -r on a missing name is ENOENT and creates nothing; a 100-byte object is too small" {
  new_name
  run_demo -1 --separate-stderr shm_pair -r "$TEST_NAME"
  assert_one_error_line shm_pair "shm_open '$TEST_NAME': No such file or directory"
  [[ ! -e /dev/shm/${TEST_NAME#/} ]] || fail "-r created the object"
  head -c 100 /dev/zero >"/dev/shm/${TEST_NAME#/}"
  run_demo -1 --separate-stderr shm_pair -r "$TEST_NAME"
  assert_one_error_line shm_pair "'$TEST_NAME' is 100 bytes, too small \\(want 4096\\)"
  run_demo -2 --separate-stderr shm_pair extra
  assert_one_error_line shm_pair "no operands"
}

# ---------------------------------------------------------------- shm_lifetime

@test "demo shm_lifetime: after shm_unlink the name is gone (ENOENT) but the mapping and descriptor live on" {
  run_demo shm_lifetime
  assert_success
  local name path
  name=$(name_in 'created (/shm_lifetime\.[0-9]+) ')
  path=/dev/shm/${name#/}
  assert_line "1. created $name ($PAGE bytes), mapped it, stored \"the first object's data\""
  assert_line "  old: fstat: $PAGE bytes, 1 link"
  assert_line "$(vma old 0 1 rw-s 0 "$path")"
  # after shm_unlink: no name, ENOENT, 0 links, the maps line says deleted
  assert_line "  $path exists: no"
  assert_line "  shm_open(\"$name\", O_RDWR) without O_CREAT: ENOENT"
  assert_line "  old: fstat: $PAGE bytes, 0 links"
  assert_line "$(vma old 0 1 rw-s 0 "$path (deleted)")"
  assert_equal "$(grep -cxF "  the old mapping still reads \"the first object's data\"" <<<"$output")" 2
  assert_line "  closed both descriptors; the old mapping still reads \"the first object's data\""
}

@test "demo shm_lifetime: O_CREAT on the old name makes a new, empty object; O_EXCL then says EEXIST; a second unlink ENOENT" {
  run_demo shm_lifetime
  assert_success
  local name path i
  name=$(name_in 'created (/shm_lifetime\.[0-9]+) ')
  path=/dev/shm/${name#/}
  assert_line "3. shm_open(\"$name\", O_CREAT|O_EXCL) succeeds: a new object"
  assert_line "  same inode as the old one: no"
  assert_line "  new: fstat: 0 bytes, 1 link"
  # in step 3 the name exists again and opens without O_CREAT
  for i in "${!lines[@]}"; do [[ ${lines[$i]} == 3.* ]] && break; done
  assert_equal "${lines[$((i + 3))]}" "  $path exists: yes"
  assert_equal "${lines[$((i + 4))]}" "  shm_open(\"$name\", O_RDWR) without O_CREAT: ok"
  assert_line "  O_CREAT|O_EXCL once more: EEXIST"
  assert_line "4. shm_unlink the new name: ok; a second shm_unlink: ENOENT"
  [[ ! -e $path ]] || fail "$path is still there"
}

# ---------------------------------------------------------------- memfd_basics

@test "demo memfd_basics: /memfd:NAME (deleted), no links, not in /dev/shm's filesystem, close-on-exec, sealing off" {
  run_demo memfd_basics wb10-notes
  assert_success
  assert_line '  its /proc/self/fd link: /memfd:wb10-notes (deleted)'
  assert_line '  on the same filesystem as /dev/shm: no'
  assert_line '  close-on-exec: yes'
  # the mode and seals: 0777 and sealing off, unless vm.memfd_noexec (1, or
  # 2 since Linux 6.6) turns a call without MFD_EXEC into MFD_NOEXEC_SEAL.
  # (At 2 on a 6.3 to 6.5 kernel without 202e14222fad the call fails with
  # EINVAL; the memfd_noexec fact cannot tell.)
  local noexec
  noexec=$(fact memfd_noexec)
  case $noexec in
    0|absent)
      assert_line "  fstat: regular file, mode 0777, 0 bytes, 0 links"
      assert_line '  seals: F_SEAL_SEAL (no MFD_ALLOW_SEALING: no seal can be added)' ;;
    *)
      assert_line "  fstat: regular file, mode 0666, 0 bytes, 0 links"
      assert_line '  seals: F_SEAL_EXEC (not asked for: vm.memfd_noexec made the call MFD_NOEXEC_SEAL, which allows sealing)' ;;
  esac
  no_shm '*wb10-notes*'
}

@test "demo memfd_basics: write(2), the mapping and pread(2) see the same bytes; write grows it, read at the end gives 0" {
  run_demo memfd_basics wb10-both
  assert_success
  assert_line "write(2) of 21 bytes at offset 0: the size is now 21"
  assert_line "ftruncate to $PAGE bytes, mmap MAP_SHARED:"
  assert_line "$(vma mem 0 1 rw-s 0 '/memfd:wb10-both (deleted)')"
  assert_line 'the mapping at offset 0: "written with write(2)"'
  assert_line 'stored through the mapping at offset 100; pread(2) there: "stored through the mapping"'
  assert_line "lseek(SEEK_END): $PAGE; read(2) there: 0 bytes"
}

@test "demo memfd_basics: MFD_NOEXEC_SEAL gives mode 0666 and F_SEAL_EXEC, MFD_EXEC 0777 (Linux 6.3), as vm.memfd_noexec allows" {
  local v
  v=$(fact memfd_noexec)
  run_demo memfd_basics
  assert_success
  if [[ $v == absent ]]; then
    assert_line "vm.memfd_noexec: not present (a kernel before 6.3)"
    assert_line '  memfd_create(MFD_EXEC): EINVAL (a kernel before 6.3)'
    return
  fi
  assert_line "vm.memfd_noexec = $v"
  assert_line '  memfd_create(MFD_NOEXEC_SEAL): mode 0666, seals: F_SEAL_EXEC'
  case $v in
    0) assert_line '  memfd_create(0): mode 0777, seals: F_SEAL_SEAL'
       assert_line '  memfd_create(MFD_EXEC): mode 0777, seals: F_SEAL_SEAL' ;;
    1) assert_line '  memfd_create(0): mode 0666, seals: F_SEAL_EXEC'
       assert_line '  memfd_create(MFD_EXEC): mode 0777, seals: F_SEAL_SEAL' ;;
    *) assert_line '  memfd_create(0): mode 0666, seals: F_SEAL_EXEC'
       assert_line '  memfd_create(MFD_EXEC): EACCES (refused by vm.memfd_noexec)' ;;
  esac
}

@test "demo memfd_basics: a name longer than 249 bytes is EINVAL" {
  local long
  long=$(head -c 250 /dev/zero | tr '\0' n)
  run_demo -1 --separate-stderr memfd_basics "$long"
  assert_one_error_line memfd_basics "memfd_create '$long': Invalid argument"
  run_demo memfd_basics "${long:1}"
  assert_success
}

# ---------------------------------------------------------------- cloexec

# cl_line WHAT RESULT: a line of cloexec's table.
cl_line() { printf '  %-58s %s\n' "$1" "$2"; }

@test "demo cloexec: only the memfd made without MFD_CLOEXEC reaches the exec'd program; shm_open sets FD_CLOEXEC itself" {
  run_demo cloexec 0
  assert_success
  local leaky='memfd_create("leaky", 0)' tidy='memfd_create("tidy", MFD_CLOEXEC)'
  local shm='shm_open(NAME, O_RDWR|O_CREAT|O_EXCL, 0600)'
  local late='memfd_create("late", 0), then fcntl(F_SETFD, FD_CLOEXEC)'
  # the flags before exec (shm_open was not asked for O_CLOEXEC, yet has it)
  assert_equal "${lines[1]}" "$(cl_line "$leaky" no)"
  assert_equal "${lines[2]}" "$(cl_line "$tidy" yes)"
  assert_equal "${lines[3]}" "$(cl_line "$shm" yes)"
  assert_equal "${lines[4]}" "$(cl_line "$late" yes)"
  # what the new program found at the same descriptor numbers
  assert_equal "${lines[6]}" "$(cl_line "$leaky" 'inherited -> /memfd:leaky (deleted)')"
  assert_equal "${lines[7]}" "$(cl_line "$tidy" closed)"
  assert_equal "${lines[8]}" "$(cl_line "$shm" closed)"
  assert_equal "${lines[9]}" "$(cl_line "$late" closed)"
  assert_equal "${#lines[@]}" 10
  no_shm 'cloexec.*'
}

@test "demo cloexec: the race: fcntl after memfd_create leaks into spawned children, MFD_CLOEXEC never does" {
  local tries=100
  # Valgrind runs one thread at a time and forks slowly: fewer tries there.
  on_valgrind && tries=5
  run_demo cloexec $tries
  assert_success
  local late atomic
  late=$(name_in 'fcntl\(FD_CLOEXEC\): +([0-9]+) of '"$tries"' children inherited one')
  atomic=$(name_in 'memfd_create\(MFD_CLOEXEC\): +([0-9]+) of '"$tries"' children inherited one')
  assert_equal "$atomic" 0
  # Natively the window between the two calls is hit often (about 40 of 100
  # here, on 2 cores); the chance of 0 in 100 is negligible. Under Valgrind
  # or ASan, thread scheduling changes and 0 is possible.
  on_instrumented || [[ $late -gt 0 ]] || fail "no child inherited a descriptor in $tries tries"
}

# ---------------------------------------------------------------- shm_truncate

# tr_line FROM TO TEXT: one line of shm_truncate's probe.
tr_line() { printf '  %5d..%-5d page %d: %s\n' "$1" "$2" $(($1 / PAGE)) "$3"; }
# tr_size BYTES PAGES: the fstat line.
tr_size() { printf '  fstat: %d bytes, %d page(s) of memory (st_blocks %d)\n' "$1" "$2" $(($2 * PAGE / 512)); }

@test "demo shm_truncate: shrink to a page and 100 bytes: letters below, zeros to the page end, SIGBUS past it; growing back gives zeros" {
  run_demo shm_truncate
  assert_success
  local size=$((PAGE + 100)) total=$((3 * PAGE))
  assert_line "ftruncate to $size bytes under the live mapping"
  assert_line "$(tr_size "$size" 2)"
  assert_line "$(tr_line 0 $((PAGE - 1)) "'A' x $PAGE, 0 zero")"
  assert_line "$(tr_line "$PAGE" $((size - 1)) "'B' x 100, 0 zero")"
  assert_line "$(tr_line "$size" $((2 * PAGE - 1)) "all zero")"
  assert_line "$(tr_line $((2 * PAGE)) $((total - 1)) "SIGBUS (BUS_ADRERR)")"
  assert_line "  write at $((2 * PAGE)) (page 2): SIGBUS (BUS_ADRERR)"
  # grown back: the old 'B's past the cut and the whole 'C' page are zeros
  assert_line "ftruncate back to $total bytes"
  assert_line "$(tr_line "$PAGE" $((2 * PAGE - 1)) "'B' x 100, $((PAGE - 100)) zero")"
  assert_equal "$(grep -cxF -- "$(tr_line $((2 * PAGE)) $((total - 1)) "all zero")" <<<"$output")" 1
  # memory: 3 pages, 2 after the cut, still 2 after growing, 3 once read
  assert_equal "$(grep -cxF -- "$(tr_size "$total" 3)" <<<"$output")" 2
  assert_line "$(tr_size "$total" 2)"
  no_shm 'shm_truncate.*'
}

@test "demo shm_truncate: a cut on a page boundary leaves no partial page; a cut to 0 makes every page SIGBUS" {
  local total=$((3 * PAGE))
  run_demo shm_truncate $((2 * PAGE))
  assert_success
  assert_line "$(tr_line "$PAGE" $((2 * PAGE - 1)) "'B' x $PAGE, 0 zero")"
  assert_line "$(tr_line $((2 * PAGE)) $((total - 1)) "SIGBUS (BUS_ADRERR)")"
  # nothing between the cut and the growth reads as zeros: no partial page
  assert_equal "$(sed -n '/^ftruncate to/,/^ftruncate back/p' <<<"$output" | grep -c 'all zero')" 0
  run_demo shm_truncate 0
  assert_success
  assert_line "$(tr_size 0 0)"
  local k
  for k in 0 1 2; do
    assert_line "$(tr_line $((k * PAGE)) $(((k + 1) * PAGE - 1)) "SIGBUS (BUS_ADRERR)")"
    assert_line "$(tr_line $((k * PAGE)) $(((k + 1) * PAGE - 1)) "all zero")"
  done
  assert_line "  write at 0 (page 0): SIGBUS (BUS_ADRERR)"
}

@test "demo shm_truncate: a size of 3 pages or more is a usage error" {
  run_demo -2 --separate-stderr shm_truncate $((3 * PAGE))
  assert_one_error_line shm_truncate "must be below 3 pages"
}

# ---------------------------------------------------------------- seals

# seal_line WHAT RESULT: one tried call of seals.
seal_line() { printf '  %-44s %s\n' "$1" "$2"; }

# noexec_seal: " F_SEAL_EXEC" where vm.memfd_noexec (1 since Linux 6.3, 2
# since 6.6) makes a memfd_create without MFD_EXEC or MFD_NOEXEC_SEAL
# MFD_NOEXEC_SEAL, as the probe measured; else nothing. (At 2 on a 6.3 to 6.5
# kernel without 202e14222fad such a call fails with EINVAL, which the
# memfd_noexec fact cannot tell.)
noexec_seal() { [[ $(fact memfd_noexec) == [12] ]] && echo ' F_SEAL_EXEC' || true; }

@test "demo seals: without MFD_ALLOW_SEALING a memfd is born with F_SEAL_SEAL, and adding a seal is EPERM" {
  run_demo seals
  assert_success
  if [[ -n $(noexec_seal) ]]; then
    # MFD_NOEXEC_SEAL, implied by the sysctl, allows sealing.
    assert_equal "${lines[0]}" '1. memfd_create("plain", MFD_CLOEXEC): seals: F_SEAL_EXEC'
    assert_equal "${lines[1]}" '  F_SEAL_EXEC, not F_SEAL_SEAL: vm.memfd_noexec made the call MFD_NOEXEC_SEAL, which allows sealing'
    assert_equal "${lines[2]}" "$(seal_line 'F_ADD_SEALS(F_SEAL_SHRINK)' ok)"
    return
  fi
  assert_equal "${lines[0]}" '1. memfd_create("plain", MFD_CLOEXEC): seals: F_SEAL_SEAL'
  assert_equal "${lines[1]}" "$(seal_line 'F_ADD_SEALS(F_SEAL_SHRINK)' EPERM)"
}

@test "demo seals: F_SEAL_SHRINK stops shrinking, F_SEAL_GROW stops growing by any call, F_SEAL_SEAL stops new seals" {
  run_demo seals
  assert_success
  local i
  for i in "${!lines[@]}"; do [[ ${lines[$i]} == 2.* ]] && break; done
  local x
  x=$(noexec_seal)
  assert_equal "${lines[$i]}" "2. memfd_create(\"sealed\", MFD_CLOEXEC|MFD_ALLOW_SEALING), 2 pages: seals:${x:- (none)}"
  local want=(
    "F_ADD_SEALS(F_SEAL_SHRINK): ok"
    "$(seal_line "ftruncate to $PAGE (shrink)" EPERM)"
    "$(seal_line "ftruncate to $((4 * PAGE)) (grow)" ok)"
    "F_ADD_SEALS(F_SEAL_GROW): ok"
    "$(seal_line "ftruncate to $((8 * PAGE)) (grow)" EPERM)"
    "$(seal_line "pwrite 1 byte at the end ($((4 * PAGE)))" EPERM)"
    "$(seal_line "fallocate 0..$((8 * PAGE)) (grow)" EPERM)"
    "$(seal_line "pwrite 1 byte inside (offset 0)" ok)"
    "$(seal_line "ftruncate to $((4 * PAGE)) (the same size)" ok)"
    "F_ADD_SEALS(F_SEAL_SEAL): ok"
    "$(seal_line "F_ADD_SEALS(F_SEAL_WRITE)" EPERM)"
    "$(seal_line "F_ADD_SEALS(0), no new seal at all" EPERM)"
    "seals now: F_SEAL_SEAL F_SEAL_SHRINK F_SEAL_GROW$x"
  )
  local k
  for k in "${!want[@]}"; do
    assert_equal "${lines[$((i + 1 + k))]}" "${want[$k]}"
  done
}

@test "demo seals: a shm_open object is born sealed against seals; a file elsewhere does not know them" {
  run_demo seals
  assert_success
  assert_line "3. a shm_open object: seals: F_SEAL_SEAL"
  # refused twice: the plain memfd and the shm_open object (once where the
  # plain memfd is sealable, as above)
  local refused=2
  [[ -n $(noexec_seal) ]] && refused=1
  assert_equal "$(grep -cxF -- "$(seal_line 'F_ADD_SEALS(F_SEAL_SHRINK)' EPERM)" <<<"$output")" $refused
  if [[ $(stat -f -c %T "$BATS_TEST_TMPDIR") == tmpfs ]]; then
    assert_line '4. a file in $TMPDIR (tmpfs): seals: F_SEAL_SEAL'
  else
    assert_line '4. a file in $TMPDIR (not tmpfs): seals: F_GET_SEALS fails with EINVAL'
  fi
  no_shm 'seals.*'
  assert_equal "$(ls -A)" ""
}

# ---------------------------------------------------------------- seal_write

# sw_line WHAT RESULT: one tried call of seal_write.
sw_line() { printf '  %-56s %s\n' "$1" "$2"; }

@test "demo seal_write: F_SEAL_WRITE is EBUSY while a shared mapping could write, then stops every writer but not ftruncate" {
  run_demo seal_write
  assert_success
  local want=(
    '1. a sealable memfd of 1 page holding "version 1"'
    "$(sw_line "with a PROT_READ|PROT_WRITE shared mapping: F_SEAL_WRITE" EBUSY)"
    "$(sw_line "with a PROT_READ shared mapping: F_SEAL_WRITE" EBUSY)"
    "$(sw_line "with only a private mapping: F_SEAL_WRITE" ok)"
    "sealed with F_SEAL_WRITE:"
    "$(sw_line "pwrite 1 byte at offset 0" EPERM)"
    "$(sw_line "mmap(PROT_READ|PROT_WRITE, MAP_SHARED)" EPERM)"
  )
  # A read-only shared mapping of the sealed memfd: the kernel's call (6.7+
  # allows it), measured by the probe, not by this demo.
  if [[ $(fact sealed_shared_ro) == yes ]]; then
    want+=(
      "$(sw_line "mmap(PROT_READ, MAP_SHARED)" ok)"
      "$(sw_line "  then mprotect(PROT_READ|PROT_WRITE)" EACCES)"
    )
  else
    want+=(
      "$(sw_line "mmap(PROT_READ, MAP_SHARED)" EPERM)"
      "  this kernel refuses even a read-only shared mapping of a write-sealed memfd (newer kernels allow it: mainline 6.7 to 6.11 and from 6.13, 6.12 from 6.12.9); MAP_PRIVATE reads it anywhere"
    )
  fi
  want+=(
    '  stored "private" through the private mapping: ok'
    '  the memfd (pread) reads "version 1"'
    "$(sw_line "ftruncate to 0 (no size seal)" ok)"
    "  the memfd now has 0 bytes: F_SEAL_WRITE did not keep them"
  )
  local k
  for k in "${!want[@]}"; do assert_equal "${lines[$k]}" "${want[$k]}"; done
}

@test "demo seal_write: F_SEAL_FUTURE_WRITE stops new writers, but the old writable mapping still changes the bytes" {
  run_demo seal_write
  assert_success
  local i
  for i in "${!lines[@]}"; do [[ ${lines[$i]} == 2.* ]] && break; done
  local want=(
    '2. a new memfd holding "version 1", mapped shared read-write'
    "$(sw_line "with that mapping: F_SEAL_FUTURE_WRITE" ok)"
    "$(sw_line "pwrite 1 byte at offset 0" EPERM)"
    "$(sw_line "mmap(PROT_READ|PROT_WRITE, MAP_SHARED)" EPERM)"
    '  stored "version 2" through the old mapping: ok'
    '  the memfd (pread) reads "version 2"'
  )
  local k
  for k in "${!want[@]}"; do assert_equal "${lines[$((i + k))]}" "${want[$k]}"; done
  assert_equal "${#lines[@]}" $((i + ${#want[@]}))
}

# ---------------------------------------------------------------- ex1_board

# board_session SCRIPT: run the bash SCRIPT as ONE program of the harness:
# one timeout and, under make grade, one sandbox, whose private /dev/shm all
# the board processes in it share, as unrelated processes on one machine
# share the real one. In SCRIPT, `board ARGS...` runs ex1_board (under
# $WB_WRAPPER with a timeout of its own, like every run), `shm` prints
# "SIZE MODE" of /dev/shm/$NAME or "none", and $NAME is this test's name.
board_session() {
  # shellcheck disable=SC2016  # the functions are for the inner shell
  local funcs='
board() { timeout -k 5 "$T" $WRAP "$BOARD" "$@"; }
shm() { local f=/dev/shm/${NAME#/}; if [[ -e $f ]]; then stat -c "%s %a" "$f"; else echo none; fi; }
'
  WB_WRAPPER='' wb_run /usr/bin/env BOARD="$(ex_path ex1_board)" WRAP="$WB_WRAPPER" \
    T="$WB_TIMEOUT" NAME="$TEST_NAME" bash -c "$funcs$1"
}

# points: 2
# see: shm_open(3), chapter 10 "Four calls: shm_open, ftruncate, mmap, shm_unlink"
@test "ex1_board: one process posts, another reads; the object is in /dev/shm (4096 bytes, 0600) until removed" {
  new_name
  board_session '
    shm
    board post "$NAME" "hello there" "second message" 2>&1; echo "post=$?"
    shm
    board read "$NAME" 2>&1; echo "read=$?"
    board post "$NAME" third 2>&1; echo "post=$?"
    board read "$NAME" 2>&1; echo "read=$?"
    board remove "$NAME" 2>&1; echo "remove=$?"
    shm'
  assert_success
  assert_output "none
created $TEST_NAME
posted #1
posted #2
post=0
4096 600
#1 hello there
#2 second message
read=0
posted #3
post=0
#1 hello there
#2 second message
#3 third
read=0
removed $TEST_NAME
remove=0
none"
}

# board_bytes: printf commands that write a board the test builds itself:
# count 3, slots 0 and 2 ready ("first", "third"), slot 1 taken but not yet
# ready (its text half there). uint32s are little-endian (x86-64, arm64).
board_bytes='
slot() { printf "\\$(printf %03o "$1")\\0\\0\\0"; printf "%s" "$2"; head -c $((60 - ${#2})) /dev/zero; }
{ printf "BOARD10\\0"; printf "\\3\\0\\0\\0"; head -c 52 /dev/zero
  slot 1 first; slot 0 "half writ"; slot 1 third
  head -c $((4096 - 64 - 3 * 64)) /dev/zero; } >"/dev/shm/${NAME#/}"
'

# points: 2
# see: shm_open(3), chapter 10 "Four calls: shm_open, ftruncate, mmap, shm_unlink"
@test "ex1_board: the layout: read shows a board the shell wrote; post fills the next slot where the shell finds it" {
  new_name
  board_session "$board_bytes"'
    stat -c "%s" "/dev/shm/${NAME#/}"
    board read "$NAME" 2>&1; echo "read=$?"
    board post "$NAME" fourth 2>&1; echo "post=$?"
    f=/dev/shm/${NAME#/}
    echo "count $(od -An -tu4 -j8 -N4 "$f" | tr -d " ")"
    echo "slot 3 ready $(od -An -tu4 -j256 -N4 "$f" | tr -d " ")"
    echo "slot 3 text $(dd if="$f" bs=1 skip=260 count=60 2>/dev/null | tr "\\0" .)"
    echo "size $(stat -c %s "$f")"
    board remove "$NAME" >/dev/null 2>&1; shm'
  assert_success
  local dots
  dots=$(printf '%*s' 54 '' | tr ' ' .)
  assert_output "4096
#1 first
#3 third
read=0
posted #4
post=0
count 4
slot 3 ready 1
slot 3 text fourth$dots
size 4096
none"
}

# points: 3
# see: shm_open(3) (O_EXCL), chapter 10 "Two unrelated processes: shm_pair"
@test "ex1_board: four processes post 10 messages each at once: one creates, none is lost, each keeps its order" {
  new_name
  board_session '
    for p in 1 2 3 4; do
      board post "$NAME" p$p-1 p$p-2 p$p-3 p$p-4 p$p-5 p$p-6 p$p-7 p$p-8 p$p-9 p$p-10 >out.$p 2>&1 &
    done
    wait
    cat out.1 out.2 out.3 out.4
    echo "--- read"
    board read "$NAME" 2>&1; echo "read=$?"
    board remove "$NAME" >/dev/null 2>&1; shm'
  assert_success
  local posted board
  posted=$(sed -n '/^--- read$/q;p' <<<"$output")
  board=$(sed -n '/^--- read$/,$p' <<<"$output" | sed '1d')
  # exactly one of the four created the board
  assert_equal "$(grep -c '^created ' <<<"$posted")" 1
  # 40 posts, slots 1..40, each once
  assert_equal "$(grep '^posted #' <<<"$posted" | sort -t'#' -k2n | tr '\n' ' ')" \
    "$(for n in $(seq 1 40); do printf 'posted #%d ' "$n"; done)"
  # the board: 40 lines #1..#40, every message once, each poster in order
  assert_equal "$(grep -c '^#' <<<"$board")" 40
  assert_equal "$(grep '^#' <<<"$board" | cut -d' ' -f2 | sort | tr '\n' ' ')" \
    "$(for p in 1 2 3 4; do for m in $(seq 1 10); do echo "p$p-$m"; done; done | sort | tr '\n' ' ')"
  assert_equal "$(grep '^#' <<<"$board" | cut -d' ' -f1 | tr -d '#' | tr '\n' ' ')" "$(seq 1 40 | tr '\n' ' ')"
  local p
  for p in 1 2 3 4; do
    assert_equal "$(grep " p$p-" <<<"$board" | cut -d' ' -f2 | tr '\n' ' ')" "$(seq -f "p$p-%g" 1 10 | tr '\n' ' ')"
  done
  assert_line "read=0"
  assert_equal "${lines[-1]}" "none"
}

@test "ex1_board: the 63rd message fills the board; the 64th is refused (exit 1) and the board keeps 63" {
  new_name
  # 59-byte messages, the longest: the last one's NUL is the object's last byte
  board_session '
    board post "$NAME" $(for k in $(seq 1 62); do printf "m%058d " $k; done) >/dev/null 2>&1; echo "post=$?"
    board post "$NAME" "$(printf "L%058d" 63)" extra 2>&1; echo "post=$?"
    board read "$NAME" 2>&1 | tail -n 2
    board read "$NAME" 2>/dev/null | grep -c "^#"
    f=/dev/shm/${NAME#/}
    echo "count $(od -An -tu4 -j8 -N4 "$f" | tr -d " "), size $(stat -c %s "$f"), last 61 bytes $(tail -c 61 "$f" | tr "\\0" .)"
    board remove "$NAME" >/dev/null 2>&1; shm'
  assert_success
  assert_output "post=0
posted #63
ex1_board: board '$TEST_NAME' is full (63 messages)
post=1
#62 $(printf 'm%058d' 62)
#63 $(printf 'L%058d' 63)
63
count 63, size 4096, last 61 bytes .$(printf 'L%058d' 63).
none"
}

# see: shm_open(3), shm_unlink(3), chapter 10 "Four calls: shm_open, ftruncate, mmap, shm_unlink"
@test "ex1_board: read or remove of a board that does not exist: one error line, exit 1, and nothing is created" {
  new_name
  board_session '
    board read "$NAME" 2>&1; echo "read=$?"
    shm
    board remove "$NAME" 2>&1; echo "remove=$?"
    board post "$NAME" hi >/dev/null 2>&1; board remove "$NAME" 2>&1; echo "remove=$?"
    shm'
  assert_success
  assert_output "ex1_board: shm_open '$TEST_NAME': No such file or directory
read=1
none
ex1_board: shm_unlink '$TEST_NAME': No such file or directory
remove=1
removed $TEST_NAME
remove=0
none"
}

@test "ex1_board: an object that is not a board is refused and left as it was" {
  new_name
  board_session '
    f=/dev/shm/${NAME#/}
    printf "just some bytes" >"$f"
    board post "$NAME" hi 2>&1; echo "post=$?"
    board read "$NAME" 2>&1; echo "read=$?"
    cat "$f"; echo
    head -c 4096 /dev/zero >"$f"
    board read "$NAME" 2>&1; echo "read=$?"
    echo "size $(stat -c %s "$f"), nonzero bytes $(tr -d "\\0" <"$f" | wc -c)"
    rm -f "$f"'
  assert_success
  assert_output "ex1_board: '$TEST_NAME' is not a board
post=1
ex1_board: '$TEST_NAME' is not a board
read=1
just some bytes
ex1_board: '$TEST_NAME' is not a board
read=1
size 4096, nonzero bytes 0"
}

@test "ex1_board: bad names and messages are usage errors (exit 2); a 59-byte message is fine" {
  new_name
  local m59 m60
  m59=$(printf '%059d' 7)
  m60=$(printf '%060d' 7)
  board_session '
    board post noslash hi 2>&1 >/dev/null | wc -l; echo "status=${PIPESTATUS[0]}"
    board post /a/b hi 2>&1 >/dev/null | wc -l; echo "status=${PIPESTATUS[0]}"
    board post "$NAME" "" 2>&1 >/dev/null | wc -l; echo "status=${PIPESTATUS[0]}"
    board post "$NAME" '"$m60"' 2>&1 >/dev/null | wc -l; echo "status=${PIPESTATUS[0]}"
    board frobnicate "$NAME" 2>&1 >/dev/null | wc -l; echo "status=${PIPESTATUS[0]}"
    shm
    board post "$NAME" '"$m59"' 2>&1 | tail -n 1; echo "status=${PIPESTATUS[0]}"
    board read "$NAME" 2>&1
    board remove "$NAME" >/dev/null 2>&1; shm'
  assert_success
  assert_output "1
status=2
1
status=2
1
status=2
1
status=2
1
status=2
none
posted #1
status=0
#1 $m59
none"
}

# ---------------------------------------------------------------- ex2_sealed

F_SEALS_DEFAULT=$((0x1 | 0x2 | 0x4 | 0x8)) # SEAL SHRINK GROW WRITE

# seals_made SEALS: SEALS as a receiver sees them on a memfd made here. Where
# vm.memfd_noexec is 1 (Linux 6.3+) or 2 (Linux 6.6+), memfd_create without
# MFD_EXEC or MFD_NOEXEC_SEAL adds F_SEAL_EXEC (0x20) on its own, as the task
# says. (At 2 on a 6.3 to 6.5 kernel without 202e14222fad it fails with
# EINVAL instead.)
seals_made() {
  local extra=0
  [[ $(fact memfd_noexec) == [12] ]] && extra=0x20
  printf '0x%x' $(($1 | extra))
}

# py_files: the independent other side, in Python: sender.py sends a memfd
# (or another descriptor) with chosen seals; receiver.py reports what it got.
py_files() {
  cat >sender.py <<'PY'
import fcntl, mmap, os, socket, sys
F_ADD_SEALS = 1033
path, src, seals, kind = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), sys.argv[4]
data = open(src, "rb").read()
keep = None
if kind == "file":
    fd = os.open(src, os.O_RDONLY)
elif kind == "shm":                    # what shm_open makes: a tmpfs file
    shm = "/dev/shm/wb10-py-%d" % os.getpid()
    fd = os.open(shm, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    os.unlink(shm)
    os.write(fd, data)
else:
    fd = os.memfd_create("pysend", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.write(fd, data)
    if kind == "keepmap":              # a writable shared mapping, kept
        keep = mmap.mmap(fd, len(data))
    if seals:
        fcntl.fcntl(fd, F_ADD_SEALS, seals)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
if kind == "nofd":
    s.sendall(b"M")
else:
    socket.send_fds(s, [b"M"], [fd])
s.close()
if keep is not None:
    keep[0:7] = b"CHANGED"             # what F_SEAL_FUTURE_WRITE allows
print("sent")
PY
  cat >receiver.py <<'PY'
import errno, fcntl, os, socket, sys
F_GET_SEALS = 1034
path, out = sys.argv[1], sys.argv[2]
os.umask(0)                            # the sender may run as another user
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
s.settimeout(60)
c, _ = s.accept()
os.unlink(path)
msg, fds, flags, addr = socket.recv_fds(c, 16, 4)
if len(fds) != 1:
    sys.exit("got %d descriptors" % len(fds))
fd = fds[0]
seals = fcntl.fcntl(fd, F_GET_SEALS)
size = os.fstat(fd).st_size
open(out, "wb").write(os.pread(fd, size, 0) if size else b"")
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return errno.errorcode[e.errno]
print("seals=0x%x size=%d link=%s pwrite=%s shrink=%s grow=%s" % (
    seals, size, os.readlink("/proc/self/fd/%d" % fd),
    attempt(lambda: os.pwrite(fd, b"x", 0)),
    attempt(lambda: os.ftruncate(fd, 0)),
    attempt(lambda: os.ftruncate(fd, size + 4096))))
PY
}

# wait_socket PATH PID: until PATH is a socket, or PID has exited (20 s at most).
wait_socket() {
  local k
  for ((k = 0; k < 400; k++)); do
    [[ -S $1 ]] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# recv_with_py_sender SEALS KIND: ex2_sealed recv sock got, fed by sender.py
# with data; sets status, output (stdout) and stderr of recv.
recv_with_py_sender() {
  py_files
  wb_exec "$(ex_path ex2_sealed)" recv sock got >recv.out 2>recv.err 3>&- &
  BG_PID=$!
  if wait_socket sock "$BG_PID"; then
    timeout 20 python3 sender.py sock data "$1" "$2" >sender.out 2>&1 || true
  fi
  status=0
  wait "$BG_PID" || status=$?
  BG_PID=
  output=$(<recv.out)
  stderr=$(<recv.err)
}

# send_to_recv: ex2_sealed recv sock got in the background, then ex2_sealed
# send sock data; checks both lines, the bytes and that the socket is gone.
send_to_recv() {
  local n all="F_SEAL_SEAL F_SEAL_SHRINK F_SEAL_GROW F_SEAL_WRITE"
  n=$(stat -c %s data)
  rm -f got
  wb_exec "$(ex_path ex2_sealed)" recv sock got >recv.out 2>recv.err 3>&- &
  BG_PID=$!
  wait_socket sock "$BG_PID" || fail "recv made no socket: $(cat recv.err)"
  run_ex ex2_sealed send sock data
  assert_success
  assert_output "sent $n bytes, seals: $all"
  wait "$BG_PID" || fail "recv failed: $(cat recv.err)"
  BG_PID=
  assert_equal "$(cat recv.out)" "received $n bytes, seals: $all"
  [[ -f got ]] || fail "no OUTFILE"
  cmp data got
  [[ ! -e sock ]] || fail "the socket file is still there"
}

# points: 2
# see: memfd_create(2), unix(7) (SCM_RIGHTS), chapter 10 "File seals"
@test "ex2_sealed: send to recv: many pages, the last one partial, arrive intact through the descriptor; the socket is removed" {
  head -c $((37 * PAGE + 123)) /dev/urandom >data
  send_to_recv
  head -c $((3 * PAGE)) /dev/urandom >data
  send_to_recv
}

# see: memfd_create(2), chapter 10 "File seals"
@test "ex2_sealed: send to recv: an empty FILE is an empty sealed memfd and an empty OUTFILE" {
  : >data
  send_to_recv
}

# points: 2
# see: memfd_create(2), fcntl(2) (F_ADD_SEALS), chapter 10 "File seals"
@test "ex2_sealed: send: another process receives a memfd, sealed, of the file's size and bytes, that it cannot change" {
  py_files
  printf 'a sealed message\n' >data
  timeout 30 python3 receiver.py sock got >py.out 2>&1 &
  BG_PID=$!
  wait_socket sock "$BG_PID" || fail "receiver.py made no socket: $(cat py.out)"
  run_ex ex2_sealed send sock data
  [[ $status -eq 0 ]] || kill "$BG_PID"
  wait "$BG_PID" || true
  BG_PID=
  assert_success
  # the default seals, a memfd (any name), and every change refused
  local want="^seals=$(seals_made $F_SEALS_DEFAULT) size=17 link=/memfd:.* \\(deleted\\) pwrite=EPERM shrink=EPERM grow=EPERM\$"
  [[ $(cat py.out) =~ $want ]] || fail "receiver.py saw: $(cat py.out)"
  cmp data got
}

# see: fcntl(2) (F_ADD_SEALS), chapter 10 "File seals"
@test "ex2_sealed: send -s picks the seals: none, or some; the receiver sees exactly those" {
  py_files
  printf 'x%.0s' {1..100} >data
  local list want
  for list in none shrink,grow future_write,seal write; do
    case $list in
      none) want=0x0 ;;
      shrink,grow) want=0x6 ;;
      future_write,seal) want=0x11 ;;
      write) want=0x8 ;;
    esac
    rm -f got
    timeout 30 python3 receiver.py sock got >py.out 2>&1 &
    BG_PID=$!
    wait_socket sock "$BG_PID" || fail "receiver.py made no socket: $(cat py.out)"
    run_ex ex2_sealed send -s "$list" sock data
    [[ $status -eq 0 ]] || kill "$BG_PID"
    wait "$BG_PID" || true
    BG_PID=
    assert_success
    want=$(seals_made "$want")
    [[ $(cat py.out) == "seals=$want size=100 "* ]] || fail "-s $list: receiver.py saw: $(cat py.out)"
    cmp data got
  done
  run_ex -2 --separate-stderr ex2_sealed send -s shrink,glow sock data
  assert_one_error_line ex2_sealed "unknown seal 'glow' in 'shrink,glow'"
}

# see: fcntl(2) (F_GET_SEALS), chapter 10 "Checking is enough"
@test "ex2_sealed: recv accepts a memfd sealed by another program, and writes its bytes out" {
  head -c $((20 * PAGE + 5)) /dev/urandom >data
  recv_with_py_sender $((0x2 | 0x4 | 0x8)) memfd
  [[ $status -eq 0 ]] || fail "recv failed ($status): $stderr"
  assert_equal "$output" "received $((20 * PAGE + 5)) bytes, seals: F_SEAL_SHRINK F_SEAL_GROW F_SEAL_WRITE"
  cmp data got
  [[ ! -e sock ]] || fail "the socket file is still there"
}

# points: 3
# see: fcntl(2) (F_GET_SEALS), chapter 10 "Checking is enough"
@test "ex2_sealed: recv refuses an unsealed memfd, one sealed only in part, and one with F_SEAL_FUTURE_WRITE instead of F_SEAL_WRITE" {
  printf 'do not trust me\n' >data
  local seals missing
  for case in "0:F_SEAL_SHRINK F_SEAL_GROW F_SEAL_WRITE" \
              "$((0x2 | 0x4)):F_SEAL_WRITE" \
              "$((0x8)):F_SEAL_SHRINK F_SEAL_GROW"; do
    seals=${case%%:*} missing=${case#*:}
    rm -f got
    recv_with_py_sender "$seals" memfd
    assert_equal "$status" 1
    assert_one_error_line ex2_sealed "refusing an unsealed memfd: missing $missing\$"
    [[ ! -e got ]] || fail "OUTFILE was created for seals $seals"
    [[ ! -e sock ]] || fail "the socket file is still there"
  done
  # F_SEAL_FUTURE_WRITE while the sender keeps a writable mapping: refused
  rm -f got
  recv_with_py_sender $((0x1 | 0x2 | 0x4 | 0x10)) keepmap
  assert_equal "$status" 1
  assert_one_error_line ex2_sealed "refusing an unsealed memfd: missing F_SEAL_WRITE\$"
  [[ ! -e got ]] || fail "OUTFILE was created"
}

# see: fcntl(2) (F_GET_SEALS), chapter 10 "Checking is enough"
@test "ex2_sealed: recv refuses a regular file (F_GET_SEALS: EINVAL), a shm_open object, and a message without a descriptor" {
  printf 'plain file\n' >data
  recv_with_py_sender 0 file
  assert_equal "$status" 1
  if [[ $(stat -f -c %T .) == tmpfs ]]; then # a tmpfs file knows seals
    assert_one_error_line ex2_sealed "refusing an unsealed memfd: missing F_SEAL_SHRINK F_SEAL_GROW F_SEAL_WRITE\$"
  else
    assert_one_error_line ex2_sealed "refusing the descriptor: F_GET_SEALS: Invalid argument"
  fi
  recv_with_py_sender 0 shm
  assert_equal "$status" 1
  assert_one_error_line ex2_sealed "refusing an unsealed memfd: missing F_SEAL_SHRINK F_SEAL_GROW F_SEAL_WRITE\$"
  recv_with_py_sender 0 nofd
  assert_equal "$status" 1
  assert_one_error_line ex2_sealed "the sender sent no descriptor"
  [[ ! -e got ]] || fail "OUTFILE was created"
  no_shm 'wb10-py-*'
}

@test "ex2_sealed: an existing SOCKET path is an error and left alone; send to nobody is one error line" {
  echo precious >sock
  run_ex -1 --separate-stderr ex2_sealed recv sock got
  assert_one_error_line ex2_sealed "bind 'sock': Address already in use"
  assert_equal "$(cat sock)" precious
  [[ ! -e got ]] || fail "OUTFILE was created"
  printf 'data\n' >data
  run_ex -1 --separate-stderr ex2_sealed send nosuch data
  assert_one_error_line ex2_sealed "connect 'nosuch': No such file or directory"
  run_ex -1 --separate-stderr ex2_sealed send sock data
  assert_one_error_line ex2_sealed "connect 'sock': Connection refused"
}
