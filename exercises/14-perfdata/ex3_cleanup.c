/*
 * ex3_cleanup.c: remove the stale files of a PerfData directory, keep the live ones (exercise).
 *
 * TASK
 *   ex3_cleanup DIR
 * cleans a hsperfdata_USER directory by the rules of perfvm's pd_cleanup()
 * (chapter 14, "Stale files"), less its rule for a file with its own pid:
 * files left behind by processes that died without removing them (kill -9,
 * the OOM killer, a power cut: a JVM that crashes with an hs_err report
 * removes its own) are removed; files of live processes are kept.
 * These rules differ from those of HotSpot's cleanup_sharedmem_files(),
 * which a JVM runs before it creates its own file. HotSpot also unlinks
 * every entry whose name is not a pid, whatever its type (symbolic links,
 * FIFOs and sockets go; a directory stays only because unlink() fails on
 * it), and the file of a pid that kill() answers with EPERM: this exercise
 * keeps both. But HotSpot's idea of a pid is looser: any name that starts
 * with a digit and that strtol() reads to its end, cast to pid_t, so it
 * keeps "007" while pid 7 lives and, with a 64-bit long, "4294967297"
 * while pid 1 does, as long as kill() may signal that pid (a JVM run by
 * root, or a process of its own user: EPERM, as above, removes the file);
 * this exercise removes both (below, "not a process id").
 *
 * Output, on stdout: one line for each entry of DIR (not "." or ".."), in
 * strcmp order of the names, then a last line
 *   N removed, M kept
 * (M counts every "kept" line, N every "removed" one; an empty DIR prints
 * only "0 removed, 0 kept"). Each entry is judged by the first of these
 * tests that decides it, in this order, and its line is:
 *
 *   kept NAME: not a regular file         (fstatat with AT_SYMLINK_NOFOLLOW:
 *                                          directories, symbolic links, ...
 *                                          are left alone)
 *   removed NAME: not a process id        (a regular file whose name is not
 *                                          a pid: see below)
 *   kept NAME: locked by a live producer  (a pid file that another process
 *                                          holds an flock on: a producer in
 *                                          another pid namespace, whose pid
 *                                          means nothing here)
 *   removed NAME: no such process         (kill(pid, 0) fails with ESRCH)
 *   kept NAME: the process is alive       (kill succeeds, or fails with
 *                                          EPERM: it exists, it is not ours)
 *
 * (and, should the open for the lock test fail, `kept NAME: open: CAUSE`,
 * CAUSE being strerror(errno)). So a locked file is kept even when its pid
 * is dead here, and junk names go without any other test. A name is a pid
 * when it is all digits, has no leading zero and is at most INT_MAX: "0",
 * "007", "-1", "12abc" and "99999999999" are not. (Never give 0 or a
 * negative number to kill(): kill(0, 0) asks about your own process group
 * and kill(-1, 0) about every process you may signal.) For example:
 *   removed 12abc: not a process id
 *   kept 4242: not a regular file
 *   removed 99999: no such process       (if there is no process 99999)
 *   2 removed, 1 kept
 *
 * The lock test: open the file (O_RDONLY | O_NOFOLLOW, relative to DIR's
 * descriptor with openat) and try flock(fd, LOCK_EX | LOCK_NB). If it fails,
 * someone holds the file: keep it. If it succeeds, keep the descriptor (and
 * so the lock) open until after unlinkat(), so that no producer can take the
 * file over while you are deleting it.
 *
 * Errors: DIR itself is opened with O_RDONLY | O_DIRECTORY | O_NOFOLLOW.
 * When that fails, one line on stderr, exit 1, before anything is printed
 * or removed (a link is never followed):
 *   ex3_cleanup: DIR: is a symbolic link
 *   ex3_cleanup: DIR: No such file or directory     (and the like:
 *                                                   wb_die("%s", DIR))
 * As in ex2_securedir, a symbolic link fails with ENOTDIR: lstat(2) tells.
 * No DIR is a usage error, exit 2.
 *
 * READ   kill(2) (signal 0), flock(2), openat(2), unlinkat(2), fstatat(2),
 *        fdopendir(3), readdir(3), qsort(3); chapter 14's README, "Stale
 *        files" and "Two containers, one pid".
 * HINTS  Collect the names with readdir() (strdup each), sort them, then
 *        work through the list. The tests make live processes with
 *        `sleep` in the background, dead pids from a process that has
 *        exited and from a number above pid_max, and locked files with
 *        flock(1).
 * CHECK  make grade CH=14
 */
#include "wb.h"

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] DIR");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 1)
        wb_usage("expected DIR");

    /* TODO: open DIR safely, list and sort its names, judge each one. */
    wb_fatal("not implemented yet");
}
