#!/bin/bash
# guest.sh: run the job inside a guest booted by scripts/matrix/qemu.sh.
#
# BusyBox init runs it once (see init.sh) from the job directory /run/wb,
# where the host put it next to job.sh (the command) and where this script
# leaves `status` (the command's exit status). The command runs as root with
# a clean environment, stdin from /dev/null, and its stdout and stderr
# together on the second serial port (/dev/ttyS1, raw mode), which QEMU
# copies to the host script's stdout; kernel messages stay on the console
# (/dev/ttyS0, a log file on the host). Then the guest powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "wb-guest: $*" >/dev/console; }

hostname "$(cat /run/wb/hostname)" || say "hostname failed"
ip link set lo up 2>/dev/null || busybox ip link set lo up || say "loopback up failed"
stty -F /dev/ttyS1 raw -echo 115200 || say "stty ttyS1 failed"

# The heartbeat: qemu.sh stops a guest whose console stays silent too long.
# It waits with bash's read on a FIFO nobody writes: no process a test's
# pkill could take for its own.
mkfifo /run/wb-beat || say "mkfifo /run/wb-beat failed"
exec 7<>/run/wb-beat
while :; do
  read -rt 30 -u 7 || [ $? -gt 128 ] || sleep 30
  read -r up _ </proc/uptime
  say "alive $up"
done &
beat=$!
exec 7>&-

say "running the job"
env -i PATH="$PATH" HOME=/root USER=root LOGNAME=root SHELL=/bin/bash \
  LANG=C.UTF-8 TERM=dumb bash /run/wb/job.sh </dev/null 2>&1 | cat >/dev/ttyS1
status=${PIPESTATUS[0]}
kill "$beat"
echo "$status" >/run/wb/status
say "WB-QEMU-EXIT=$status"
sync
busybox poweroff -f
