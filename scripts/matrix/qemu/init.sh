#!/bin/busybox sh
# shellcheck shell=dash
# init.sh: the first process of a guest booted by scripts/matrix/qemu.sh.
#
# It runs from the initramfs under BusyBox's sh (the initramfs holds this
# script as /init, a static /bin/busybox and the kernel modules listed in
# /modules/order). It builds the guest's root file system and hands over:
#
#   /            overlayfs: the host's / (virtio-9p share "hostroot", read-only)
#                under a tmpfs upper layer, so the guest may write anywhere and
#                nothing reaches the host
#   /run         tmpfs; /run/wb is the job directory (9p share "wbjob",
#                read-write: the host reads the exit status from it)
#   /tmp         tmpfs (mode 1777), as on most machines
#   /disk        the scratch disk (ext4 on /dev/vda, mode 1777)
#   /dev, /dev/pts, /dev/shm, /proc, /sys
#
# then becomes BusyBox init, whose inittab (written into the overlay) runs
# /run/wb/guest.sh once. BusyBox init reaps orphans, as a real init does.
# Any failure here prints "wb-init: ..." on the console and powers off; the
# host then finds no status file and shows the console's last lines.
PATH=/bin
export PATH

fail() {
  echo "wb-init: $*" >/dev/console
  busybox poweroff -f
  sleep 10
}
# step WHAT: a progress line on the console, where a hung boot shows its place.
step() { echo "wb-init: $*" >/dev/console; }

busybox mkdir -p /proc /sys /dev /lower /rw /newroot
busybox mount -t proc proc /proc || fail "mount /proc failed"
busybox mount -t sysfs sysfs /sys || fail "mount /sys failed"
busybox mount -t devtmpfs devtmpfs /dev || fail "mount /dev failed"
busybox --install -s /bin

step "loading $(wc -l </modules/order) modules"
while read -r mod; do
  insmod "/modules/$mod" || fail "insmod $mod failed"
done </modules/order

step "mounting the host's / and the overlay"
mount -t 9p -o ro,trans=virtio,version=9p2000.L,cache=loose,msize=512000 hostroot /lower ||
  fail "mount of the host's / (9p tag hostroot) failed"
mount -t tmpfs -o mode=0755 rw /rw || fail "mount tmpfs /rw failed"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
  fail "mount of the overlay root failed"

R=/newroot
step "mounting /run, the job directory, /tmp, /dev, /proc, /sys"
mount -t tmpfs -o mode=0755,nosuid,nodev run $R/run || fail "mount /run failed"
mkdir -p $R/run/wb
mount -t 9p -o trans=virtio,version=9p2000.L,cache=none wbjob $R/run/wb ||
  fail "mount of the job directory (9p tag wbjob) failed"

# A fresh /tmp, unless the command's directory is inside it: then that
# directory is carried over (bind-mounted) onto the new /tmp.
cwd=$(cat $R/run/wb/cwd)
case $cwd/ in
  /tmp/*)
    mkdir -p /keep
    mount --bind "$R$cwd" /keep || fail "bind of $cwd failed"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmp $R/tmp || fail "mount /tmp failed"
    mkdir -p "$R$cwd"
    mount --move /keep "$R$cwd" || fail "move of $cwd failed"
    ;;
  *) mount -t tmpfs -o mode=1777,nosuid,nodev tmp $R/tmp || fail "mount /tmp failed" ;;
esac

mkdir -p $R/disk
mount -t ext4 /dev/vda $R/disk || fail "mount of the scratch disk /dev/vda (ext4) failed"
chmod 1777 $R/disk

mount --move /dev $R/dev || fail "move /dev failed"
mkdir -p $R/dev/pts $R/dev/shm
# What udev or systemd would add to devtmpfs.
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
ln -sf /proc/kcore $R/dev/core
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts || fail "mount /dev/pts failed"
mount -t tmpfs -o mode=1777,nosuid,nodev shm $R/dev/shm || fail "mount /dev/shm failed"
mount --move /proc $R/proc || fail "move /proc failed"
mount --move /sys $R/sys || fail "move /sys failed"

# The host's module tree is not the guest kernel's: show the guest its own
# (the extracted package's, with the modules.dep made on the host).
kdir=$(cat $R/run/wb/kmoddir)
kver=$(uname -r)
if [ -d "$R$kdir/$kver" ]; then
  mkdir -p "$R/lib/modules/$kver"
  mount --bind "$R$kdir/$kver" "$R/lib/modules/$kver" || fail "bind of the guest kernel's modules failed"
fi
# And its configuration where Debian puts it (tests read /boot/config-*).
cp "$R$kdir/../../boot/config-$kver" "$R/boot/" 2>/dev/null || step "no /boot/config-$kver"

printf '::sysinit:/bin/bash /run/wb/guest.sh\n' >$R/etc/inittab || fail "write /etc/inittab failed"
step "starting init"
# shellcheck disable=SC2093 # exec fails only if switch_root cannot start
exec switch_root $R /bin/busybox init
fail "switch_root failed"
