#!/usr/bin/env bats
# Tests for examples/mmwc: counts against wc -l, wc -c and grep -c -F on
# crafted files, the way each input is read (-v), the three sets of
# counting loops (MMWC_SIMD), threads, and bad input. All are demo tests
# ("demo mmwc: ..."), run by `make test`'s demo phase.

load helper

MMWC=$WB_BUILD/examples/mmwc/mmwc
export LC_ALL=C # grep counts bytes, not characters

# mw [run flags] ARGS...: run mmwc through the wrapper (bats' run).
mw() {
  local flags=()
  while [[ $# -gt 0 && ( $1 == -[0-9]* || $1 == '!' || $1 == --separate-stderr ) ]]; do
    flags+=("$1")
    shift
  done
  wb_run "${flags[@]}" "$MMWC" "$@"
}

# The loops this CPU runs: portable and sse2 on every x86-64, avx2 where
# the CPU has it (the same test the program makes, __builtin_cpu_supports,
# read here from the kernel's flags).
simds() {
  echo portable
  [[ $(uname -m) == x86_64 ]] || return 0
  echo sse2
  grep -qw avx2 /proc/cpuinfo && echo avx2
  return 0
}

# want WHAT FILE...: what wc or grep says, as `N FILE` lines (and a total).
want() {
  local what=$1
  shift
  case $what in
    -l) wc -l "$@" | awk '{ print $1, $2 }' ;;
    -c) wc -c "$@" | awk '{ print $1, $2 }' ;;
    -F) local pat=$1 f n total=0
        shift
        for f in "$@"; do
          n=$(grep -a -c -F -e "$pat" -- "$f" || true)
          echo "$n $f"
          total=$((total + n))
        done
        [[ $# -gt 1 ]] && echo "$total total"
        return 0 ;;
  esac
}

# check FILE...: every way of counting FILEs agrees with wc and grep:
# -l, -c and -F with several strings, through read(2) and -m with the
# best loops; -l and -F through the other loops.
# Under Valgrind the -m half is -l and one -F with the best loops: to
# Valgrind a mapping's pages are defined memory, so a loop's overread that
# stays in them cannot show, and one past them is a SIGSEGV natively too.
# Every loop and every string still runs under Valgrind on the read(2)
# half, whose heap buffer it watches. (Each start of Valgrind costs about
# a second of wall time; this file's ~140 starts took over 3 minutes.)
check() {
  local s m pat
  for m in "" -m; do
    if [[ $m == -m ]] && on_valgrind; then
      mw -m "$@"
      assert_success
      assert_output "$(want -l "$@")"
      mw -F 'the end' -m "$@"
      assert_success
      assert_output "$(want -F 'the end' "$@")"
      continue
    fi
    mw -c $m "$@"
    assert_success
    assert_output "$(want -c "$@")"
    for s in $(simds); do
      MMWC_SIMD=$s mw $m "$@"
      assert_success
      assert_output "$(want -l "$@")"
      MMWC_SIMD=$s mw -F 'the end' $m "$@"
      assert_success
      assert_output "$(want -F 'the end' "$@")"
    done
    for pat in x ab ''; do
      mw -F "$pat" $m "$@"
      assert_success
      assert_output "$(want -F "$pat" "$@")"
    done
  done
}

# from_pipe 'COMMAND' ARGS...: COMMAND's output piped into mmwc ARGS; sets
# output, stderr and status as bats' run does.
from_pipe() {
  local producer=$1
  shift
  status=0
  bash -c "$producer" | wb_exec "$MMWC" "$@" >out 2>err || status=$?
  output=$(cat out)
  stderr=$(cat err)
}

# The crafted files of the first three tests, made in the current
# directory; each function adds the names it made to the array files.
small_files() {
  printf 'x ab\nthe end\nab x no newline at the end' >nonl
  : >empty
  printf '\n\n\n\n' >newlines
  printf 'x' >onebyte
  files+=(nonl empty newlines onebyte)
}
page_files() {
  # Page-sized files: the mapping's last byte is the page's last byte.
  head -c "$PAGE" /dev/zero | tr '\0' '\n' >page
  awk -v n=$((16 * PAGE)) 'BEGIN { while (n > 0) { l = (n > 63 ? 63 : n - 1); s = sprintf("%*s", l, ""); gsub(/ /, "y", s); printf "%s\n", s; n -= l + 1 } }' >pages16
  [[ $(stat -c %s pages16) -eq $((16 * PAGE)) ]] || fail "pages16 is $(stat -c %s pages16) bytes"
  # "the end" written over the first page boundary, at every split.
  local k
  for k in 1 2 3 4 5 6; do
    { head -c $((PAGE - k)) /dev/zero | tr '\0' 'q'; printf 'the end\nab\n'; } >across$k
  done
  files+=(page pages16 across1 across2 across3 across4 across5 across6)
}
seam_files() {
  local k
  for k in 1 3 6; do
    { head -c $((131072 - k)) /dev/zero | tr '\0' 'q'; printf 'the end\n'; } >seam$k
  done
  # One line of 300 KiB, matched near its start, its end, and both.
  { printf 'the end'; head -c 307200 /dev/zero | tr '\0' 'q'; printf '\nq\n'; } >long1
  { head -c 307200 /dev/zero | tr '\0' 'q'; printf 'the end\nq'; } >long2
  files+=(seam1 seam3 seam6 long1 long2)
}
VALGRIND_ONE_CHECK="under Valgrind the first test counts these files, with its own, in one process per way (each start of Valgrind costs about a second)"

# ---------------------------------------------------------------- counts

@test "demo mmwc: counts equal wc -l, wc -c and grep -c -F: no final newline, empty, only newlines" {
  local files=()
  small_files
  # Under Valgrind, the next two tests' files too: they skip there.
  if on_valgrind; then
    page_files
    seam_files
  fi
  check "${files[@]}"
}

@test "demo mmwc: a file of exactly one page, of 16 pages, and a string across a page boundary" {
  on_valgrind && skip "$VALGRIND_ONE_CHECK"
  local files=()
  page_files
  check "${files[@]}"
}

@test "demo mmwc: a string across read(2)'s 128 KiB pieces is found once; lines longer than a piece" {
  on_valgrind && skip "$VALGRIND_ONE_CHECK"
  local files=()
  seam_files
  check "${files[@]}"
}

@test "demo mmwc: random bytes of odd sizes: every set of loops agrees with wc and grep, with 1 to 3 threads" {
  local n s j
  for n in 1 31 33 127 129 4097 300001 3145739; do
    head -c "$n" /dev/urandom >r$n
  done
  # Under Valgrind (see check): -m with the best loops only, and 3 threads;
  # every loop on the read(2) path, over every size; no 3-byte string,
  # whose path (verify with memcmp, keep len - 1 bytes) the 17-byte one
  # takes.
  local js=(1 2 3) lens=(1 2 3 17) mloops rfiles=(r300001 r3145739)
  mloops=$(simds)
  if on_valgrind; then
    js=(3) lens=(1 2 17)
    mloops=$(simds | tail -n 1)
    rfiles=(r1 r31 r33 r127 r129 r4097 r300001 r3145739)
  fi
  for s in $(simds); do
    if [[ $mloops == *$s* ]]; then
      for j in "${js[@]}"; do
        MMWC_SIMD=$s mw -m -j $j r1 r31 r33 r127 r129 r4097 r300001 r3145739
        assert_output "$(want -l r1 r31 r33 r127 r129 r4097 r300001 r3145739)"
      done
    fi
    MMWC_SIMD=$s mw "${rfiles[@]}"
    assert_output "$(want -l "${rfiles[@]}")"
  done
  # Strings of 1 to 17 bytes, from the data itself, so that they occur.
  local pat len
  for len in "${lens[@]}"; do
    pat=$(head -c 200000 r3145739 | tail -c "$len" | tr -d '\n\0')
    [[ -n $pat ]] || continue
    for s in $(simds); do
      MMWC_SIMD=$s mw -F "$pat" r300001 r3145739
      assert_output "$(want -F "$pat" r300001 r3145739)"
      [[ $mloops == *$s* ]] || continue
      MMWC_SIMD=$s mw -m -j 3 -F "$pat" r300001 r3145739
      assert_output "$(want -F "$pat" r300001 r3145739)"
    done
  done
}

@test "demo mmwc: stdin, '-', a pipe, a FIFO, /proc and /sys files (size 0, or a placeholder size)" {
  seq 1 1000 >f
  mw -l <f
  assert_output 1000
  mw -c - <f
  assert_output "$(wc -c <f) -"
  from_pipe 'seq 1 5000' -F 99
  assert_equal "$status" 0
  assert_output "$(seq 1 5000 | grep -c -F 99)"
  mkfifo fifo
  seq 1 777 >fifo &
  local writer=$!
  mw -m fifo
  wait "$writer"
  assert_output "777 fifo"
  # /proc files say their size is 0; their bytes are read to the end.
  mw -m /proc/cpuinfo
  assert_output "$(wc -l /proc/cpuinfo)"
  mw -c /proc/version
  assert_output "$(wc -c /proc/version)"
  mw /proc/self/maps
  [[ $output =~ ^([0-9]+)\ /proc/self/maps$ && ${BASH_REMATCH[1]} -gt 5 ]] || fail "got '$output'"
  # sysfs says 4096 bytes for a few: -c reads the last page, as wc -c does.
  local sys=/sys/kernel/mm/transparent_hugepage/enabled
  [[ -r $sys ]] || skip "no $sys here"
  mw -c $sys
  assert_output "$(wc -c $sys)"
}

@test "demo mmwc: stdin from a regular file is mapped by -m, and every way counts from its offset, as wc and grep do" {
  # A shell that has read part of the file hands mmwc a stdin whose offset
  # is not 0: byte 5000, not a multiple of the page size, so that the
  # mapping starts at the page boundary before it.
  seq 1 3000 >f
  local way
  for way in "" -m; do
    { read -r -N 5000 _; mw $way; } <f
    assert_output "$({ read -r -N 5000 _; wc -l; } <f)"
    { read -r -N 5000 _; mw $way -c; } <f
    assert_output "$({ read -r -N 5000 _; wc -c; } <f)"
    { read -r -N 5000 _; mw $way -F 1; } <f
    assert_output "$({ read -r -N 5000 _; grep -a -c -F 1; } <f)"
    # And leaves it where wc does: the next command reads what is left
    # (nothing after -l; after -c answered from the size, the whole file).
    local c
    for c in -l -c; do
      { wc $c >/dev/null; cat >after-wc; } <f
      { mw $way $c; cat >after-mmwc; } <f
      cmp -s after-wc after-mmwc ||
        fail "after mmwc '$way $c' a command read $(wc -c <after-mmwc) bytes, after wc $(wc -c <after-wc)"
    done
  done
  { read -r -N 5000 _; mw --separate-stderr -m -v; } <f
  [[ $stderr == "mmwc: '-': mmap (MAP_POPULATE), "*", 1 thread" ]] || fail "stderr: $stderr"
  # Nothing after the offset: 0, read(2) (there is nothing to map).
  { cat >/dev/null; mw --separate-stderr -m -v; } <f
  assert_output 0
  [[ $stderr == "mmwc: '-': read(2) (nothing after the offset), "* ]] || fail "stderr: $stderr"
  # -c of a file of whole pages reads its last page: from the offset when
  # that is in the last page, else the bytes up to it are counted. (Not
  # against wc: GNU wc 9.1 seeks past the end when the offset is not 0.)
  head -c $((4 * PAGE)) /dev/zero | tr '\0' '\n' >pages4
  local at
  for at in 5000 $((4 * PAGE - 100)); do
    { read -r -N "$at" _; mw -c; } <pages4
    assert_output "$((4 * PAGE - at))"
  done
}

@test "demo mmwc: -v names the way: mmap for a regular file with -m, read(2) for a pipe, size 0, or a refused mmap" {
  seq 1 100 >f
  : >empty
  mw --separate-stderr -m -v f empty /proc/version
  assert_success
  assert_line --index 0 "100 f"
  [[ $stderr == *"mmwc: 'f': mmap (MAP_POPULATE), "*", 1 thread"* ]] || fail "stderr: $stderr"
  [[ $stderr == *"mmwc: 'empty': read(2) (size 0), "* ]] || fail "stderr: $stderr"
  [[ $stderr == *"mmwc: '/proc/version': read(2) (size 0), "* ]] || fail "stderr: $stderr"
  # A pipe cannot be mapped: -m still reads it.
  from_pipe 'seq 1 100' -m -v
  assert_equal "$status" 0
  assert_output 100
  [[ $stderr == "mmwc: '-': read(2) (not a regular file), "*", 1 thread" ]] || fail "stderr: $stderr"
  # Without -m everything is read(2); -c of a regular file is its size.
  mw --separate-stderr -v f
  [[ $stderr == "mmwc: 'f': read(2), "* ]] || fail "stderr: $stderr"
  mw --separate-stderr -c -v f
  [[ $stderr == "mmwc: 'f': fstat (st_size), "* ]] || fail "stderr: $stderr"
  # A sysfs file is regular and sized, and mmap refuses it.
  local sys=/sys/kernel/mm/transparent_hugepage/enabled
  [[ -r $sys ]] || skip "no $sys here"
  mw --separate-stderr -m -v $sys
  assert_output "$(wc -l $sys)"
  [[ $stderr == "mmwc: '$sys': read(2) (mmap refused it), "* ]] || fail "stderr: $stderr"
}

@test "demo mmwc: -j splits a mapping between threads (at least 1 MiB each), and the counts stay exact" {
  # 3.5 MB (3.35 MiB) of lines, so that -j 3 and more split it in thirds
  # (each thread takes at least 1 MiB) and -j 2 in halves; a match on the
  # line that crosses each split point, which a range not moved to a
  # line's start would cut in two.
  awk 'BEGIN { for (i = 0; i < 130000; i++) printf "line %07d: nothing here\n", i }' >big
  local size third
  size=$(stat -c %s big)
  third=$((size / 3))
  printf 'the end' | dd of=big bs=1 seek=$((third - 3)) conv=notrunc status=none
  printf 'the end' | dd of=big bs=1 seek=$((size / 2 - 4)) conv=notrunc status=none
  printf 'the end' | dd of=big bs=1 seek=$((2 * third - 2)) conv=notrunc status=none
  local j js=(1 2 3 16)
  on_valgrind && js=(2 3) # 1: check's -m runs; 16: 3 threads, as -j 3
  for j in "${js[@]}"; do
    mw --separate-stderr -m -j $j -v -F 'the end' big
    assert_output "$(want -F 'the end' big)"
    mw -m -j $j big
    assert_output "$(want -l big)"
  done
  mw --separate-stderr -m -j 2 -v big
  [[ $stderr == *", 2 threads" ]] || fail "stderr: $stderr"
  # -j 16, but each thread takes at least 1 MiB: 3 threads for 3.5 MB.
  mw --separate-stderr -m -j 16 -v big
  [[ $stderr == *", $((size >> 20)) threads" && $((size >> 20)) -eq 3 ]] || fail "stderr: $stderr (size $size)"
  # A small file is never split.
  seq 1 10 >small
  mw --separate-stderr -m -j 4 -v small
  [[ $stderr == *", 1 thread" ]] || fail "stderr: $stderr"
}

@test "demo mmwc: several files end with a total line; stdin alone prints a bare count" {
  seq 1 10 >a
  printf 'x\ny' >b
  : >c
  mw a b c
  assert_output "$(want -l a b c)"
  assert_line --index 3 "11 total"
  mw -c a b
  assert_output "$(want -c a b)"
  mw -F 1 a b c
  assert_output "$(want -F 1 a b c)"
}

# ---------------------------------------------------------------- bad input

@test "demo mmwc: a missing file or a directory is one error line, exit 1; the other files are still counted" {
  mw -1 --separate-stderr nosuch
  assert_one_error_line mmwc "open 'nosuch': No such file or directory$"
  assert_output ""
  mkdir d
  mw -1 --separate-stderr -m d
  assert_one_error_line mmwc "read 'd': Is a directory$"
  seq 1 3 >ok
  mw -1 --separate-stderr ok nosuch ok
  assert_one_error_line mmwc "open 'nosuch': No such file or directory$"
  assert_output "3 ok
3 ok
6 total"
}

@test "demo mmwc: usage errors are one line, exit 2" {
  seq 1 3 >f
  mw -2 --separate-stderr -l -c f
  assert_one_error_line mmwc "-l, -c and -F exclude each other \\(usage: "
  mw -2 --separate-stderr -F "$(printf 'a\nb')" f
  assert_one_error_line mmwc "-F: the string must not contain a newline"
  mw -2 --separate-stderr -j 2 f
  assert_one_error_line mmwc "-j needs -m"
  mw -2 --separate-stderr -m -j 17 f
  assert_one_error_line mmwc "-j"
  mw -2 --separate-stderr -m -j
  assert_one_error_line mmwc "-j needs an argument"
  mw -2 --separate-stderr -x f
  assert_one_error_line mmwc "unknown option '-x'"
  MMWC_SIMD=neon mw -2 --separate-stderr f
  assert_one_error_line mmwc "MMWC_SIMD 'neon': expected avx2, sse2 or portable"
  mw -h
  assert_success
  assert_output --partial "usage: mmwc "
}

@test "demo mmwc: a loop this CPU cannot run is refused, not faked" {
  local missing=""
  [[ $(uname -m) == x86_64 ]] || missing=sse2
  [[ -z $missing ]] && ! grep -qw avx2 /proc/cpuinfo && missing=avx2
  [[ -n $missing ]] || skip "this CPU runs every set of loops (avx2, sse2, portable)"
  MMWC_SIMD=$missing mw -2 --separate-stderr /dev/null
  assert_one_error_line mmwc "MMWC_SIMD '$missing': this CPU does not run it"
}

@test "demo mmwc: a full disk on stdout is one error line, exit 1" {
  [[ -w /dev/full ]] || skip "no /dev/full here"
  seq 1 3 >f
  status=0
  wb_exec "$MMWC" f >/dev/full 2>err || status=$?
  stderr=$(cat err)
  assert_equal "$status" 1
  assert_one_error_line mmwc "write: No space left on device"
}

@test "demo mmwc: the session in examples/mmwc/README.md is a real run" {
  mmwc() { wb_exec "$MMWC" "$@"; }
  replay_session "$WB_ROOT/examples/mmwc/README.md"
}
