/*
 * vms.h: where a running JVM's hsperfdata file is, seen from this machine.
 *
 * HotSpot writes /tmp/hsperfdata_USER/PID in its own mount namespace, PID
 * being its pid in its own (innermost) pid namespace. From outside a
 * container both differ from what we see, so a process's file is looked up
 * as /proc/PID/root/tmp/hsperfdata_*\/NSPID, NSPID being the last number of
 * the NSpid: line of /proc/PID/status (proc(5)); that is also the plain
 * /tmp/hsperfdata_USER/PID for a JVM outside any container. Where
 * /proc/PID/root may not be looked into (another user's process, and we
 * are not root), the file is looked for in our own /tmp, as jps does.
 */
#ifndef HSSTAT_VMS_H
#define HSSTAT_VMS_H

#include "region.h"

#include <stdbool.h>
#include <sys/types.h>

enum hs_found {
    HS_OPENED,   /* the file is open */
    HS_NO_PROC,  /* no such process */
    HS_NO_FILE,  /* the process has no hsperfdata file: not a JVM, or one
                    without shared counters */
    HS_UNUSABLE, /* a file, which cannot be (safely) opened: ERR says why */
};

/*
 * Find and open the hsperfdata file of process PID, read-only, after the
 * checks of chapter 14 (no symbolic link, a directory not writable by
 * group or others, owned like the file by the process's user, one link).
 * On HS_OPENED, *FD is the descriptor and PATH (PATH_MAX bytes) the path;
 * otherwise ERR (HS_ERR bytes) says why.
 */
enum hs_found hs_open_pid(pid_t pid, int *fd, char *path, char *err);

/* Every process id in /proc, ascending, into a malloc'ed array. Returns
 * the count, or -1 with errno set. */
long hs_all_pids(pid_t **pids);

#endif
