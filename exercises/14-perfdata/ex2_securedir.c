/*
 * ex2_securedir.c: decide whether a directory is safe for PerfData files (exercise).
 *
 * TASK
 *   ex2_securedir [-o UID] DIR
 * makes the checks a producer (and a monitor) makes on hsperfdata_USER
 * before it creates or opens a file in it.
 *
 * Output: when DIR passes them all, the one line
 *   ok
 * on stdout, exit 0.
 *
 * Errors: otherwise ONE line on stderr, exit 1, naming the first check that
 * failed, in this order (DIR is the name as given, `./d/` stays `./d/`):
 *
 *   1. open(DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW). If it fails:
 *        ex2_securedir: DIR: is a symbolic link     (to anything, even to a
 *                                                    perfectly good directory)
 *        ex2_securedir: DIR: is not a directory
 *        ex2_securedir: DIR: No such file or directory  (any other errno:
 *                                                    wb_die("%s", DIR))
 *      Careful: with O_DIRECTORY, a symbolic link fails with ENOTDIR, not
 *      ELOOP. lstat(2) tells a link from a plain file.
 *   2. fstat(2) on the DESCRIPTOR (not stat on the path), then:
 *        ex2_securedir: DIR: is world-writable (mode 0777)   (S_IWOTH set;
 *                                                    checked before S_IWGRP)
 *        ex2_securedir: DIR: is group-writable (mode 0775)
 *        ex2_securedir: DIR: is owned by uid N, not M
 *      M is UID given with -o, else the effective uid (geteuid(2)).
 *      The mode is printed as %04o of st_mode & 07777 (a sticky /tmp-like
 *      directory is "mode 1777").
 *   3. lstat(2) on the path must give the same st_dev and st_ino as the
 *      descriptor's fstat: else
 *        ex2_securedir: DIR: was replaced while it was being checked
 *      (someone renamed another directory or a link into place between
 *      the open and now; the tests cannot race you into this one, but your
 *      code must make the check).
 *
 * No DIR, or a UID that is not a number, is a usage error, exit 2:
 *   ex2_securedir: expected DIR (usage: ex2_securedir [-h] [-o UID] DIR)
 *   ex2_securedir: UID 'nobody': not a number (usage: ex2_securedir [-h] [-o UID] DIR)
 *
 * Why a descriptor: a check made through a path is about whatever the path
 * names at that moment; by the time you use the path again it may name
 * something else. A descriptor always means the object you checked.
 *
 * READ   open(2) (O_NOFOLLOW, O_DIRECTORY), fstat(2), lstat(2), inode(7)
 *        (st_mode bits), getopt(3); chapter 14's README, "Planted links",
 *        under "Four holes and how they were closed".
 * HINTS  wb_long_arg() parses -o. wb_fatal() prints `ex2_securedir: ...`
 *        and exits 1; wb_die() adds strerror(errno).
 * CHECK  make grade CH=14
 */
#include "wb.h"

#include <getopt.h>
#include <limits.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-o UID] DIR");
    uid_t owner = geteuid();
    int opt;
    while ((opt = getopt(argc, argv, ":ho:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 'o': owner = (uid_t)wb_long_arg(optarg, "UID", 0, INT_MAX); break;
        case ':': wb_usage("option '-%c' needs a value", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind != 1)
        wb_usage("expected DIR");
    (void)owner;

    /* TODO: open without following, check through the descriptor, compare
     * with lstat, print ok. */
    wb_fatal("not implemented yet");
}
