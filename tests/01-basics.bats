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

@test "ex2_mapslice: slices at and across page boundaries match the file" {
  make_numbered_file data $((3 * PAGE + 100))
  for range in "0 10" "1 $PAGE" "$((PAGE - 1)) 2" "$PAGE $PAGE" "5000 3000" \
                "$((3 * PAGE)) 100" "$((3 * PAGE + 99)) 1"; do
    set -- $range
    wb_exec "$(ex_path ex2_mapslice)" data "$1" "$2" >got
    tail -c +$(($1 + 1)) data | head -c "$2" >want
    cmp got want || fail "slice '$range' differs from the file's bytes"
  done
}

@test "ex2_mapslice: a range running past EOF is cut at EOF" {
  make_numbered_file data 5000
  wb_exec "$(ex_path ex2_mapslice)" data 4950 100 >got
  tail -c +4951 data >want
  assert_equal "$(stat -c %s got)" 50
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

@test "ex2_mapslice: a negative or non-numeric offset is a usage error, exit 2" {
  make_numbered_file data 100
  run_ex -2 --separate-stderr ex2_mapslice data x1 1
  assert_one_error_line ex2_mapslice "offset"
  run_ex -2 --separate-stderr ex2_mapslice data -- -1 1
  assert_one_error_line ex2_mapslice "offset|usage"
}
