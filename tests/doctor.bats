#!/usr/bin/env bats
# Tests for build/doctor (scripts/doctor.c), the machine facts every other
# test derives its expectations from. The knobs it reports are compared with
# the kernel's own files; the zero-page fact with a measurement this test
# makes itself, in Python, without the workbook's library.
# The names start with "demo doctor" so that the demo phase of make test (and
# make memcheck, make sanitize) runs them.

load helper

# The facts of the contract (README.md, "Troubleshooting"), and the label of
# each in the human output.
FACTS=(KERNEL:kernel PAGE_SIZE:"page size" ZERO_PAGE:"zero page"
       ANON_FAULT_PAGES:"anon fault pages" FILE_FAULT_PAGES:"file fault pages"
       FAULT_NS:"fault cost ns" THP:THP THP_DEFRAG:"THP defrag"
       THP_SIZES:"" SHMEM_THP:"shmem THP" HUGETLB_SIZES:"hugetlb sizes kB"
       HUGETLB_FREE:"hugetlb free" FAULT_AROUND_BYTES:fault_around_bytes
       OVERCOMMIT:overcommit MEMFD_NOEXEC:memfd_noexec UFFD_SYSCTL:"uffd sysctl"
       UFFD:userfaultfd ROOT:root CAP_SYS_ADMIN:CAP_SYS_ADMIN
       CAP_IPC_LOCK:CAP_IPC_LOCK CAP_SYS_PTRACE:CAP_SYS_PTRACE
       MOUNTNS:"mount namespace" PIDNS:"pid namespace"
       MAX_MAP_COUNT:max_map_count MEMLOCK:RLIMIT_MEMLOCK VALGRIND:Valgrind
       ASAN:ASan SEALED_SHARED_RO:"sealed shared RO" RFP:remap_file_pages)

# doctor [run flags] ARGS...: run $WB_BUILD/doctor through wb_run.
doctor() {
  local flags=()
  while [[ $1 == -[0-9]* || $1 == --separate-stderr ]]; do flags+=("$1"); shift; done
  wb_run "${flags[@]}" "$WB_BUILD/doctor" "$@"
}

# env_fact NAME: the value of WB_FACT_NAME in $output (doctor --env).
env_fact() {
  (
    unset "WB_FACT_$1"
    eval "$output"
    var=WB_FACT_$1
    printf '%s\n' "${!var}"
  )
}

@test "demo doctor: --env prints every fact once, as lines a shell can eval" {
  doctor --separate-stderr --env
  assert_success
  assert_equal "$stderr" ""
  local f name
  for f in "${FACTS[@]}"; do
    name=${f%%:*}
    [[ $(grep -c "^WB_FACT_$name=" <<<"$output") -eq 1 ]] ||
      fail "no line (or more than one) WB_FACT_$name= in: $output"
  done
  refute_line --regexp '^[^W]|^W[^B]' # nothing but WB_FACT_ lines
  # The lines are shell assignments: eval gives the values back.
  (eval "$output") || fail "eval of the --env output failed"
  [[ $(env_fact THP_SIZES) != *'"'* ]] || fail "THP_SIZES kept its quotes"
}

@test "demo doctor: the human output has one line per fact, with what it changes" {
  doctor --separate-stderr
  assert_success
  local f label
  for f in "${FACTS[@]}"; do
    label=${f#*:}
    [[ -n $label ]] || continue
    # label, value, and a note of a few words
    assert_line --regexp "^$label +[^ ]+ +[^ ].{10,}$"
  done
  # One line per mTHP size knob the kernel has.
  local d kb
  for d in /sys/kernel/mm/transparent_hugepage/hugepages-*kB; do
    [[ -r $d/enabled ]] || continue
    kb=${d##*hugepages-}
    assert_line --regexp "^mTHP ${kb} +$(grep -o '\[[a-z]*\]' "$d/enabled" | tr -d '[]') "
  done
}

@test "demo doctor: the knobs it reports are the kernel's own" {
  doctor --env
  assert_success
  assert_equal "$(env_fact KERNEL)" "$(uname -r)"
  assert_equal "$(env_fact PAGE_SIZE)" "$(getconf PAGESIZE)"
  local thp=/sys/kernel/mm/transparent_hugepage want
  if [[ -r $thp/enabled ]]; then
    want=$(grep -o '\[[a-z_]*\]' $thp/enabled | tr -d '[]')
  else
    want=absent
  fi
  assert_equal "$(env_fact THP)" "$want"
  if [[ -r $thp/shmem_enabled ]]; then
    want=$(grep -o '\[[a-z_]*\]' $thp/shmem_enabled | tr -d '[]')
  else
    want=absent
  fi
  assert_equal "$(env_fact SHMEM_THP)" "$want"
  want=""
  local d kb
  for d in $(ls -d $thp/hugepages-*kB 2>/dev/null | sort -t- -k2 -n); do
    [[ -r $d/enabled ]] || continue
    kb=${d##*hugepages-}
    want+="${want:+ }${kb%kB}:$(grep -o '\[[a-z]*\]' "$d/enabled" | tr -d '[]')"
  done
  assert_equal "$(env_fact THP_SIZES)" "$want"
  want=$(ls /sys/kernel/mm/hugepages 2>/dev/null | sed 's/hugepages-//; s/kB//' | sort -n | tr '\n' ' ')
  assert_equal "$(env_fact HUGETLB_SIZES)" "${want% }"
  want=$(awk '$1 == "HugePages_Free:" { print $2 }' /proc/meminfo)
  assert_equal "$(env_fact HUGETLB_FREE)" "${want:-0}"
  assert_equal "$(env_fact OVERCOMMIT)" "$(cat /proc/sys/vm/overcommit_memory)"
  assert_equal "$(env_fact MAX_MAP_COUNT)" "$(cat /proc/sys/vm/max_map_count)"
  assert_equal "$(env_fact MEMFD_NOEXEC)" "$(cat /proc/sys/vm/memfd_noexec 2>/dev/null || echo absent)"
  want=$(ulimit -l) # KiB, or "unlimited"
  [[ $want == unlimited ]] || want=$((want * 1024))
  assert_equal "$(env_fact MEMLOCK)" "$want"
  if [[ $(id -u) -eq 0 ]]; then want=yes; else want=no; fi
  assert_equal "$(env_fact ROOT)" "$want"
  # The capabilities: bits of CapEff (capability.h: 14, 19, 21).
  local eff cap bit
  eff=0x$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
  for cap in IPC_LOCK:14 SYS_PTRACE:19 SYS_ADMIN:21; do
    bit=${cap#*:}
    if (((eff >> bit) & 1)); then want=yes; else want=no; fi
    assert_equal "CAP_${cap%:*}=$(env_fact "CAP_${cap%:*}")" "CAP_${cap%:*}=$want"
  done
}

# The zero-page question answered without the workbook's code: Python maps
# 256 private anonymous pages, reads every one, and prints how many kB of
# the mapping's VMA became resident (the Rss growth, so a neighbour merged
# into the same VMA does not count).
ZERO_PAGE_PY='
import ctypes, mmap, sys
n = 256 * mmap.PAGESIZE
m = mmap.mmap(-1, n, flags=mmap.MAP_PRIVATE)
if hasattr(m, "madvise") and hasattr(mmap, "MADV_NOHUGEPAGE"):
    m.madvise(mmap.MADV_NOHUGEPAGE)
view = ctypes.c_char.from_buffer(m)
addr = ctypes.addressof(view)
del view
def rss():
    inside = False
    for line in open("/proc/self/smaps"):
        head = line.split()[0]
        if "-" in head and not head.endswith(":"):
            lo, hi = (int(x, 16) for x in head.split("-"))
            inside = lo <= addr < hi
        elif inside and head == "Rss:":
            return int(line.split()[1])
    sys.exit("no VMA holds the mapping")
before = rss()
total = 0
for off in range(0, n, mmap.PAGESIZE):
    total += m[off]
print(rss() - before, n // 1024)
'

@test "demo doctor: the zero-page fact agrees with a measurement made here" {
  command -v python3 >/dev/null || skip "python3 is not installed"
  run python3 -c "$ZERO_PAGE_PY"
  assert_success
  local grew=${output% *} size=${output#* } want
  if ((grew <= size / 4)); then
    want=yes # the reads left Rss flat: they mapped the shared zero page
  elif ((grew >= size * 3 / 4)); then
    want=no # every read got a private page
  else
    fail "Python's reads of $size kB made $grew kB resident: neither case"
  fi
  doctor --env
  assert_success
  assert_equal "$(env_fact ZERO_PAGE)" "$want"
  assert_equal "$(fact zero_page)" "$want"
}

@test "demo doctor: fault granularity follows the THP knobs" {
  doctor --env
  assert_success
  local anon file ns thp sizes s active=""
  anon=$(env_fact ANON_FAULT_PAGES) file=$(env_fact FILE_FAULT_PAGES)
  ns=$(env_fact FAULT_NS) thp=$(env_fact THP) sizes=$(env_fact THP_SIZES)
  [[ $anon =~ ^[0-9]+$ && $anon -ge 1 && $((anon & (anon - 1))) -eq 0 ]] ||
    fail "anon fault pages '$anon' is not a power of two"
  [[ $file =~ ^[0-9]+$ && $file -ge 1 ]] || fail "file fault pages '$file'"
  [[ $ns =~ ^[0-9]+$ && $ns -gt 0 ]] || fail "fault cost '$ns' ns"
  # Without advice, a size below 2 MiB is used when its knob says always,
  # or inherit while THP says always. None such: one page per fault.
  for s in $sizes; do
    [[ ${s%%:*} -lt 2048 ]] || continue
    if [[ ${s#*:} == always || (${s#*:} == inherit && $thp == always) ]]; then active+=" $s"; fi
  done
  [[ -n $active ]] || assert_equal "$anon" 1
  # fault_around_bytes, where debugfs shows it, is what a file fault maps.
  local fab
  fab=$(env_fact FAULT_AROUND_BYTES)
  [[ $fab == unknown ]] || assert_equal "$file" $((fab / PAGE))
}

@test "demo doctor: userfaultfd agrees with the sysctl, the capabilities and seccomp" {
  doctor --env
  assert_success
  local uffd sysctl ptrace seccomp
  uffd=$(env_fact UFFD) sysctl=$(env_fact UFFD_SYSCTL) ptrace=$(env_fact CAP_SYS_PTRACE)
  if on_valgrind; then
    assert_equal "$uffd" no # Valgrind does not support userfaultfd
    return
  fi
  seccomp=$(awk '$1 == "Seccomp:" { print $2 }' /proc/self/status)
  assert_equal "$sysctl" "$(cat /proc/sys/vm/unprivileged_userfaultfd 2>/dev/null || echo absent)"
  if [[ $sysctl != absent && ${seccomp:-0} == 0 && ($ptrace == yes || $sysctl == 1) ]]; then
    assert_equal "$uffd" yes # nothing here refuses it
  elif [[ $sysctl == absent ]]; then
    assert_equal "$uffd" no # a kernel without CONFIG_USERFAULTFD
  else
    [[ $uffd == yes || $uffd == no ]] || fail "userfaultfd '$uffd'"
  fi
}

@test "demo doctor: -h prints the usage line" {
  doctor -h
  assert_success
  assert_output "usage: doctor [-h] [--env]"
}

@test "demo doctor: a bad option or an operand is one usage line and exit 2" {
  for bad in -Q --nosuch extra; do
    doctor -2 --separate-stderr "$bad"
    assert_one_error_line doctor "('$bad'.*usage: doctor)"
  done
}
