#!/usr/bin/env bats
# Tests for chapter 04-private-file: its demos ("demo ...") and its exercises ("exN_...").

load helper

# A text file of LINES numbered lines, easy to recognise byte for byte.
make_text() { # PATH LINES
  seq -f 'line %05g of the private file' 1 "$2" >"$1"
}

# readelf's flags ("R E", "RW ") as the demo writes them ("R-X", "RW-").
elf_flags() { local f=$1; printf '%s%s%s' "${f:0:1}" "$([[ $f == *W* ]] && echo W || echo -)" "$([[ $f == *E* ]] && echo X || echo -)"; }
hex6() { printf '0x%06x' "$(($1))"; }

@test "demo private_write: writes through MAP_PRIVATE leave the file's bytes unchanged" {
  make_text data 300          # about 3 pages, the last one partial
  local before size pages
  before=$(sha256sum <data)
  size=$(stat -c %s data)
  pages=$(((size + PAGE - 1) / PAGE))
  run_demo private_write data
  assert_success
  assert_equal "$(sha256sum <data)" "$before"
  assert_equal "$(stat -c %s data)" "$size"
  assert_line "data: $size bytes, $pages page(s), opened O_RDWR"
  assert_line "mmap(MAP_PRIVATE, PROT_READ|PROT_WRITE): maps says rw-p"
  local head16 mixed
  head16=$(head -c 16 data)
  mixed="PRIVATE!${head16:8}"
  assert_line "  mapping before the write:          \"$head16\""
  assert_line "  mapping after the write:           \"$mixed\""
  assert_line "  the file, read with pread(2):      \"$head16\""
  assert_line "  a second, MAP_SHARED mapping:      \"$head16\""
  assert_line "  the file after msync(MS_SYNC):     \"$head16\""
  # One private copy per page written, none before.
  assert_line "  smaps Anonymous: 0 kB = 0 page(s) copied"
  assert_line "  smaps Anonymous: $((pages * PAGE / 1024)) kB = $pages page(s) copied"
  assert_line --regexp '^file checksum after:  [0-9a-f]{16} \(unchanged\)$'
}

@test "demo private_write: a temporary file of two pages, removed afterwards" {
  run_demo private_write
  assert_success
  assert_line "a temporary file: $((2 * PAGE)) bytes, 2 page(s), opened O_RDWR"
  assert_line "  smaps Anonymous: $((2 * PAGE / 1024)) kB = 2 page(s) copied"
  assert_line --partial "(unchanged)"
  assert_equal "$(ls -A)" ""
}

@test "demo private_write: an empty or missing file is one error line, exit 1" {
  : >empty
  run_demo -1 --separate-stderr private_write empty
  assert_one_error_line private_write "empty.*non-empty regular file"
  run_demo -1 --separate-stderr private_write nosuch
  assert_one_error_line private_write "nosuch.*No such file or directory"
}

@test "demo rdonly_fd: O_RDONLY allows MAP_PRIVATE+PROT_WRITE; MAP_SHARED+PROT_WRITE is EACCES" {
  printf 'read-only for the mapping\n' >data
  chmod 0444 data
  local before
  before=$(sha256sum <data)
  run_demo rdonly_fd data
  assert_success
  assert_equal "$(sha256sum <data)" "$before"
  assert_line "descriptor opened O_RDONLY; the file's first byte is 'r'"
  assert_line "mmap(PROT_READ|PROT_WRITE, MAP_PRIVATE): ok, maps says rw-p"
  assert_line "  the file's first byte is still 'r'"
  assert_line "mmap(PROT_READ|PROT_WRITE, MAP_SHARED): EACCES"
  assert_line "mmap(PROT_READ, MAP_SHARED): ok, maps says r--s"
  # The shared read-only mapping: writing faults, mprotect refuses.
  local i=-1 k
  for k in "${!lines[@]}"; do [[ ${lines[$k]} == "mmap(PROT_READ, MAP_SHARED): ok"* ]] && i=$k; done
  assert_equal "${lines[$((i + 1))]}" "  write 'X' at offset 0: SIGSEGV (SEGV_ACCERR)"
  assert_equal "${lines[$((i + 2))]}" "  mprotect(PROT_READ|PROT_WRITE): EACCES"
  # The private read-only mapping can be made writable.
  assert_line "mmap(PROT_READ, MAP_PRIVATE): ok, maps says r--p"
  assert_line "  mprotect(PROT_READ|PROT_WRITE): ok, maps says rw-p"
}

@test "demo rdonly_fd: an O_WRONLY descriptor cannot back even a private mapping" {
  run_demo rdonly_fd
  assert_success
  assert_line "descriptor opened O_WRONLY"
  assert_line "mmap(PROT_WRITE, MAP_PRIVATE): EACCES"
  assert_equal "$(ls -A)" ""
}

@test "demo page_visibility: written pages keep their copies, the others see the new bytes" {
  run_demo page_visibility
  assert_success
  assert_line "wrote 'P' at byte 100 of page(s): 1 3"
  assert_line "  page 0: 'N' 'N': sees the file's new bytes"
  assert_line "  page 1: 'o' 'P': keeps its private copy"
  assert_line "  page 2: 'N' 'N': sees the file's new bytes"
  assert_line "  page 3: 'o' 'P': keeps its private copy"
  assert_line "the file itself (pread, byte 100 of each page): 'N' 'N' 'N' 'N'"
  # pagemap: the written pages are anonymous copies, the others file pages
  assert_line "  page 1: resident, anonymous page (this process's private copy)"
  assert_line "  page 2: resident, file page (the page cache's own, mapped read-only)"
  # MADV_DONTNEED drops page 1's copy: it shows the file again
  assert_equal "${lines[-2]}" "madvise(MADV_DONTNEED) on page 1 throws its private copy away:"
  assert_equal "${lines[-1]}" "  page 1: 'N' 'N': sees the file's new bytes"
  assert_equal "$(ls -A)" ""
}

@test "demo page_visibility: the pages named on the command line are the ones that keep copies" {
  run_demo page_visibility 0 2 3
  assert_success
  local k
  for k in 0 2 3; do assert_line "  page $k: 'o' 'P': keeps its private copy"; done
  assert_line "  page 1: 'N' 'N': sees the file's new bytes"
  run_demo -2 --separate-stderr page_visibility 4
  assert_one_error_line page_visibility "page '4'"
}

@test "demo elf_segments: PT_LOAD headers match readelf -lW of the binary" {
  run_demo elf_segments
  assert_success
  local n=0 type off va pa fs ms flg
  while read -r type off va pa fs ms flg; do
    assert_line "  PT_LOAD $n: offset $(hex6 "$off") vaddr $(hex6 "$va") filesz $(hex6 "$fs") memsz $(hex6 "$ms") $(elf_flags "$flg")"
    n=$((n + 1))
  done < <(readelf -lW "$(demo_path elf_segments)" | awk '$1 == "LOAD" { f = $7; for (i = 8; i < NF; i++) f = f $i; print $1, $2, $3, $4, $5, $6, f }')
  [ "$n" -ge 2 ] || fail "readelf found $n LOAD headers"
  assert_line --regexp "^== the executable: ELF64 ET_(DYN|EXEC), [0-9]+ program headers, $n PT_LOAD$"
}

@test "demo elf_segments: each PT_LOAD's first maps line has the rounded offset and its flags" {
  run_demo elf_segments
  assert_success
  local exe relro_lo=0 relro_hi=0 n=0 type off va pa fs ms flg
  exe=$(demo_path elf_segments)
  read -r relro_lo relro_hi < <(readelf -lW "$exe" | awk '$1 == "GNU_RELRO" { print $3, $3 " + " $6 }')
  relro_lo=$((relro_lo)) relro_hi=$((relro_hi))
  # Only the executable's part of the output (libc's follows "== libc").
  local mine
  mine=$(sed -n '/^== the executable/,/^== /p' <<<"$output")
  while read -r type off va pa fs ms flg; do
    local pv=$(((va) / PAGE * PAGE)) po=$(((off) / PAGE * PAGE)) perms
    perms=r$([[ $flg == *W* ]] && echo w || echo -)$([[ $flg == *E* ]] && echo x || echo -)p
    # GNU_RELRO covering this first page makes it read-only after relocation
    if [[ $flg == *W* ]] && ((pv >= relro_lo / PAGE * PAGE && pv + PAGE <= relro_hi / PAGE * PAGE)); then
      perms=r--p
    fi
    grep -qE "^    maps $(hex6 $pv)-0x[0-9a-f]+ $perms offset $(hex6 $po) -> PT_LOAD $n .*: match$" <<<"$mine" ||
      fail "no maps line for PT_LOAD $n at vaddr $(hex6 $pv), $perms, offset $(hex6 $po)"
    n=$((n + 1))
  done < <(readelf -lW "$exe" | awk '$1 == "LOAD" { f = $7; for (i = 8; i < NF; i++) f = f $i; print $1, $2, $3, $4, $5, $6, f }')
  # and every line of the executable and of libc matched a segment
  refute_line --partial "MISMATCH"
  refute_line --partial "no PT_LOAD covers it"
}

@test "demo elf_segments: libc's segments are private file mappings too, with a .bss after them" {
  run_demo elf_segments
  assert_success
  local libc
  libc=$(sed -n '/^== libc/,$p' <<<"$output")
  [ -n "$libc" ] || fail "no libc section in the output"
  grep -q '^    maps .* r-xp .*-> PT_LOAD [0-9] R-X: match$' <<<"$libc" || fail "no r-xp line for libc's code"
  grep -q '^    maps .* rw-p .*-> PT_LOAD [0-9] RW-: match$' <<<"$libc" || fail "no rw-p line for libc's data"
  grep -q '^    maps .* rw-p offset 0x000000 -> PT_LOAD [0-9] RW- (anonymous: .*: match$' <<<"$libc" || fail "no anonymous .bss line"
  # no shared ('s') mapping among them
  run grep -cE '^    maps 0x[0-9a-f]+-0x[0-9a-f]+ [r-][w-][x-]s ' <<<"$libc"
  assert_output 0
  run grep -cE '^    maps 0x[0-9a-f]+-0x[0-9a-f]+ [r-][w-][x-]p ' <<<"$libc"
  [ "$output" -ge 4 ] || fail "only $output private maps lines for libc"
}

@test "demo elf_segments: what it says the headers imply is what readelf's headers imply" {
  run_demo elf_segments
  assert_success
  local mine exe
  mine=$(sed -n '/^== the executable/,/^== /p' <<<"$output")
  exe=$(demo_path elf_segments)
  local -a off va fs ms
  local type o v p f m flg n=0
  while read -r type o v p f m flg; do
    off[n]=$((o)) va[n]=$((v)) fs[n]=$((f)) ms[n]=$((m)) n=$((n + 1))
  done < <(readelf -lW "$exe" | awk '$1 == "LOAD"')
  down() { echo $(($1 / PAGE * PAGE)); }
  up() { echo $((($1 + PAGE - 1) / PAGE * PAGE)); }
  # neighbours whose rounded file ranges overlap share a file page
  local k lo hi ahi bhi shared=0
  for ((k = 0; k + 1 < n; k++)); do
    ((fs[k] > 0 && fs[k + 1] > 0)) || continue
    lo=$(down ${off[k + 1]}); (($(down ${off[k]}) > lo)) && lo=$(down ${off[k]})
    ahi=$(up $((off[k] + fs[k]))) bhi=$(up $((off[k + 1] + fs[k + 1])))
    hi=$((ahi < bhi ? ahi : bhi))
    ((lo < hi)) || continue
    shared=$((shared + 1))
    grep -qxF "  PT_LOAD $k and $((k + 1)) share file page(s) $(hex6 $lo)..$(hex6 $hi): mapped twice, at vaddr $(hex6 $((lo - off[k] + va[k]))) and $(hex6 $((lo - off[k + 1] + va[k + 1])))" <<<"$mine" ||
      fail "readelf: PT_LOAD $k and $((k + 1)) share file page $(hex6 $lo); the demo does not say so"
  done
  if ((shared == 0)); then
    grep -qxF "  no two PT_LOADs share a page of the file" <<<"$mine" || fail "readelf: no shared file page; the demo does not say so"
  else
    ! grep -qxF "  no two PT_LOADs share a page of the file" <<<"$mine" ||
      fail "readelf: PT_LOADs share a file page; the demo says none do"
  fi
  # .bss: memsz past filesz, in the last file page and past it
  local fend mend line
  for ((k = 0; k < n; k++)); do
    ((ms[k] > fs[k])) || continue
    fend=$((va[k] + fs[k])) mend=$((va[k] + ms[k]))
    line="  PT_LOAD $k: memsz - filesz = $(printf 0x%x $((ms[k] - fs[k]))) bytes of .bss"
    ((fend % PAGE != 0)) && line+="; $(hex6 $fend)..$(hex6 $(($(up $fend) < mend ? $(up $fend) : mend))) is in the last file page (the loader zeroes it)"
    (($(up $mend) > $(up $fend))) && line+="; $(hex6 $(up $fend))..$(hex6 $(up $mend)) lies past it: $((($(up $mend) - $(up $fend)) / PAGE)) anonymous page(s)"
    grep -qxF "$line" <<<"$mine" || fail "expected from readelf: '$line'"
  done
}

@test "demo elf_segments: the running executable's file opened for writing: ETXTBSY where this kernel denies it" {
  run_demo elf_segments
  assert_success
  if on_valgrind; then
    # Valgrind loads the program itself: the kernel executed valgrind, so
    # the demo's file is not busy and the open is allowed (and said so).
    assert_line "open(/proc/self/exe, O_RDWR): allowed (under Valgrind the kernel ran valgrind, not this file)"
    return
  fi
  # Ask the kernel directly, with a program of our own: Linux 6.11.0-6.11.10
  # and 6.12.0-6.12.1 let a running executable be opened for writing.
  cp "$(command -v sleep)" busy
  ./busy 20 &
  local pid=$! denied k
  for ((k = 0; k < 200; k++)); do [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */busy ]] && break; sleep 0.01; done
  if (exec 3<>busy) 2>/dev/null; then denied=no; else denied=yes; fi
  kill "$pid"; wait "$pid" 2>/dev/null || true
  if [[ $denied == yes ]]; then
    assert_line "open(/proc/self/exe, O_RDWR): ETXTBSY: the kernel refuses to write a file that a process is running"
  else
    assert_line "open(/proc/self/exe, O_RDWR): allowed: this kernel lets the file of a running program be opened for writing"
  fi
}

# ---------------------------------------------------------------- ex1_sedit

# see: mmap(2), chapter 04 "Copy-on-write over the page cache"
@test "ex1_sedit: replaces strings like sed and leaves the file untouched" {
  make_text data 500      # several pages
  printf 'aaaaa file abbb end' >>data
  local before
  before=$(sha256sum <data)
  wb_exec "$(ex_path ex1_sedit)" data file FILE >got
  sed 's/file/FILE/g' data >want
  cmp got want || fail "output differs from sed 's/file/FILE/g'"
  wb_exec "$(ex_path ex1_sedit)" data aa bb >got
  sed 's/aa/bb/g' data >want
  cmp got want || fail "output differs from sed 's/aa/bb/g' (overlapping candidates)"
  wb_exec "$(ex_path ex1_sedit)" data ab ba >got
  sed 's/ab/ba/g' data >want
  cmp got want || fail "output differs from sed 's/ab/ba/g' (a replacement is not searched again)"
  assert_equal "$(sha256sum <data)" "$before"
}

# see: mmap(2), chapter 04 "Copy-on-write over the page cache"
@test "ex1_sedit: single bytes across many pages, like tr" {
  seq 1 20000 >data
  local before
  before=$(sha256sum <data)
  wb_exec "$(ex_path ex1_sedit)" data 7 x >got
  tr 7 x <data >want
  cmp got want
  assert_equal "$(sha256sum <data)" "$before"
}

# see: mmap(2), chapter 04 "Copy-on-write over the page cache"
@test "ex1_sedit: no match prints the file byte for byte" {
  make_text data 100
  wb_exec "$(ex_path ex1_sedit)" data QQQ ZZZ >got
  cmp got data
}

# see: mmap(2) (EACCES), chapter 04 "Who may write: the descriptor and the mapping"
@test "ex1_sedit: works on a file that cannot be opened for writing (its own running executable)" {
  local self before
  self=$(ex_path ex1_sedit)
  before=$(sha256sum <"$self")
  wb_exec "$self" "$self" E e >got
  tr E e <"$self" >want
  cmp got want
  assert_equal "$(sha256sum <"$self")" "$before"
}

# see: mmap(2) (EINVAL), chapter 01 "Getting it wrong on purpose"
@test "ex1_sedit: an empty file prints nothing and succeeds" {
  : >empty
  run_ex --separate-stderr ex1_sedit empty a b
  assert_success
  assert_output ""
  assert_equal "$stderr" ""
}

@test "ex1_sedit: FROM and TO of different lengths is a usage error, exit 2" {
  make_text data 10
  local before
  before=$(sha256sum <data)
  run_ex -2 --separate-stderr ex1_sedit data abc abcd
  assert_one_error_line ex1_sedit "FROM and TO must have the same length \(3 and 4\) \(usage: "
  assert_output ""
  run_ex -2 --separate-stderr ex1_sedit data "" ""
  assert_one_error_line ex1_sedit "FROM must not be empty \(usage: "
  assert_output ""
  run_ex -2 --separate-stderr ex1_sedit data "" x
  assert_one_error_line ex1_sedit "FROM must not be empty \(usage: "
  assert_equal "$(sha256sum <data)" "$before"
}

@test "ex1_sedit: a missing file or a directory is one error line, exit 1" {
  run_ex -1 --separate-stderr ex1_sedit nosuch a b
  assert_one_error_line ex1_sedit "nosuch.*No such file or directory"
  mkdir dir
  run_ex -1 --separate-stderr ex1_sedit dir a b
  assert_one_error_line ex1_sedit "dir.*not a regular file"
}

# ---------------------------------------------------------------- ex2_count

# grep -o finds non-overlapping matches left to right, like the exercise.
count_ref() { grep -o -F -- "$2" "$1" | wc -l; }

@test "ex2_count: counts like grep -o on one line, overlapping candidates included" {
  printf 'the cat sat on the cathedral mat; aaaaa; catcatcat' >data
  local pat
  for pat in cat the aa a at ';' 'cat sat' zzz; do
    run_ex ex2_count data "$pat"
    assert_success
    assert_output "$(count_ref data "$pat")"
  done
}

# see: mmap(2), chapter 01 "mmap and munmap, argument by argument"
@test "ex2_count: matches straddling page boundaries, whole file and window by window" {
  # 4 pages of '.', with NEEDLE written across each page boundary and once
  # inside page 0
  head -c $((4 * PAGE)) /dev/zero | tr '\0' . >data
  local k
  for k in 1 2 3; do printf NEEDLE | dd of=data bs=1 seek=$((k * PAGE - 3)) conv=notrunc status=none; done
  printf NEEDLE | dd of=data bs=1 seek=100 conv=notrunc status=none
  assert_equal "$(count_ref data NEEDLE)" 4
  local w
  for w in "" "-w 1" "-w 2" "-w 8"; do
    # shellcheck disable=SC2086
    run_ex ex2_count $w data NEEDLE
    assert_success
    assert_output 4
  done
}

# see: mmap(2), chapter 01 "mmap and munmap, argument by argument"
@test "ex2_count: a match across a window boundary is counted once and the next one resumes after it" {
  # 'b' then 2 pages of 'a': pairs "aa" start at odd offsets, so one pair
  # straddles every page boundary
  { printf b; head -c $((2 * PAGE)) /dev/zero | tr '\0' a; } >data
  local want
  want=$(count_ref data aa)
  assert_equal "$want" "$PAGE"
  run_ex ex2_count -w 1 data aa
  assert_success
  assert_output "$want"
  run_ex ex2_count data aa
  assert_output "$want"
  # One 'a' fewer: a window that restarted at its own first byte, instead of
  # behind the straddling pair, would count one pair too many.
  { printf b; head -c $((2 * PAGE - 1)) /dev/zero | tr '\0' a; } >data
  assert_equal "$(count_ref data aa)" $((PAGE - 1))
  run_ex ex2_count -w 1 data aa
  assert_success
  assert_output $((PAGE - 1))
}

# see: mmap(2), chapter 01 "mmap and munmap, argument by argument"
@test "ex2_count: a file of many pages ending mid-page, window by window" {
  # 10 pages and 777 bytes of '.', NEEDLE inside page 0, across every page
  # boundary and as the file's last bytes: the last, part-full window holds
  # matches too.
  local size=$((10 * PAGE + 777)) k w
  head -c $size /dev/zero | tr '\0' . >data
  printf NEEDLE | dd of=data bs=1 seek=100 conv=notrunc status=none
  for k in $(seq 10); do printf NEEDLE | dd of=data bs=1 seek=$((k * PAGE - 3)) conv=notrunc status=none; done
  printf NEEDLE | dd of=data bs=1 seek=$((size - 6)) conv=notrunc status=none
  assert_equal "$(count_ref data NEEDLE)" 12
  for w in "" "-w 1" "-w 3" "-w 4" "-w 11"; do
    # shellcheck disable=SC2086
    run_ex ex2_count $w data NEEDLE
    assert_success
    assert_output 12
  done
}

@test "ex2_count: an empty PATTERN or a bad -w is one usage line, exit 2" {
  printf 'abc' >data
  run_ex -2 --separate-stderr ex2_count data ""
  assert_one_error_line ex2_count "PATTERN must not be empty \(usage: "
  local bad
  for bad in 0 abc; do
    run_ex -2 --separate-stderr ex2_count -w "$bad" data a
    assert_one_error_line ex2_count "PAGES '$bad': "
  done
}

# see: mmap(2) (EINVAL), chapter 01 "Getting it wrong on purpose"
@test "ex2_count: an empty file, or one shorter than PATTERN, counts 0" {
  : >empty
  printf ab >short
  run_ex ex2_count empty x
  assert_success
  assert_output 0
  run_ex ex2_count short abc
  assert_success
  assert_output 0
}

@test "ex2_count: a missing file or a directory is one error line, exit 1" {
  run_ex -1 --separate-stderr ex2_count nosuch x
  assert_one_error_line ex2_count "nosuch.*No such file or directory"
  mkdir dir
  run_ex -1 --separate-stderr ex2_count dir x
  assert_one_error_line ex2_count "dir.*not a regular file"
}
