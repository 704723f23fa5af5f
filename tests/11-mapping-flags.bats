#!/usr/bin/env bats
# Tests for chapter 11-mapping-flags: its demos ("demo ...") and its
# exercises ("exN_...").

load helper

# meminfo KEY: a field of /proc/meminfo (kB, or a count).
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# cols WIDTH NAME: the words after the first WIDTH characters of the output
# line that starts with NAME and a blank, in the array COLS.
cols() {
  local l
  for l in "${lines[@]}"; do
    if [[ $l == "$2 "* ]]; then
      read -r -a COLS <<<"${l:$1}"
      return 0
    fi
  done
  fail "no line starts with '$2'"
}
# near A B: A is within 2 of B. Native fault counts are exact but for a
# stray fault or two of the program's own (a stack page, a libc page);
# under Valgrind or ASan they are not checked at all.
near() { (($1 >= $2 - 2 && $1 <= $2 + 2)) || fail "$3: $1 faults, expected about $2"; }

# ---------------------------------------------------------------- overcommit

@test "demo overcommit: a single writable mapping above RAM + swap is ENOMEM in mode 0, unless MAP_NORESERVE" {
  local mode ram swap big
  mode=$(fact overcommit)
  ram=$(meminfo MemTotal) swap=$(meminfo SwapTotal)
  big=$(((ram + swap) / 1048576 + 2))
  run_demo overcommit
  assert_success
  assert_line --index 0 --partial "vm.overcommit_memory = $mode ("
  assert_line "2. one private writable mapping of $big GiB, more than RAM + swap:"
  case $mode in
    0) assert_line "  without MAP_NORESERVE: ENOMEM"
       assert_line "  with MAP_NORESERVE:    ok; wrote 4 pages spread over it, 4 of them resident"
       assert_line --partial "  as mode 0 does: " ;;
    1) assert_line "  without MAP_NORESERVE: ok"
       assert_line --partial "  as mode 1 does: " ;;
    2) assert_line "  without MAP_NORESERVE: ENOMEM"
       assert_line "  with MAP_NORESERVE:    ENOMEM"
       assert_line --partial "  as mode 2 does: " ;;
  esac
}

@test "demo overcommit: private and shared writable memory is charged to Committed_AS; read-only, PROT_NONE and MAP_NORESERVE are not" {
  local mode noreserve=0
  mode=$(fact overcommit)
  [[ $mode == 2 ]] && noreserve=1 # strict mode charges MAP_NORESERVE too
  run_demo overcommit
  assert_success
  # The demo rounds to whole GiB: other processes move Committed_AS by far less.
  assert_line "$(printf '  %-44s ok, Committed_AS +1 GiB' 'private, PROT_READ|PROT_WRITE')"
  assert_line "$(printf '  %-44s ok, Committed_AS +1 GiB' 'shared, PROT_READ|PROT_WRITE')"
  assert_line "$(printf '  %-44s ok, Committed_AS +0 GiB' 'private, PROT_READ only')"
  assert_line "$(printf '  %-44s ok, Committed_AS +0 GiB' 'private, PROT_NONE')"
  assert_line "$(printf '  %-44s ok, Committed_AS +%d GiB' 'private, read-write, MAP_NORESERVE' $noreserve)"
}

@test "demo overcommit: two mappings each below RAM + swap both succeed in mode 0, together charged in full" {
  [[ $(fact overcommit) == 0 ]] || skip "vm.overcommit_memory is not 0 here (make doctor)"
  local ram swap piece limit c0 c1 lo hi pk t num="-?[0-9]+\.[0-9]" want=() l
  ram=$(meminfo MemTotal) swap=$(meminfo SwapTotal)
  piece=$(((ram + swap) * 1024 / 4 * 3 / 1073741824))
  ((piece > 0)) || piece=1
  local than="more than"
  ((2 * piece * 1048576 > ram + swap)) || than="not more than"
  limit=$(meminfo CommitLimit) c0=$(meminfo Committed_AS)
  run_demo overcommit
  c1=$(meminfo Committed_AS)
  assert_success
  assert_line --regexp "^3\\. two private writable mappings of $piece GiB each \\(together $((2 * piece)) GiB, $than the [0-9]+\\.[0-9] GiB of RAM \\+ swap\\):$"
  assert_line "  first: ok, second: ok; Committed_AS +$((2 * piece)) GiB"
  # Mode 2's arithmetic, the demo's rule: the first piece fails if it is
  # more than what is left below CommitLimit (CommitLimit - Committed_AS,
  # which is below 0 where Committed_AS is over the limit), the second if
  # two pieces are. Committed_AS moves with other processes: what was left
  # when the demo read it lies between what was left before and after the
  # run (LO to HI, in kB), give or take half a GiB, and where that range
  # spans a boundary either neighbouring answer is right.
  lo=$((limit - (c0 > c1 ? c0 : c1) - 524288)) hi=$((limit - (c0 < c1 ? c0 : c1) + 524288))
  pk=$((piece * 1048576))
  ((pk > lo)) && want+=("the first would already fail: $piece GiB is more than the $num GiB left below CommitLimit")
  ((pk <= hi && 2 * pk > lo)) && want+=("the second would fail: the two need $((2 * piece)) GiB, $num GiB was left below CommitLimit")
  ((2 * pk <= hi)) && want+=("both would succeed: $num GiB was left below CommitLimit")
  assert_line --regexp "^  in mode 2 ($(IFS='|' && echo "${want[*]}"))\$"
  # The figure it printed, T tenths of a GiB, is what was left: the true
  # value, within 0.05 GiB of it, lies between LO and HI.
  for l in "${lines[@]}"; do
    [[ $l =~ ^"  in mode 2 ".*\ (-?)([0-9]+)\.([0-9])" GiB "(was\ )?"left below CommitLimit"$ ]] || continue
    t=$((10#${BASH_REMATCH[2]} * 10 + BASH_REMATCH[3]))
    [[ -n ${BASH_REMATCH[1]} ]] && t=$((-t))
    (((2 * t + 1) * 1048576 >= 20 * lo && (2 * t - 1) * 1048576 <= 20 * hi)) ||
      fail "'$l': what was left below CommitLimit was between $((lo / 1024)) and $((hi / 1024)) MiB"
  done
}

# ---------------------------------------------------------------- populate

# read_own N: OWN, the pages read faults leave anonymous memory owning, for
# N pages read, as the machine's zero-page fact predicts: none where reads
# map the shared zero page, all where the kernel allocates a page instead.
read_own() {
  local zp
  zp=$(fact zero_page) || return 1
  case $zp in
    yes) OWN=0 ;;
    no) OWN=$1 ;;
    *) skip "the probe could not tell whether this kernel maps the zero page (make doctor)" ;;
  esac
}

@test "demo populate: residency and private pages after each way of populating" {
  local n=16 own
  read_own $n
  own=$OWN
  run_demo populate $n
  assert_success
  assert_line --regexp '^THP off for this process \(prctl PR_SET_THP_DISABLE\): one page per anonymous fault '
  # cols: map-time faults, resident, own pages, read faults, write faults
  cols 41 "private anonymous";                        [[ "${COLS[*]:1:2}" == "0 0" ]] || fail "plain: ${COLS[*]}"
  cols 41 "private anonymous, MAP_POPULATE";          [[ "${COLS[*]:1:2}" == "$n $n" ]] || fail "MAP_POPULATE: ${COLS[*]}"
  cols 41 "private anon, MAP_POPULATE|MAP_NONBLOCK";  [[ "${COLS[*]:1:2}" == "0 0" ]] || fail "MAP_NONBLOCK: ${COLS[*]}"
  # populated with read faults: the zero page (own 0) or private pages (own n)
  cols 41 "private anon, PROT_READ, MAP_POPULATE";    [[ "${COLS[*]:1:2} ${COLS[4]}" == "$n $own -" ]] || fail "read-only (zero page $(fact zero_page)): ${COLS[*]}"
  cols 41 "private anon, MADV_POPULATE_WRITE";        [[ "${COLS[*]:1:2}" == "$n $n" ]] || fail "POPULATE_WRITE: ${COLS[*]}"
  cols 41 "private anon, MADV_POPULATE_READ";         [[ "${COLS[*]:1:2}" == "$n $own" ]] || fail "POPULATE_READ (zero page $(fact zero_page)): ${COLS[*]}"
  # a private writable file mapping is copied page by page at mmap() time
  cols 41 "private file, MAP_POPULATE";               [[ "${COLS[*]:1:2}" == "$n $n" ]] || fail "private file: ${COLS[*]}"
  cols 41 "private file, PROT_READ, MAP_POPULATE";    [[ "${COLS[*]:1:2}" == "$n 0" ]] || fail "private file, read-only: ${COLS[*]}"
  cols 41 "shared file, MAP_POPULATE";                [[ "${COLS[*]:1:2}" == "$n 0" ]] || fail "shared file: ${COLS[*]}"
  # the case the demo says it saw is the machine's
  if [[ $own == 0 ]]; then
    assert_line "  the read faults mapped the shared zero page, so the first write of each page still faults"
    assert_line "  (the machine probe agrees: zero page yes; make doctor)"
  else
    assert_line "  on this kernel a read fault on anonymous memory allocates a page instead of mapping the shared zero page, so later writes cost nothing"
    assert_line "  (the machine probe agrees: zero page no; make doctor)"
  fi
}

@test "demo populate: populated pages cost no faults later; MAP_NONBLOCK and plain mappings fault on every page" {
  on_instrumented && skip "Valgrind and ASan take page faults of their own: counts are checked natively only"
  local n=16 w f lo
  # The first write after a read: a fault to replace the zero page, or none
  # where the read already allocated a writable page of its own.
  read_own $n
  [[ $OWN == 0 ]] && w=$n || w=0
  run_demo populate $n
  assert_success
  cols 41 "private anonymous"
  near "${COLS[3]}" $n "plain, reads"; near "${COLS[4]}" $w "plain, writes after the reads (zero page $(fact zero_page))"
  cols 41 "private anonymous, MAP_POPULATE"
  near "${COLS[0]}" $n "MAP_POPULATE, inside mmap"; near "${COLS[3]}" 0 "MAP_POPULATE, reads"; near "${COLS[4]}" 0 "MAP_POPULATE, writes"
  cols 41 "private anon, MAP_POPULATE|MAP_NONBLOCK"
  near "${COLS[0]}" 0 "MAP_NONBLOCK, inside mmap"; near "${COLS[3]}" $n "MAP_NONBLOCK, reads"
  cols 41 "private anon, MADV_POPULATE_READ"
  near "${COLS[0]}" $n "POPULATE_READ, inside madvise"; near "${COLS[3]}" 0 "POPULATE_READ, reads"
  near "${COLS[4]}" $w "POPULATE_READ, writes (zero page $(fact zero_page))"
  cols 41 "shared file, MAP_POPULATE"
  near "${COLS[3]}" 0 "shared file, reads"
  # Dirty tracking: a disk file's pages stay read-only until written; tmpfs
  # has no writeback, so its shared pages are mapped writable at once.
  if on_tmpfs; then near "${COLS[4]}" 0 "shared tmpfs file, writes"; else near "${COLS[4]}" $n "shared file, writes"; fi
  # Fault-around: each read fault on the cached file maps up to F pages
  # (the probe's file_fault_pages), in windows aligned to F pages that stop
  # at the mapping's ends and at a page table's edge: at least n/F faults,
  # at most two more.
  f=$(fact file_fault_pages)
  lo=$(( (n + f - 1) / f ))
  cols 41 "shared file"
  (( COLS[3] >= lo && COLS[3] <= lo + 2 )) || fail "shared file, reads: ${COLS[3]} faults, expected $lo to $((lo + 2)) (fault-around of $f pages)"
}

@test "demo populate: NPAGES must be a positive number" {
  run_demo -2 --separate-stderr populate 0
  assert_one_error_line populate "pages"
}

# ---------------------------------------------------------------- locked

@test "demo locked: MAP_LOCKED pages are resident and Locked; above RLIMIT_MEMLOCK EAGAIN and ENOMEM, at 0 EPERM" {
  run_demo locked
  assert_success
  local kb=$((16 * PAGE / 1024)) was
  was=$(fact memlock)
  [[ $was == unlimited ]] || was="$((was / 1024)) KiB"
  assert_line "RLIMIT_MEMLOCK was $was; lowered to 16 pages ($kb KiB) for this demo"
  assert_line "1. within the limit: mmap(16 pages, MAP_LOCKED): ok, 16 of 16 resident untouched, smaps Locked: $kb kB"
  assert_line "3. over the limit, no CAP_IPC_LOCK: mmap(32 pages, MAP_LOCKED): EAGAIN"
  assert_line "   over the limit, no CAP_IPC_LOCK: mlock(32 pages): ENOMEM"
  assert_line "   within the limit, no CAP_IPC_LOCK: mlock(16 pages): ok, smaps Locked: $kb kB"
  assert_line "4. limit 0, no CAP_IPC_LOCK: mlock(1 page): EPERM"
  if [[ $(fact cap_ipc_lock) == yes ]]; then
    # CAP_IPC_LOCK (root has it, unless a container took it away) lifts the limit
    assert_line --regexp "^this process has CAP_IPC_LOCK \\((it runs as root|granted to it)\\): the limit does not apply to it\$"
    assert_line "2. over the limit, with CAP_IPC_LOCK: mmap(32 pages, MAP_LOCKED): ok, 32 of 32 resident untouched, smaps Locked: $((2 * kb)) kB"
    assert_line "   over the limit, with CAP_IPC_LOCK: mlock(32 pages): ok, smaps Locked: $((2 * kb)) kB"
  else
    assert_line "this process has no CAP_IPC_LOCK: the limit applies (with it, as root usually has it, step 2 would show the bypass)"
    refute_line --partial "2. over the limit"
  fi
}

@test "demo locked: an unprivileged user has no bypass, and the demo says so" {
  local setpriv
  if [[ $(id -u) -eq 0 ]]; then
    setpriv=$(command -v setpriv) || skip "running as root and setpriv(1) is missing"
    wb_run "$setpriv" --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all "$(demo_path locked)"
  else
    run_demo locked
  fi
  assert_success
  assert_line "this process has no CAP_IPC_LOCK: the limit applies (with it, as root usually has it, step 2 would show the bypass)"
  refute_line --partial "2. over the limit"
  assert_line "3. over the limit, no CAP_IPC_LOCK: mmap(32 pages, MAP_LOCKED): EAGAIN"
}

# ---------------------------------------------------------------- hugepages

# surplus: vm.nr_overcommit_hugepages, the pages the kernel may add to an
# empty pool on demand (0 unless an administrator set it).
surplus() { cat /proc/sys/vm/nr_overcommit_hugepages 2>/dev/null || echo 0; }

@test "demo hugepages: it lists this machine's hugetlb sizes and the default pool" {
  local sizes="" s
  for s in $(fact hugetlb_sizes); do sizes+=" $s kB"; done
  [[ -n $sizes ]] || skip "no hugetlb page sizes here (make doctor)"
  run_demo hugepages hugetlb
  assert_success
  assert_line "hugetlb page sizes here:$sizes"
  assert_line --regexp "^default size [0-9]+ kB: HugePages_Total [0-9]+, HugePages_Free $(fact hugetlb_free) \(vm.nr_hugepages\), surplus allowed $(surplus) "
  refute_line --partial "3. transparent huge pages"
}

@test "demo hugepages: with an empty pool MAP_HUGETLB is ENOMEM, and MAP_NORESERVE turns it into SIGBUS on first touch" {
  [[ $(fact hugetlb_free) -eq 0 ]] || skip "this machine has free huge pages (vm.nr_hugepages > 0)"
  [[ $(surplus) -eq 0 ]] || skip "vm.nr_overcommit_hugepages lets the pool grow on demand here"
  local hkb
  hkb=$(meminfo Hugepagesize)
  run_demo hugepages
  assert_success
  assert_line "1. mmap($hkb kB, MAP_HUGETLB): ENOMEM"
  assert_line --partial "sysctl vm.nr_hugepages="
  assert_line "2. mmap(MAP_HUGETLB|MAP_NORESERVE): ok; first write: SIGBUS (BUS_ADRERR)"
}

@test "demo hugepages: with pages in the pool MAP_HUGETLB maps a huge page, used on first touch" {
  local hkb
  [[ $(fact hugetlb_free) -gt 0 ]] || skip "no huge pages reserved here (vm.nr_hugepages is 0): the ENOMEM test covers this machine"
  hkb=$(meminfo Hugepagesize)
  run_demo hugepages hugetlb
  assert_success
  assert_line "1. mmap($hkb kB, MAP_HUGETLB): ok, smaps KernelPageSize: $hkb kB"
  assert_line --regexp "^   HugePages_Free: [0-9]+ before, [0-9]+ after mmap \(Rsvd [0-9]+: promised, not used\), [0-9]+ after the first write$"
  assert_line "   munmap() of one 4 KiB page inside it: EINVAL"
}

# thp_expect: from the THP facts, what one write into a fresh, PMD-aligned,
# PMD-sized piece marked MADV_HUGEPAGE maps: PMD (the PMD size in kB, the
# largest of the per-size knobs, or Hugepagesize before Linux 6.8, which
# has no such knobs) and GOT_KB (the size of what one fault maps: the
# largest size enabled for such a piece, or the page size if none is).
# A size is enabled if its knob says always or madvise (the piece asked),
# or inherit while the global policy is always or madvise.
thp_expect() {
  local thp sizes e kb set
  thp=$(fact thp) sizes=$(fact thp_sizes)
  [[ $thp != absent ]] || skip "no transparent huge pages in this kernel"
  PMD=0 GOT_KB=$((PAGE / 1024))
  for e in $sizes; do
    kb=${e%%:*} set=${e#*:}
    [[ $set == absent ]] && continue
    ((kb > PMD)) && PMD=$kb
    case $set in
      always|madvise) ((kb > GOT_KB)) && GOT_KB=$kb ;;
      inherit) [[ $thp == always || $thp == madvise ]] && ((kb > GOT_KB)) && GOT_KB=$kb ;;
    esac
  done
  if ((PMD == 0)); then # before 6.8: the PMD size only, by the global policy
    PMD=$(meminfo Hugepagesize)
    [[ $thp == always || $thp == madvise ]] && GOT_KB=$PMD
  fi
  return 0
}

@test "demo hugepages: the THP fallback: one write maps what the THP settings allow, MADV_NOHUGEPAGE one small page" {
  local n got ahp what
  thp_expect
  n=$((PMD * 1024 / PAGE)) got=$((GOT_KB * 1024 / PAGE))
  if ((GOT_KB == PMD)); then ahp=$PMD what="one $PMD kB huge page"
  elif ((got == 1)); then ahp=0 what="one small page"
  else ahp=0 what="a $GOT_KB kB multi-size THP folio"; fi
  run_demo hugepages thp
  assert_success
  assert_line --partial "3. transparent huge pages: enabled = $(fact thp)"
  assert_line "$(printf '   %-16s one byte written: %4d of %d pages resident, AnonHugePages: %d kB: %s' MADV_HUGEPAGE: $got $n $ahp "$what")"
  assert_line "$(printf '   %-16s one byte written: %4d of %d pages resident, AnonHugePages: 0 kB: one small page' MADV_NOHUGEPAGE: 1 $n)"
}

@test "demo hugepages: a bad argument is one usage line, exit 2" {
  run_demo -2 --separate-stderr hugepages pool
  assert_one_error_line hugepages "'pool': expected hugetlb or thp"
  run_demo -2 --separate-stderr hugepages thp thp
  assert_one_error_line hugepages "too many"
}

# ---------------------------------------------------------------- validate

# vrow NAME FILE-SHARED FILE-VALIDATE MEMFD-SHARED MEMFD-VALIDATE
vrow() { printf '%-24s %-11s %-11s %-11s %s' "$@"; }

@test "demo validate: MAP_SHARED ignores an unknown bit, MAP_SHARED_VALIDATE refuses it with EOPNOTSUPP" {
  run_demo validate
  assert_success
  assert_line "$(vrow "(none)" ok ok ok ok)"
  assert_line "$(vrow MAP_POPULATE ok ok ok ok)"
  assert_line "$(vrow "0x400000 (no such flag)" ok EOPNOTSUPP ok EOPNOTSUPP)"
  assert_equal "$(ls -A)" ""
}

@test "demo validate: MAP_SYNC needs DAX: EOPNOTSUPP with MAP_SHARED_VALIDATE; MAP_HUGETLB needs hugetlbfs: EINVAL" {
  grep -qw dax /proc/self/mountinfo && skip "a DAX file system is mounted here"
  run_demo validate
  assert_success
  local f
  cols 24 MAP_SYNC
  assert_equal "${COLS[1]}" EOPNOTSUPP
  assert_equal "${COLS[3]}" EOPNOTSUPP
  assert_equal "${COLS[2]}" ok # tmpfs (the memfd) ignores it with MAP_SHARED
  on_tmpfs && assert_equal "${COLS[0]}" ok
  assert_line "$(vrow MAP_HUGETLB EINVAL EINVAL EINVAL EINVAL)"
  assert_line "$(vrow MAP_UNINITIALIZED ok ok ok ok)"
  assert_line "anonymous memory: MAP_SHARED ok, MAP_SHARED_VALIDATE EINVAL"
}

@test "demo validate: MAP_UNINITIALIZED is ignored by this kernel, and fresh pages are zero" {
  local cfg=""
  if [[ -r /boot/config-$(uname -r) ]]; then cfg=$(cat "/boot/config-$(uname -r)")
  elif [[ -r /proc/config.gz ]]; then cfg=$(gzip -dc /proc/config.gz)
  else skip "no kernel configuration to compare with"; fi
  grep -q '^CONFIG_MMAP_ALLOW_UNINITIALIZED=y' <<<"$cfg" && skip "this kernel honours MAP_UNINITIALIZED"
  run_demo validate
  assert_success
  assert_line --regexp "^MAP_UNINITIALIZED: CONFIG_MMAP_ALLOW_UNINITIALIZED is not set in (/boot/config-.*|/proc/config.gz); CONFIG_MMU is y$"
  assert_line "  16 fresh pages mapped with it: 0 non-zero bytes of $((16 * PAGE))"
}

# ---------------------------------------------------------------- growsdown

@test "demo growsdown: touching below the mapping moves its start down to the page touched" {
  local gap=256 total top
  [[ $(</proc/cmdline) =~ stack_guard_gap=([0-9]+) ]] && gap=${BASH_REMATCH[1]}
  total=$((gap + 256)) top=$((gap + 252))
  run_demo growsdown
  assert_success
  assert_line "stack_guard_gap: $gap pages ($( [[ $gap == 256 ]] && echo "the default since Linux 4.12" || echo "stack_guard_gap= on the kernel command line"))"
  assert_line "the VMA starts exactly at the address mmap() returned"
  local i
  i=$(index_of "write at area page $((top - 1)) (1 page below the mapping): ok")
  [[ $i -ge 0 ]] || fail "no write 1 page below"
  assert_equal "${lines[$((i + 1))]}" "$(vma area 0 1 ---p 0)"
  assert_equal "${lines[$((i + 2))]}" "$(vma area $((top - 1)) $total rw-p 0)"
  i=$(index_of "write at area page $((top - 100)) (100 pages below the mapping): ok")
  [[ $i -ge 0 ]] || fail "no write 100 pages below"
  assert_equal "${lines[$((i + 2))]}" "$(vma area $((top - 100)) $total rw-p 0)"
}

@test "demo growsdown: growth stops stack_guard_gap pages above an accessible neighbour: SIGSEGV, and the VMA stays" {
  local gap=256 total
  [[ $(</proc/cmdline) =~ stack_guard_gap=([0-9]+) ]] && gap=${BASH_REMATCH[1]}
  total=$((gap + 256))
  run_demo growsdown
  assert_success
  local i
  i=$(index_of "write at area page $((gap + 1)) (the lowest the gap allows): ok")
  [[ $i -ge 0 ]] || fail "no write at the edge of the gap"
  assert_equal "${lines[$((i + 1))]}" "$(vma area 0 1 r--p 0)"
  assert_equal "${lines[$((i + 2))]}" "$(vma area $((gap + 1)) $total rw-p 0)"
  i=$(index_of "write at area page $gap (one page lower, inside the gap): SIGSEGV (SEGV_MAPERR)")
  [[ $i -ge 0 ]] || fail "no SIGSEGV inside the gap"
  assert_equal "${lines[$((i + 2))]}" "$(vma area $((gap + 1)) $total rw-p 0)"
  assert_equal "${lines[$((i + 3))]}" "yes: the VMA stopped at page $((gap + 1)), and pages 1-$gap stay free"
}

@test "demo growsdown: a PROT_NONE neighbour keeps no gap: the mapping grows right down to it" {
  local gap=256 total
  [[ $(</proc/cmdline) =~ stack_guard_gap=([0-9]+) ]] && gap=${BASH_REMATCH[1]}
  total=$((gap + 256))
  run_demo growsdown
  assert_success
  after "write at area page 1 (right above page 0): ok" 1 "$(vma area 0 1 ---p 0)"
  after "write at area page 1 (right above page 0): ok" 2 "$(vma area 1 $total rw-p 0)"
  assert_line "no: the VMA grew down to page 1; a PROT_NONE neighbour does not count"
}

# ---------------------------------------------------------------- dontneed

# drow NAME DONTNEED FREE REMOVE: one row of the table
drow() { printf '%-18s %-17s %-17s %s' "$@"; }

@test "demo dontneed: what each discarding advice leaves behind, for the four kinds of mapping" {
  run_demo dontneed
  assert_success
  assert_line "$(drow "private anonymous" 0 "'W'" EINVAL)"
  assert_line "$(drow "shared anonymous" "'W'" EINVAL 0)"
  assert_line "$(drow "private file" "'F', file 'F'" EINVAL EACCES)"
  assert_line "$(drow "shared file" "'W', file 'W'" EINVAL "0, file 0")"
  assert_equal "$(ls -A)" ""
}

@test "demo dontneed: MADV_FREE keeps the data until reclaim, and a write takes the page back" {
  run_demo dontneed
  assert_success
  assert_line "  right after MADV_FREE: page 0 reads 'A', 4 of 4 pages resident"
  assert_line "  after MADV_PAGEOUT (reclaim, as under memory pressure): page 0 reads 0, page 1 reads 'B'"
}

# ---------------------------------------------------------------- readahead

@test "demo readahead: MADV_RANDOM reads exactly the page touched; no advice reads around it; MADV_WILLNEED reads ahead untouched" {
  on_tmpfs && skip "the test directory is on tmpfs, whose files cannot leave the page cache"
  on_valgrind && skip "Valgrind maps and reads files of its own, which keeps pages in the cache"
  local n=32 kb
  run_demo readahead $n
  assert_success
  assert_line "MADV_RANDOM      one byte read in the middle page: 1 of $n pages in the page cache"
  [[ $output =~ read_ahead_kb\ of\ its\ device:\ ([0-9]+) ]] || skip "no read_ahead_kb for this file's device"
  kb=${BASH_REMATCH[1]}
  [[ $kb -gt 0 ]] || skip "read-ahead is off for this device (read_ahead_kb 0)"
  # "(no advice)      one byte read in the middle page: N of ..." : N is word 7
  cols 16 "(no advice)"
  [[ ${COLS[7]} -gt 1 ]] || fail "no advice: ${COLS[*]}"
  if ((kb * 1024 / PAGE >= n)); then
    # the window (read_ahead_kb) covers the whole file
    assert_line "MADV_WILLNEED    nothing read: $n of $n pages in the page cache"
  fi
}

@test "demo readahead: on tmpfs there is nothing to read ahead, and the demo says so" {
  [[ $(stat -f -c %T /dev/shm) == tmpfs ]] || skip "/dev/shm is not tmpfs here"
  TMPDIR=/dev/shm run_demo readahead 4
  assert_success
  assert_line --partial "but \$TMPDIR is on tmpfs"
}

# ---------------------------------------------------------------- ex1_fincore

# make_file NAME PAGES [EXTRA]: PAGES pages and EXTRA bytes of text.
make_file() { head -c $(($2 * PAGE + ${3:-0})) /dev/zero | tr '\0' p >"$1"; }
# evict FILE: write FILE back and drop its pages from the page cache (dd's
# iflag=nocache with count=0 is posix_fadvise(POSIX_FADV_DONTNEED)).
evict() { sync "$1" && dd if="$1" iflag=nocache count=0 status=none; }
# write_page FILE K: overwrite page K in place with one whole, aligned page,
# which puts exactly that page in the cache (no read, no read-ahead).
write_page() { dd if=/dev/zero of="$1" bs="$PAGE" seek="$2" count=1 conv=notrunc status=none; }

# see: mincore(2), chapter 11 "Advice about access patterns, and mincore"
@test "ex1_fincore: a file just written is all in the page cache" {
  make_file data 8 100
  run_ex ex1_fincore data
  assert_success
  assert_output "data: 9/9 pages resident"
}

# points: 2
# see: mincore(2), posix_fadvise(2), chapter 11 "Advice about access patterns, and mincore"
@test "ex1_fincore: after the file is dropped from the cache, no page is resident, asked twice" {
  on_tmpfs && skip "the test directory is on tmpfs, whose files cannot leave the page cache"
  on_valgrind && skip "Valgrind reads the first KiB of every file the program maps (looking for ELF debug info), and read-ahead brings in the pages around it"
  make_file data 8 100
  evict data
  run_ex ex1_fincore data
  assert_success
  assert_output "data: 0/9 pages resident"
  # asking must not bring pages in
  run_ex ex1_fincore -m data
  assert_success
  assert_output "data: 0/9 pages resident
........."
}

# points: 3
# see: mincore(2), chapter 11 "Advice about access patterns, and mincore"
@test "ex1_fincore: -m shows exactly the pages written after the eviction" {
  on_tmpfs && skip "the test directory is on tmpfs, whose files cannot leave the page cache"
  on_valgrind && skip "Valgrind reads the first KiB of every file the program maps (looking for ELF debug info), and read-ahead brings in the pages around it"
  make_file data 12
  evict data
  write_page data 2
  write_page data 5
  write_page data 11
  run_ex ex1_fincore -m data
  assert_success
  assert_output "data: 3/12 pages resident
..#..#.....#"
}

# see: mincore(2), chapter 11 "Advice about access patterns, and mincore"
@test "ex1_fincore: several files in order, an empty one is 0/0" {
  make_file a 1
  : >blank
  make_file b 2 1
  run_ex ex1_fincore -m a blank b
  assert_success
  assert_output "a: 1/1 pages resident
#
blank: 0/0 pages resident

b: 3/3 pages resident
###"
}

@test "ex1_fincore: a missing or non-regular file is one error line, exit 1, after the earlier files' lines; no FILE is a usage error" {
  run_ex -1 --separate-stderr ex1_fincore nosuch
  assert_one_error_line ex1_fincore "open 'nosuch': No such file or directory$"
  make_file a 1
  mkdir dir
  run_ex -1 --separate-stderr ex1_fincore a dir a
  assert_one_error_line ex1_fincore "'dir' is not a regular file$"
  assert_output "a: 1/1 pages resident"
  run_ex -2 --separate-stderr ex1_fincore
  assert_one_error_line ex1_fincore "expected at least one FILE \\(usage: "
}

# ---------------------------------------------------------------- ex2_flagprobe

# see: mmap(2), chapter 11 "Asking the kernel to check: MAP_SHARED_VALIDATE"
@test "ex2_flagprobe: long-known flags are accepted with MAP_SHARED and MAP_SHARED_VALIDATE" {
  make_file data 1
  run_ex ex2_flagprobe data MAP_POPULATE MAP_NORESERVE MAP_STACK MAP_UNINITIALIZED
  assert_success
  assert_output "MAP_POPULATE shared=ok validate=ok
MAP_NORESERVE shared=ok validate=ok
MAP_STACK shared=ok validate=ok
MAP_UNINITIALIZED shared=ok validate=ok"
}

# points: 2
# see: mmap(2), chapter 11 "Asking the kernel to check: MAP_SHARED_VALIDATE"
@test "ex2_flagprobe: bits without a meaning are ignored by MAP_SHARED, EOPNOTSUPP with MAP_SHARED_VALIDATE" {
  make_file data 1
  run_ex ex2_flagprobe data 0x400000 0x200 2097152
  assert_success
  assert_output "0x400000 shared=ok validate=EOPNOTSUPP
0x200 shared=ok validate=EOPNOTSUPP
2097152 shared=ok validate=EOPNOTSUPP"
}

# points: 2
# see: mmap(2) (MAP_SYNC), chapter 11 "Asking the kernel to check: MAP_SHARED_VALIDATE"
@test "ex2_flagprobe: MAP_SYNC is EOPNOTSUPP with MAP_SHARED_VALIDATE on a file system without DAX" {
  grep -qw dax /proc/self/mountinfo && skip "a DAX file system is mounted here"
  make_file data 1
  run_ex ex2_flagprobe data MAP_SYNC
  assert_success
  if on_tmpfs; then
    assert_output "MAP_SYNC shared=ok validate=EOPNOTSUPP" # tmpfs ignores it with MAP_SHARED
  else
    assert_output --regexp '^MAP_SYNC shared=[A-Z]+ validate=EOPNOTSUPP$|^MAP_SYNC shared=ok validate=EOPNOTSUPP$'
  fi
}

# see: mmap(2), chapter 11 "Bigger pages: MAP_HUGETLB and transparent huge pages", chapter 11 "Stacks that grow: MAP_GROWSDOWN"
@test "ex2_flagprobe: MAP_HUGETLB (not hugetlbfs) and MAP_GROWSDOWN (shared) are EINVAL both ways" {
  make_file data 1
  run_ex ex2_flagprobe data MAP_HUGETLB MAP_GROWSDOWN
  assert_success
  assert_output "MAP_HUGETLB shared=EINVAL validate=EINVAL
MAP_GROWSDOWN shared=EINVAL validate=EINVAL"
}

@test "ex2_flagprobe: an unknown flag name is a usage error; a missing file is one error line" {
  make_file data 1
  run_ex -2 --separate-stderr ex2_flagprobe data MAP_POPULATE MAP_FOO
  assert_one_error_line ex2_flagprobe "unknown flag 'MAP_FOO' \\(usage: "
  assert_equal "$output" ""
  run_ex -2 --separate-stderr ex2_flagprobe data 0
  assert_one_error_line ex2_flagprobe "unknown flag '0' \\(usage: "
  run_ex -1 --separate-stderr ex2_flagprobe nosuch MAP_POPULATE
  assert_one_error_line ex2_flagprobe "open 'nosuch': No such file or directory$"
}

# ---------------------------------------------------------------- ex3_forkwipe

# forkwipe_out HEAD N CHILD PARENT: the whole output the task asks for:
# the line HEAD, then "child: page K: ..." and "parent: page K: ..." for K
# below N; CHILD and PARENT are printf formats that may use %d for K.
forkwipe_out() {
  local k w
  printf '%s\n' "$1"
  # shellcheck disable=SC2059  # the formats are the caller's
  for ((k = 0; k < $2; k++)); do printf -v w "$3" "$k"; echo "child: page $k: $w"; done
  # shellcheck disable=SC2059
  for ((k = 0; k < $2; k++)); do printf -v w "$4" "$k"; echo "parent: page $k: $w"; done
}

# see: fork(2), chapter 02 "Copy-on-write after fork"
@test "ex3_forkwipe: without advice the child sees the parent's secrets" {
  run_ex ex3_forkwipe keep 3
  assert_success
  assert_output "$(forkwipe_out '3 private anonymous pages, page K holds "secret K"; no advice; fork' 3 '"secret %d"' '"secret %d"')"
  run_ex ex3_forkwipe -s keep 2
  assert_success
  assert_output "$(forkwipe_out '2 shared anonymous pages, page K holds "secret K"; no advice; fork' 2 '"secret %d"' '"secret %d"')"
}

# points: 2
# see: madvise(2) (MADV_WIPEONFORK), chapter 11 "Advice that throws pages away"
@test "ex3_forkwipe: MADV_WIPEONFORK: the child finds zeros, the parent keeps its data" {
  run_ex ex3_forkwipe wipe 5
  assert_success
  assert_output "$(forkwipe_out '5 private anonymous pages, page K holds "secret K"; MADV_WIPEONFORK; fork' 5 'zeros' '"secret %d"')"
  # every page of a larger mapping
  run_ex ex3_forkwipe wipe 300
  assert_success
  assert_output "$(forkwipe_out '300 private anonymous pages, page K holds "secret K"; MADV_WIPEONFORK; fork' 300 'zeros' '"secret %d"')"
}

# points: 2
# see: madvise(2) (MADV_DONTFORK), chapter 11 "Advice that throws pages away"
@test "ex3_forkwipe: MADV_DONTFORK: the child has no mapping there (SIGSEGV), the parent keeps its data" {
  run_ex ex3_forkwipe dontfork
  assert_success
  assert_output "$(forkwipe_out '4 private anonymous pages, page K holds "secret K"; MADV_DONTFORK; fork' 4 'SIGSEGV (SEGV_MAPERR)' '"secret %d"')"
  run_ex ex3_forkwipe dontfork 300
  assert_success
  assert_output "$(forkwipe_out '300 private anonymous pages, page K holds "secret K"; MADV_DONTFORK; fork' 300 'SIGSEGV (SEGV_MAPERR)' '"secret %d"')"
}

# see: madvise(2) (EINVAL), chapter 11 "Advice that throws pages away"
@test "ex3_forkwipe: MADV_WIPEONFORK on shared memory is EINVAL; an unknown mode is a usage error" {
  run_ex -1 --separate-stderr ex3_forkwipe -s wipe
  assert_one_error_line ex3_forkwipe "madvise MADV_WIPEONFORK: Invalid argument$"
  run_ex -2 --separate-stderr ex3_forkwipe shred
  assert_one_error_line ex3_forkwipe "unknown mode 'shred' \\(usage: "
}
