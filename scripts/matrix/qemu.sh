#!/usr/bin/env bash
# qemu.sh: run a command under one of Debian's packaged kernels, booted with
# QEMU (software emulation: no KVM needed), and exit with its status.
#
# Usage: scripts/matrix/qemu.sh --kernel 6.1|6.12 [--append 'KERNEL ARGS']
#                               [--timeout SECONDS] -- COMMAND [ARGS...]
#
#   --kernel 6.1    the newest linux-image-6.1.0-NN-amd64-unsigned (bookworm)
#   --kernel 6.12   the newest linux-image-6.12.NN+deb12-amd64-unsigned
#   --append ARGS   added to the guest kernel's command line
#                   (e.g. 'transparent_hugepage=always')
#   --timeout S     stop the guest after S seconds (default 3600): exit 124
#
# COMMAND runs as root in the guest, in the directory that is the current one
# here, with stdin from /dev/null, a clean environment (PATH, HOME=/root,
# LANG=C.UTF-8, TMPDIR unset) plus this environment's WB_* and CI variables.
# Its stdout and stderr, merged, stream to this script's stdout; the exit
# status is COMMAND's. Exit 124: the timeout struck; 125: the guest could not
# be prepared or booted, or died before COMMAND finished (one line on stderr
# saying why, then the console's last lines); 2: usage.
#
# The guest (see qemu/init.sh): 2 CPUs, 4 GiB, `-cpu max` under TCG. Its root
# is the host's / through virtio-9p, read-only, under an overlayfs whose upper
# layer is a tmpfs: the guest can write anywhere, and nothing it writes reaches
# the host. /tmp, /run and /dev/shm are fresh tmpfs mounts; lo is up; the
# kernel's sysctls are its own defaults. A scratch disk (virtio, 4 GiB
# sparse, ext4, made afresh for each boot and deleted after it) is mounted at
# /disk, mode 1777: files whose pages have a backing store that writeback,
# fincore and readahead can be seen on (tmpfs and the overlay have none).
# The kernel console (boot messages, oopses) goes to
# build/matrix/logs/console-SERIES.log.
#
# Cached in build/matrix (override: WB_MATRIX_DIR): debs/ (the downloaded
# packages) and kernel-SERIES/ (the extracted package, with a modules.dep
# made by depmod). A newer package in the apt lists replaces the cached one;
# without network the cached kernel is used. The tools (QEMU, static
# BusyBox, cpio, xz, kmod) are installed through scripts/setup.sh.
#
# Debugging: WB_QEMU_STALL=S (default 300) is how long a silent console means
# a hung guest; WB_QEMU_MONITOR=SOCKET adds a QEMU monitor on that Unix socket.
# Speed: under TCG every exec costs 35-220 ms (each file opened goes through
# 9p), so a chapter's Bats tests take minutes; give programs WB_TIMEOUT=120.
set -uo pipefail
# The whole script is one compound command, read before it runs: a checkout
# that changes this file under a running guest cannot change what it does.
{
ROOT=$(cd "$(dirname "$0")/../.." && pwd) || exit 125
MATRIX=${WB_MATRIX_DIR:-$ROOT/build/matrix}
prog=qemu.sh

usage() {
  echo "usage: $0 --kernel 6.1|6.12 [--append 'KERNEL ARGS'] [--timeout SECONDS] -- COMMAND [ARGS...]" >&2
  exit 2
}
die() {
  echo "$prog: $*" >&2
  exit 125
}

series="" append="" limit=3600
while [ $# -gt 0 ]; do
  case $1 in
    --kernel) [ $# -ge 2 ] || usage; series=$2; shift 2 ;;
    --append) [ $# -ge 2 ] || usage; append=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; limit=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) usage ;;
    *) echo "$prog: unknown argument '$1'" >&2; usage ;;
  esac
done
[ $# -ge 1 ] || { echo "$prog: no COMMAND after --" >&2; usage; }
[[ $limit =~ ^[1-9][0-9]*$ ]] || { echo "$prog: --timeout needs a positive number of seconds, not '$limit'" >&2; usage; }
case $series in
  6.1) pattern='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
  6.12) pattern='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
  "") echo "$prog: --kernel is required" >&2; usage ;;
  *) echo "$prog: --kernel must be 6.1 or 6.12, not '$series'" >&2; usage ;;
esac

WB_SETUP_EXTRA='qemu-system-x86_64:qemu-system-x86 /bin/busybox:busybox-static cpio:cpio xz:xz-utils /sbin/depmod:kmod /sbin/mkfs.ext4:e2fsprogs' \
  "$ROOT/scripts/setup.sh" >&2 || die "the tools could not be installed (scripts/setup.sh failed)"
busybox=$(readlink -f /bin/busybox)
LC_ALL=C readelf -l "$busybox" 2>/dev/null | grep -q 'interpreter' &&
  die "$busybox is linked dynamically; the guest's initramfs needs busybox-static (apt-get install busybox-static)"

mkdir -p "$MATRIX/debs" "$MATRIX/logs" "$MATRIX/run" || die "cannot create $MATRIX"
kdir=$MATRIX/kernel-$series

# --- the kernel: newest package of the series, downloaded and extracted once
newest() { apt-cache search --names-only "$pattern" 2>/dev/null | awk '{print $1}' | sort -V | tail -n 1; }

prepare_kernel() {
  local pkg have="" deb tmp
  [ -f "$kdir/.package" ] && have=$(cat "$kdir/.package")
  # The newest package changes only when the apt lists do (apt-cache is slow).
  if [ -n "$have" ] && [ -f "$kdir/vmlinux" ] && [ -z "$(find /var/lib/apt/lists -maxdepth 1 \
    -name '*_Packages*' -newer "$kdir/.package" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  pkg=$(newest)
  if [ -z "$pkg" ]; then
    echo "$prog: no $series kernel in the apt lists; running apt-get update" >&2
    apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 || echo "$prog: apt-get update failed" >&2
    pkg=$(newest)
  fi
  if [ -z "$pkg" ]; then
    [ -n "$have" ] || die "no package matches $pattern in the apt lists, and nothing is cached in $kdir"
    echo "$prog: no $series kernel in the apt lists; using the cached $have" >&2
    return 0
  fi
  if [ "$pkg" = "$have" ] && [ -f "$kdir/vmlinux" ]; then
    touch "$kdir/.package"
    return 0
  fi

  deb=$(find "$MATRIX/debs" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort -V | tail -n 1)
  if [ -z "$deb" ]; then
    echo "$prog: downloading $pkg" >&2
    if ! (cd "$MATRIX/debs" && apt-get download -qq -o DPkg::Lock::Timeout=600 -o APT::Sandbox::User=root "$pkg" >&2); then
      rm -f "$MATRIX/debs/${pkg}_"*.deb.* 2>/dev/null
      [ -n "$have" ] || die "apt-get download $pkg failed, and nothing is cached in $kdir"
      echo "$prog: apt-get download $pkg failed; using the cached $have" >&2
      return 0
    fi
    deb=$(find "$MATRIX/debs" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort -V | tail -n 1)
    [ -n "$deb" ] || die "apt-get download $pkg left no .deb in $MATRIX/debs"
  fi
  echo "$prog: extracting $(basename "$deb")" >&2
  tmp=$kdir.new
  rm -rf "$tmp"
  mkdir -p "$tmp" || die "cannot create $tmp"
  dpkg-deb -x "$deb" "$tmp" || die "dpkg-deb -x $deb failed"
  local kver
  kver=$(basename "$(find "$tmp/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
  [ -f "$tmp/boot/vmlinuz-$kver" ] || die "$deb holds no /boot/vmlinuz and /lib/modules"
  /sbin/depmod -b "$tmp" "$kver" || die "depmod for $kver failed"
  extract_vmlinux "$tmp/boot/vmlinuz-$kver" "$tmp/vmlinux"
  echo "$pkg" >"$tmp/.package"
  rm -rf "$kdir"
  mv "$tmp" "$kdir" || die "cannot move $tmp to $kdir"
  # Older packages of this series are not needed any more.
  find "$MATRIX/debs" -maxdepth 1 -name "linux-image-${series}[.]*.deb" ! -name "$(basename "$deb")" -delete
}

# extract_vmlinux BZIMAGE OUT: the uncompressed ELF kernel inside a bzImage.
# QEMU boots it directly through its PVH entry point (Debian's kernels have
# CONFIG_PVH), which skips the decompression: 10-15 s of emulated CPU time.
# OUT is BZIMAGE itself when no compressed ELF is found.
extract_vmlinux() {
  local img=$1 out=$2 magic tool pos
  for magic in $'\xfd7zXZ:xz -dc --single-stream' $'\x28\xb5\x2f\xfd:zstd -qdc' $'\x1f\x8b\x08:gzip -dc'; do
    tool=${magic#*:}
    for pos in $(LC_ALL=C grep -abo "${magic%%:*}" "$img" 2>/dev/null | cut -d: -f1 | head -n 5); do
      # shellcheck disable=SC2086 # $tool is a command with its options
      tail -c "+$((pos + 1))" "$img" | $tool >"$out" 2>/dev/null
      if [ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        return 0
      fi
    done
  done
  cp "$img" "$out"
}

# One preparation at a time per series (the matrix may start several guests).
exec 9>"$MATRIX/.lock-$series" || die "cannot open $MATRIX/.lock-$series"
flock 9 || die "cannot lock $MATRIX/.lock-$series"
prepare_kernel
exec 9>&-

kver=$(basename "$(find "$kdir/lib/modules" -mindepth 1 -maxdepth 1 -type d | head -n 1)")
vmlinuz=$kdir/vmlinux
[ -f "$vmlinuz" ] || die "no kernel image in $kdir"

# --- the job directory, shared with the guest as /run/wb; removed on exit
# (one a killed run left behind goes after a day)
find "$MATRIX/run" -mindepth 1 -maxdepth 1 -name 'job.*' -mmin +1440 -exec rm -rf {} + 2>/dev/null
job=$(mktemp -d "$MATRIX/run/job.XXXXXX") || die "mktemp in $MATRIX/run failed"
qpid="" wpid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  [ -n "$wpid" ] && kill "$wpid" 2>/dev/null
  [ -n "$qpid" ] && kill "$qpid" 2>/dev/null
  rm -rf "$job"
}
trap cleanup EXIT
trap 'echo "$prog: interrupted" >&2; exit 130' INT TERM HUP

# The initramfs: /init, a static BusyBox, and the modules the root file
# system needs with everything they depend on, in load order (modules.dep
# lists a module's dependencies so that the last one loads first).
initrd=$job/initrd
mkdir -p "$initrd/bin" "$initrd/modules"
{ cp "$busybox" "$initrd/bin/busybox" && cp "$ROOT/scripts/matrix/qemu/init.sh" "$initrd/init" &&
  chmod 755 "$initrd/init"; } || die "cannot fill the initramfs in $initrd"
moddir=$kdir/lib/modules/$kver
order=()
add_module() { # NAME: NAME and its dependencies, unless built in
  local name=$1 line path deps i
  line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$moddir/modules.dep")
  if [ -z "$line" ]; then
    grep -qE "(^|/)${name}\.ko$" "$moddir/modules.builtin" && return 0
    die "kernel $kver has no module $name"
  fi
  path=${line%%:*}
  read -ra deps <<<"${line#*:}"
  for ((i = ${#deps[@]} - 1; i >= 0; i--)); do add_path "${deps[i]}"; done
  add_path "$path"
}
add_path() { # PATH relative to $moddir, decompressed into the initramfs once
  local path=$1 base p
  base=$(basename "$path")
  base=${base%.xz} base=${base%.zst} base=${base%.gz}
  for p in "${order[@]}"; do [ "$p" = "$base" ] && return 0; done
  case $path in
    *.xz) xz -dc "$moddir/$path" >"$initrd/modules/$base" ;;
    *.zst) zstd -qdc "$moddir/$path" >"$initrd/modules/$base" ;;
    *.gz) gzip -dc "$moddir/$path" >"$initrd/modules/$base" ;;
    *) cp "$moddir/$path" "$initrd/modules/$base" ;;
  esac || die "cannot unpack $path"
  order+=("$base")
}
for m in virtio_pci 9pnet_virtio 9p overlay virtio_blk ext4; do add_module "$m"; done
# ext4 asks for crc32c only as a soft dependency, which modules.dep omits.
for m in crc32c_generic crc32c_intel; do
  grep -qE "(^|/)${m}\.ko" "$moddir/modules.dep" "$moddir/modules.builtin" && add_module "$m"
done
printf '%s\n' "${order[@]}" >"$initrd/modules/order"
(cd "$initrd" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$job/initrd.cpio" ||
  die "cpio of the initramfs failed"
rm -rf "$initrd"

# The scratch disk: sparse, so it costs the host only what the guest writes.
disk=$job/disk.img
{ truncate -s 4G "$disk" && mkfs.ext4 -q -F -L wbdisk "$disk"; } >&2 || die "cannot make the scratch disk $disk"

# What the guest reads from /run/wb.
cp "$ROOT/scripts/matrix/qemu/guest.sh" "$job/guest.sh" || die "cannot copy guest.sh"
printf '%s\n' "$PWD" >"$job/cwd"
printf 'wb-linux-%s\n' "${series//./-}" >"$job/hostname"
printf '%s\n' "$kdir/lib/modules" >"$job/kmoddir"
{
  echo "cd -- $(printf '%q' "$PWD") || exit 125"
  while IFS= read -r var; do
    printf 'export %s=%q\n' "$var" "${!var}"
  done < <(compgen -e | grep -E '^(WB_[A-Za-z0-9_]*|CI)$')
  printf 'exec'
  printf ' %q' "$@"
  printf '\n'
} >"$job/job.sh"

# --- boot
# A watchdog stops a guest whose console has been silent for $stall seconds
# (guest.sh writes a heartbeat line every 30 s; a guest that hangs under a
# heavily loaded host goes quiet). A guest that hangs before COMMAND started
# is booted again, twice at most: nothing has run yet.
console=$job/console.log
stall=${WB_QEMU_STALL:-300}
deadline=$((SECONDS + limit))
esc() { printf '%s' "${1//,/,,}"; } # QEMU's option syntax doubles commas
# shellcheck disable=SC2317 # run in the background
watchdog() { # PID: kill PID when the console stops growing
  local size=-1 now quiet=0
  while sleep 10 && kill -0 "$1" 2>/dev/null; do
    now=$(stat -c %s "$console" 2>/dev/null || echo 0)
    if [ "$now" != "$size" ]; then size=$now quiet=0; continue; fi
    quiet=$((quiet + 10))
    if [ "$quiet" -ge "$stall" ]; then
      echo "$quiet" >"$job/stalled"
      kill "$1" 2>/dev/null
      return
    fi
  done
}
boot() { # run QEMU once; sets rc
  local left=$((deadline - SECONDS))
  [ "$left" -gt 0 ] || { rc=124; return; }
  rm -f "$console" "$job/stalled" "$job/status"
  timeout -k 10 "$left" qemu-system-x86_64 \
    -nodefaults -no-user-config -display none -no-reboot \
    -machine pc -accel tcg,thread=multi -cpu max,la57=off -smp 2 -m 4G \
    -kernel "$vmlinuz" -initrd "$job/initrd.cpio" \
    -append "console=ttyS0 panic=-1 $append" \
    -chardev "file,id=con,path=$(esc "$console")" -serial chardev:con \
    -chardev stdio,id=out,signal=off -serial chardev:out \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$(esc "$job"),mount_tag=wbjob,security_model=none,multidevs=remap" \
    -drive "file=$(esc "$disk"),if=virtio,format=raw,cache=unsafe" \
    ${WB_QEMU_MONITOR:+-monitor "unix:$WB_QEMU_MONITOR,server=on,wait=off"} \
    </dev/null 2>>"$job/qemu.err" &
  qpid=$!
  watchdog "$qpid" &
  wpid=$!
  wait "$qpid"
  rc=$?
  qpid=""
  kill "$wpid" 2>/dev/null
  wait "$wpid" 2>/dev/null
  wpid=""
  cp "$console" "$MATRIX/logs/console-$series.log" 2>/dev/null
}
for attempt in 1 2 3; do
  boot
  [ -e "$job/stalled" ] || break
  if grep -q '^wb-guest: running the job' "$console" 2>/dev/null; then
    echo "$prog: the guest (Linux $kver) went silent for $stall s while running '$*' (hung); it was stopped. The console's last lines:" >&2
    tail -n 25 "$console" 2>/dev/null | sed 's/^/  | /' >&2
    exit 125
  fi
  if [ "$attempt" -eq 3 ]; then
    echo "$prog: Linux $kver hung while booting, three times (console silent for $stall s); the console's last lines:" >&2
    tail -n 25 "$console" 2>/dev/null | sed 's/^/  | /' >&2
    exit 125
  fi
  echo "$prog: boot $attempt of Linux $kver hung (console silent for $stall s); booting again" >&2
done

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "$prog: timeout: '$*' did not finish within $limit s under Linux $kver; the guest was stopped" >&2
  exit 124
fi
if [ -s "$job/status" ]; then
  status=$(cat "$job/status")
  [[ $status =~ ^[0-9]+$ ]] && exit "$status"
fi
echo "$prog: the guest (Linux $kver) stopped before '$*' finished (QEMU exit $rc); QEMU's messages and the console's last lines:" >&2
sed 's/^/  ! /' "$job/qemu.err" >&2
tail -n 25 "$console" 2>/dev/null | sed 's/^/  | /' >&2
exit 125
}
