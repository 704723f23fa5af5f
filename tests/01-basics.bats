#!/usr/bin/env bats
# Tests for chapter 01-basics: its demos ("demo ...") and its exercises ("exN_...").

load helper

@test "demo pagesize: a 1-byte mapping is one page; the byte after it is SIGSEGV" {
  run_demo pagesize 1
  assert_success
  assert_line "page size: $PAGE bytes (sysconf(_SC_PAGESIZE))"
  assert_line "asked for 1 bytes; the VMA is $PAGE bytes = 1 page(s)"
  assert_line --regexp '^  maps: \+0x0\.\.\+0x1000 rw-p 00000000 1 page$'
  assert_line "write at offset $((PAGE - 1)) (last byte of the last page): ok"
  assert_line "write at offset $PAGE (first byte after the mapping): SIGSEGV (SEGV_MAPERR)"
}

@test "demo pagesize: LENGTH rounds up to whole pages" {
  run_demo pagesize $((PAGE + 1))
  assert_success
  assert_line "asked for $((PAGE + 1)) bytes; the VMA is $((2 * PAGE)) bytes = 2 page(s)"
  assert_line "write at offset $((2 * PAGE)) (first byte after the mapping): SIGSEGV (SEGV_MAPERR)"
}

@test "demo pagesize: bad LENGTH is one usage line and exit 2" {
  for bad in abc -5 0 99999999999999999999G 12Q; do
    run_demo -2 --separate-stderr pagesize "$bad"
    assert_one_error_line pagesize "(length|unknown option)"
  done
}

# A file whose every 4-byte word differs, so a slice taken from the wrong
# place never matches by accident.
make_numbered_file() { # PATH BYTES
  seq -f '%07g' 0 $(($2 / 7 + 1)) | tr -d '\n' | head -c "$2" >"$1"
}

# check_slices "OFFSET LENGTH"...: each slice of ./data the program prints is
# the file's own bytes.
check_slices() {
  local range
  for range in "$@"; do
    set -- $range
    wb_exec "$(ex_path ex2_mapslice)" data "$1" "$2" >got
    tail -c +$(($1 + 1)) data | head -c "$2" >want
    cmp got want || fail "slice '$range' differs from the file's bytes"
  done
}

# see: mmap(2), chapter 01 "mmap and munmap, argument by argument"
@test "ex2_mapslice: slices at and across page boundaries match the file" {
  make_numbered_file data $((3 * PAGE + 100))
  check_slices "0 10" "1 $PAGE" "$((PAGE - 1)) 2" "$PAGE $PAGE" "5000 3000" \
    "$((3 * PAGE)) 100" "$((3 * PAGE + 99)) 1" \
    "$((PAGE + PAGE / 2)) $PAGE" "$((2 * PAGE - 50)) 100"
}

# see: mmap(2), chapter 01 "mmap and munmap, argument by argument"
@test "ex2_mapslice: slices of many pages, starting and ending mid-page, match the file" {
  # 40 pages and a bit: a mapping too short by a page or more (half the
  # length, or LENGTH without the part of the first page before OFFSET)
  # ends inside the slice.
  make_numbered_file data $((40 * PAGE + 777))
  check_slices "0 $((40 * PAGE + 777))" "100 $((20 * PAGE + 50))" \
    "$((3 * PAGE + 7)) $((30 * PAGE + PAGE / 2))" \
    "$((PAGE - 1)) $((16 * PAGE + 2))" "$((10 * PAGE)) $((29 * PAGE + 1))"
}

# see: mmap(2), chapter 01 "mmap and munmap, argument by argument"
@test "ex2_mapslice: a range running past EOF is cut at EOF" {
  make_numbered_file data 5000
  wb_exec "$(ex_path ex2_mapslice)" data 4950 100 >got
  tail -c +4951 data >want
  assert_equal "$(stat -c %s got)" 50
  cmp got want
  # many pages, from mid-page to a mid-page EOF, LENGTH far beyond it
  make_numbered_file data $((25 * PAGE + 321))
  wb_exec "$(ex_path ex2_mapslice)" data $((5 * PAGE + 17)) $((100 * PAGE)) >got
  tail -c +$((5 * PAGE + 18)) data >want
  assert_equal "$(stat -c %s got)" $((20 * PAGE + 304))
  cmp got want
}

@test "ex2_mapslice: a missing file is one error line, exit 1" {
  run_ex -1 --separate-stderr ex2_mapslice nosuch 0 1
  assert_one_error_line ex2_mapslice "nosuch.*No such file or directory"
}

@test "ex2_mapslice: an offset past EOF is one error line, exit 1" {
  make_numbered_file data 100
  run_ex -1 --separate-stderr ex2_mapslice data 123 1
  assert_one_error_line ex2_mapslice "past the end"
}

@test "ex2_mapslice: LENGTH 0 prints nothing up to OFFSET = the size, and is past the end beyond it" {
  make_numbered_file data 100
  local off
  for off in 0 57 100; do
    run_ex --separate-stderr ex2_mapslice data "$off" 0
    assert_success
    assert_output ""
    assert_equal "$stderr" ""
  done
  run_ex -1 --separate-stderr ex2_mapslice data 101 0
  assert_one_error_line ex2_mapslice "offset 101 is past the end of 'data' \(100 bytes\)"
}

@test "ex2_mapslice: a negative or non-numeric offset is a usage error, exit 2" {
  make_numbered_file data 100
  run_ex -2 --separate-stderr ex2_mapslice data x1 1
  assert_one_error_line ex2_mapslice "offset 'x1': not a number"
  run_ex -2 --separate-stderr ex2_mapslice data -1 1
  assert_one_error_line ex2_mapslice "offset '-1': must be a plain non-negative number"
  run_ex -2 --separate-stderr ex2_mapslice data 0 abc
  assert_one_error_line ex2_mapslice "length 'abc': not a number"
}

# ---------------------------------------------------------------------------
# Shared helpers for the tests below.

# has_row PERMS LABEL PATH: some output line is a self_maps table row with
# these permissions and label that ends in PATH.
has_row() {
  local l
  for l in "${lines[@]}"; do
    [[ $l =~ ^\ +[0-9]+\ $1\  && $l == *"  $2"*" $3" ]] && return 0
  done
  fail "no table row '$1 ... $2 ... $3'"
}

# row_of WHAT: the table line number self_maps gives for probe WHAT.
row_of() {
  local l
  for l in "${lines[@]}"; do
    if [[ $l =~ ^\ \ $1\ +line\ +([0-9]+):\  ]]; then
      echo "${BASH_REMATCH[1]}"
      return 0
    fi
  done
  return 1
}

# row N: the table row numbered N.
row() {
  local l
  for l in "${lines[@]}"; do
    [[ $l =~ ^\ +$1\ [-rwxps]{4}\  ]] && { echo "$l"; return 0; }
  done
  return 1
}

# The strerror(3) text for an errno name, from Perl's POSIX module.
errtext() { perl -MPOSIX -e "\$! = $1; print \"\$!\""; }

# assert_errno CASE NAME: the mmap_errors row for CASE says NAME (strerror).
assert_errno() {
  assert_line "$(printf '%-52s -> %s (%s)' "$1" "$2" "$(errtext "$2")")"
}

@test "demo pagesize: -h is usage on stdout; a bad option is one line and exit 2" {
  run_demo -0 pagesize -h
  assert_output "usage: pagesize [-h] [LENGTH]"
  run_demo -2 --separate-stderr pagesize -v
  assert_one_error_line pagesize "unknown option '-v'"
}

# ---------------------------------------------------------------------------
# self_maps

@test "demo self_maps: the program's lines are its text, read-only data and data+bss" {
  run_demo self_maps
  assert_success
  prog=$(realpath "$(demo_path self_maps)")
  has_row r--p "program ELF headers, read-only" "$prog"
  has_row r-xp "program text (code)" "$prog"
  has_row r--p "program read-only data" "$prog"
  has_row rw-p "program data+bss (globals)" "$prog"
}

@test "demo self_maps: libc is the same file this shell has mapped, code and data" {
  run_demo self_maps
  assert_success
  libc=$(awk '$6 ~ /\/libc\.so/ { print $6; exit }' /proc/$$/maps)
  [ -n "$libc" ] || skip "this shell has no libc.so mapped"
  has_row r-xp "C library text (code)" "$libc"
  has_row rw-p "C library data (writable)" "$libc"
}

@test "demo self_maps: the first line, column by column, agrees with stat(1)" {
  run_demo self_maps
  assert_success
  prog=$(realpath "$(demo_path self_maps)")
  col() { # NAME: the value printed for column NAME
    local l
    for l in "${lines[@]}"; do
      [[ $l =~ ^\ \ $1\ +([^ ]+) ]] && { echo "${BASH_REMATCH[1]}"; return; }
    done
  }
  local perms=r--p what=program
  if on_sanitizer; then
    # ASan's shadow memory lies below the program: the lowest line is that,
    # anonymous memory (no file, device 00:00, inode 0), and the demo says so.
    assert_line --partial "the lowest lines, huge and anonymous, are its shadow memory"
    assert_equal "$(col path)" ""
    assert_equal "$(col device)" 00:00
    assert_equal "$(col inode)" 0
    perms=$(col perms) what="anonymous \(no file\)"
  else
    # The lowest mapping is the start of the program's file: ELF header, offset 0.
    assert_equal "$(col path)" "$prog"
    assert_equal "$(col inode)" "$(stat -c %i "$prog")"
    local dev
    dev=$(printf '%02x:%02x' "$(stat -c %Hd "$prog")" "$(stat -c %Ld "$prog")")
    if [[ $(stat -f -c %T "$prog") == btrfs ]]; then
      # On btrfs (every kernel) stat(1) reports the subvolume's own device,
      # the maps line the file system's, which /proc/self/mountinfo lists
      # (findmnt's MAJ:MIN, in decimal).
      local mnt
      mnt=$(findmnt -n -o MAJ:MIN --target "$prog" 2>/dev/null) || mnt=
      mnt=${mnt//[[:space:]]/} # findmnt pads the column
      if [[ $mnt =~ ^([0-9]+):([0-9]+)$ ]]; then
        assert_equal "$(col device)" "$(printf '%02x:%02x' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")"
      else
        [[ $(col device) =~ ^[0-9a-f]{2,}:[0-9a-f]{2,}$ ]] || fail "device column '$(col device)'"
      fi
    elif [[ $(stat -f -c %T "$prog") == overlayfs && $(col device) != "$dev" ]]; then
      # On overlayfs (a container's image, the QEMU cells' root) a kernel
      # may name the device of the layer's file underneath (seen on 6.1),
      # which stat(1) of the overlay's path does not show.
      [[ $(col device) =~ ^[0-9a-f]{2,}:[0-9a-f]{2,}$ ]] || fail "device column '$(col device)'"
    else
      assert_equal "$(col device)" "$dev"
    fi
  fi
  assert_equal "$(col perms)" $perms
  assert_equal "$(col offset)" 00000000
  range=$(col address)
  [[ $range =~ ^0x([0-9a-f]+)-0x([0-9a-f]+)$ ]] || fail "address column '$range'"
  size=$((16#${BASH_REMATCH[2]} - 16#${BASH_REMATCH[1]}))
  assert_line --regexp "^  address  0x[0-9a-f]+-0x[0-9a-f]+ +first byte .*: $((size / PAGE)) page\(s\)$"
  # and the table's row 1 is the same line, its size in KiB
  assert_line --regexp "^   1 $perms 00000000 +$((size / 1024)) KiB  $what"
}

@test "demo self_maps: [heap], [stack] and [vdso] are there and labelled" {
  on_valgrind && skip "Valgrind's map has no [heap] or [vdso], and its [stack] is Valgrind's own"
  run_demo self_maps
  assert_success
  has_row rw-p "stack of the main thread" "[stack]"
  has_row r-xp "vDSO: kernel code run in user mode" "[vdso]"
  on_sanitizer && skip "ASan's malloc never calls brk: there is no [heap]"
  has_row rw-p "heap (brk area, small mallocs)" "[heap]"
}

@test "demo self_maps: main lives in the program's text, a global in its data" {
  run_demo self_maps
  assert_success
  prog=$(realpath "$(demo_path self_maps)")
  n=$(row_of 'main\(\) \(a function\)') || fail "no line for main()"
  r=$(row "$n")
  [[ $r == *" r-xp "*" $prog" ]] || fail "main() is in row '$r'"
  n=$(row_of initialised_global) || fail "no line for initialised_global"
  r=$(row "$n")
  [[ $r == *" rw-p "*" $prog" ]] || fail "the global is in row '$r'"
}

@test "demo self_maps: a local lives on [stack], a small malloc block on [heap]" {
  on_valgrind && skip "Valgrind replaces malloc and runs the program on an anonymous stack"
  run_demo self_maps
  assert_success
  n=$(row_of local_variable) || fail "no line for local_variable"
  r=$(row "$n")
  [[ $r == *" rw-p "*" [stack]" ]] || fail "the local is in row '$r'"
  n=$(row_of 'malloc\(64\) block') || fail "no line for the malloc block"
  r=$(row "$n")
  if on_sanitizer; then
    # ASan's malloc serves small blocks from anonymous regions of its own.
    [[ $r == *" rw-p "*" anonymous (no file)" ]] || fail "the malloc block is in row '$r'"
  else
    [[ $r == *" rw-p "*" [heap]" ]] || fail "the malloc block is in row '$r'"
  fi
}

@test "demo self_maps: -h is usage on stdout; a bad option or an argument is exit 2" {
  run_demo -0 self_maps -h
  assert_output "usage: self_maps [-h]"
  run_demo -2 --separate-stderr self_maps -x
  assert_one_error_line self_maps "unknown option '-x'"
  run_demo -2 --separate-stderr self_maps extra
  assert_one_error_line self_maps "no arguments"
}

# ---------------------------------------------------------------------------
# mmap_errors: every expected errno below is the one mmap(2) documents for
# the case (ERRORS section), and the text in parentheses is strerror's.

@test "demo mmap_errors: each wrong call fails with the errno mmap(2) gives for it" {
  run_demo mmap_errors
  assert_success
  assert_errno "mmap: length 0" EINVAL                        # "(since Linux 2.6.12) length was 0"
  assert_errno "mmap: offset 100, not a multiple of $PAGE" EINVAL  # "not aligned on a page boundary"
  assert_errno "mmap: flags without MAP_SHARED or MAP_PRIVATE" EINVAL
  assert_errno "mmap: fd -1 without MAP_ANONYMOUS" EBADF       # "fd is not a valid file descriptor"
  assert_errno "mmap: MAP_SHARED, PROT_WRITE, fd opened O_RDONLY" EACCES
  assert_errno "mmap: PROT_READ, fd opened O_WRONLY" EACCES    # "fd is not open for reading"
  # ... whatever prot and flags: every file mapping needs FMODE_READ
  assert_errno "mmap: MAP_SHARED, PROT_WRITE, fd opened O_WRONLY" EACCES
  assert_errno "mmap: MAP_SHARED, PROT_NONE, fd opened O_WRONLY" EACCES
  assert_errno "mmap: MAP_PRIVATE, PROT_NONE, fd opened O_WRONLY" EACCES
  assert_errno "munmap: address 1 byte past a page boundary" EINVAL  # "addr must be a multiple of the page size"
  assert_errno "munmap: length 0" EINVAL
}

@test "demo mmap_errors: the EACCES rows are the same for root and for nobody, on a mode-0666 file" {
  run_demo mmap_errors
  assert_success
  root_rows=$(grep -- '-> EACCES' <<<"$output")
  assert_equal "$(wc -l <<<"$root_rows")" 5
  assert_line "the file's mode (fstat): 0666; effective uid $(id -u); open-mode rows with EACCES: 5 of 5"
  # the uid does not matter: unprivileged, the same rows fail the same way
  mkdir -m 1777 "$BATS_TEST_TMPDIR/open"   # where nobody may make its file
  TMPDIR=open as_nobody "$(demo_path mmap_errors)"   # relative: the parents are 0700
  assert_success
  assert_equal "$(grep -- '-> EACCES' <<<"$output")" "$root_rows"
  assert_line --regexp "open-mode rows with EACCES: 5 of 5$"
}

@test "demo mmap_errors: a directory cannot be mapped (ENODEV or EACCES)" {
  run_demo mmap_errors
  assert_success
  # mmap(2) allows both: ENODEV "filesystem does not support memory mapping",
  # EACCES "fd refers to a non-regular file". Linux says ENODEV.
  assert_line --regexp "^mmap: fd of a directory \(/\) +-> (ENODEV \($(errtext ENODEV)\)|EACCES \($(errtext EACCES)\))$"
}

@test "demo mmap_errors: a length beyond the address space is ENOMEM" {
  run_demo mmap_errors
  assert_success
  # Valgrind checks the length itself and says EINVAL, which mmap(2) also
  # allows for a length that is "too large"; the kernel says ENOMEM.
  want=ENOMEM
  on_valgrind && want=EINVAL
  assert_errno "mmap: length 1 EiB, beyond the address space" "$want"
}

@test "demo mmap_errors: a private writable map of a read-only fd and a second munmap are fine" {
  run_demo mmap_errors
  assert_success
  assert_line "$(printf '%-52s -> ok' "mmap: MAP_PRIVATE, PROT_WRITE, fd opened O_RDONLY")"
  assert_line "$(printf '%-52s -> ok' "munmap: the same range again (nothing mapped)")"
  # and its temporary file is gone
  run ls -A "$BATS_TEST_TMPDIR"
  assert_output ""
}

@test "demo mmap_errors: -h is usage on stdout; a bad option or an argument is exit 2" {
  run_demo -0 mmap_errors -h
  assert_output "usage: mmap_errors [-h]"
  run_demo -2 --separate-stderr mmap_errors -q
  assert_one_error_line mmap_errors "unknown option '-q'"
  run_demo -2 --separate-stderr mmap_errors extra
  assert_one_error_line mmap_errors "no arguments"
}

# ---------------------------------------------------------------------------
# four_types

@test "demo four_types: maps lines show p against s, a path against none, /dev/zero for shared anon" {
  run_demo four_types data
  assert_success
  path=$(realpath data)
  one=$(printf '+0x0..+0x%x' "$PAGE")
  assert_line "  private-anon $one rw-p 00000000 1 page"
  assert_line "  shared-anon  $one rw-s 00000000 1 page /dev/zero (deleted)"
  assert_line "  private-file $one rw-p 00000000 1 page $path"
  assert_line "  shared-file  $one rw-s 00000000 1 page $path"
}

@test "demo four_types: only the shared mappings see the child's write" {
  run_demo four_types
  assert_success
  assert_line --regexp '^  private-anon "\.\.\.\.\."  does not'   # still zero-filled
  assert_line --regexp '^  shared-anon  "child"  sees'
  assert_line --regexp '^  private-file "-----"  does not'        # still the file's '-'
  assert_line --regexp '^  shared-file  "child"  sees'
}

@test "demo four_types: afterwards the file holds the shared writes and not the private one" {
  run_demo four_types data
  assert_success
  # One page of '-', with "shared-file" at 48 (16*3) and "child" at 64.
  { head -c 48 /dev/zero | tr '\0' -; printf 'shared-file'; head -c 5 /dev/zero | tr '\0' -
    printf 'child'; head -c $((PAGE - 69)) /dev/zero | tr '\0' -; } >want
  cmp data want
  run grep -c private data
  assert_output 0
}

@test "demo four_types: without FILE its temporary file is mapped, then removed" {
  run_demo four_types
  assert_success
  tmp=$(realpath "$BATS_TEST_TMPDIR")
  assert_line --regexp "^  shared-file  \+0x0\.\.\+0x[0-9a-f]+ rw-s 00000000 1 page $tmp/four_types\.[A-Za-z0-9]{6}$"
  run ls -A "$BATS_TEST_TMPDIR"
  assert_output ""
}

@test "demo four_types: -h, a bad option, two files, an unopenable FILE" {
  run_demo -0 four_types -h
  assert_output "usage: four_types [-h] [FILE]"
  run_demo -2 --separate-stderr four_types -z
  assert_one_error_line four_types "unknown option '-z'"
  run_demo -2 --separate-stderr four_types a b
  assert_one_error_line four_types "too many arguments"
  run_demo -1 --separate-stderr four_types nosuchdir/file
  assert_one_error_line four_types "open 'nosuchdir/file': No such file or directory"
}

# ---------------------------------------------------------------------------
# ex1_whereis

# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex1_whereis: seven lines, one per kind, in the task's order" {
  run_ex ex1_whereis
  assert_success
  kinds=(function global literal local small-malloc big-malloc mmap)
  assert_equal "${#lines[@]}" 7
  for i in "${!kinds[@]}"; do
    [[ ${lines[i]} =~ ^${kinds[i]}:\ [-r][-w][-x][ps]\ .+$ ]] ||
      fail "line $((i + 1)) is '${lines[i]}', expected '${kinds[i]}: PERMS WHERE'"
  done
}

# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex1_whereis: main, a global and a literal are in the program's text, data and read-only data" {
  run_ex ex1_whereis
  assert_success
  prog=$(realpath "$(ex_path ex1_whereis)")
  assert_line "function: r-xp $prog"
  assert_line "global: rw-p $prog"
  assert_line "literal: r--p $prog"
}

# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex1_whereis: a 1 MiB malloc block and an mmap page are anonymous" {
  run_ex ex1_whereis
  assert_success
  assert_line "mmap: rw-p (anonymous)"
  if on_valgrind; then
    # Valgrind's malloc serves every size from its own rwx anonymous arena.
    assert_line --regexp '^big-malloc: rw.p \(anonymous\)$'
  else
    assert_line "big-malloc: rw-p (anonymous)"
  fi
}

# ex1_whereis's seven lines, its own segments named by the path PROG.
assert_names_path() {
  assert_success
  assert_equal "${#lines[@]}" 7
  assert_line "function: r-xp $1"
  assert_line "global: rw-p $1"
  assert_line "literal: r--p $1"
  assert_line "mmap: rw-p (anonymous)"
}

# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex1_whereis: run from a long path with spaces (maps is pages long), it names that path" {
  # A copy of the program in a directory whose path holds spaces and is
  # about 2700 bytes long: each of the program's own maps lines is longer
  # than that, /proc/self/maps is several pages, and the path is not one
  # word. A line cut by a small fgets buffer, a path read with %s, or a
  # single read() of the file gets these lines wrong.
  local dir=. k x
  x=$(printf 'x%.0s' $(seq 160))
  for k in $(seq 14); do dir+="/part $k of a path with spaces $x"; done
  mkdir -p "$dir"
  cp "$(ex_path ex1_whereis)" "$dir/ex1_whereis"
  prog=$(realpath "$dir/ex1_whereis")
  [[ ${#prog} -gt 2600 ]] || fail "the copy's path is only ${#prog} bytes"
  wb_run "$dir/ex1_whereis"
  assert_names_path "$prog"
  on_valgrind || assert_line "local: rw-p [stack]"
}

# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex1_whereis: run from deeper than PATH_MAX (maps lines over 4096 bytes), it names that path" {
  # The kernel writes a mapped file's whole path into its maps line, however
  # long: PATH_MAX bounds the paths given to system calls, not those. A copy
  # of the program 24 directories deep, each name some 210 bytes, has lines
  # of over 5000 bytes. execve() refuses a path that long, so the test goes
  # down one directory at a time and runs ./ex1_whereis from there. A fixed
  # buffer of 4096 bytes plus the columns cuts these lines. (stderr apart:
  # ASan warns there that it cannot read the long /proc/self/exe.)
  local prog k part x
  prog=$(pwd -P)
  x=$(printf 'y%.0s' $(seq 200))
  for k in $(seq 24); do
    part="level $k $x"
    mkdir "$part" && cd "$part" || fail "cannot make directory level $k"
    prog+="/$part"
  done
  cp "$(ex_path ex1_whereis)" ex1_whereis
  prog+=/ex1_whereis
  [[ ${#prog} -gt 4200 ]] || fail "the copy's path is only ${#prog} bytes"
  wb_run --separate-stderr ./ex1_whereis
  assert_names_path "$prog"
}

# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex1_whereis: a local is on [stack]" {
  on_valgrind && skip "Valgrind runs the program on an anonymous stack, not [stack]"
  run_ex ex1_whereis
  assert_success
  assert_line "local: rw-p [stack]"
}

# see: proc(5) (/proc/PID/maps), chapter 01 "The address space, as the kernel sees it"
@test "ex1_whereis: a small malloc block is on [heap]" {
  on_valgrind && skip "Valgrind replaces malloc; there is no [heap]"
  run_ex ex1_whereis
  assert_success
  if on_sanitizer; then
    # ASan's malloc never calls brk: small blocks come from its own
    # anonymous regions.
    assert_line "small-malloc: rw-p (anonymous)"
  else
    assert_line "small-malloc: rw-p [heap]"
  fi
}
