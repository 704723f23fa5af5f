/*
 * ex2_flagprobe.c: which mmap() flags this kernel knows, for one file
 * (exercise).
 *
 * TASK
 *   ex2_flagprobe FILE FLAG...
 * opens FILE read-write and, for each FLAG in the order given, tries two
 * mappings of its first page, PROT_READ|PROT_WRITE at offset 0: one with
 * MAP_SHARED|FLAG and one with MAP_SHARED_VALIDATE|FLAG, and unmaps what it
 * got. A FLAG is a name from the table below or a number (hex with 0x, or
 * decimal) for bits that have no name. MAP_SHARED ignores the flag bits it
 * does not know; MAP_SHARED_VALIDATE refuses with EOPNOTSUPP every bit
 * outside the set it checks (the bits this kernel does not know, but also
 * MAP_FIXED_NOREPLACE, which it knows yet leaves out of that set; this
 * probe passes no address, though, so that bit asks for address 0, which
 * an ordinary user is refused first, EPERM in both columns), so the
 * two columns together tell "not accepted by MAP_SHARED_VALIDATE" from
 * "accepted but refused for this file" (EINVAL, EOPNOTSUPP for MAP_SYNC on
 * a file system without DAX, ...). That holds for bits above 0x0f only.
 * The low four bits (MAP_TYPE) are not flags but the mapping's type, and
 * a number there changes the type: 0x2 turns MAP_SHARED (0x1) into
 * MAP_SHARED_VALIDATE (0x3), so both columns say ok, and 0x4 or 0x8 makes
 * a value that is no valid type, so both say EINVAL. Your program simply
 * reports what mmap() said; it need not treat these bits specially.
 *
 * Output, on stdout, one line per FLAG, in the order given:
 *   FLAG shared=RESULT validate=RESULT
 * FLAG as written on the command line; each RESULT is `ok` if that mmap()
 * succeeded, else the name of its errno (wb_errname: EINVAL, EOPNOTSUPP,
 * ...). For example:
 *   MAP_POPULATE shared=ok validate=ok
 *   0x400000 shared=ok validate=EOPNOTSUPP
 *   MAP_HUGETLB shared=EINVAL validate=EINVAL
 *
 * Errors: one line on stderr. Fewer than two operands, or a FLAG that is
 * neither a name in the table nor a positive number of at most 0x7fffffff
 * (mmap's flags are an int), is a usage error,
 * exit 2, reported before anything is printed or mapped (check every FLAG
 * first):
 *   ex2_flagprobe: unknown flag 'MAP_FOO' (usage: ex2_flagprobe [-h] FILE FLAG...)
 *   ex2_flagprobe: unknown flag '0' (usage: ex2_flagprobe [-h] FILE FLAG...)
 *       (0 is a number but not a positive one: the same message)
 *   ex2_flagprobe: expected FILE and at least one FLAG (usage: ex2_flagprobe [-h] FILE FLAG...)
 * A FILE that cannot be opened read-write, or is not a regular file, is
 * exit 1:
 *   ex2_flagprobe: open 'nosuch': No such file or directory
 *   ex2_flagprobe: 'dir' is not a regular file
 *
 * READ   mmap(2) (MAP_SHARED_VALIDATE, MAP_SYNC, ERRORS); chapter 11's
 *        README and its demo validate.c.
 * HINTS  The table is done for you. strtoul(s, &end, 0) reads hex and
 *        decimal; check `end`. wb_open_file() opens and checks the file.
 *        Map one page: wb_page_size(). Every mapping that succeeds must be
 *        unmapped before the next try.
 * CHECK  make grade CH=11
 */
#include "wb.h"

#include <stdio.h>
#include <sys/mman.h>

#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000 /* in <linux/mman.h>, not in glibc's */
#endif

static const struct {
    const char *name;
    int flag;
} known[] = {
    {"MAP_32BIT", MAP_32BIT},
    {"MAP_DENYWRITE", MAP_DENYWRITE},
    {"MAP_EXECUTABLE", MAP_EXECUTABLE},
    {"MAP_GROWSDOWN", MAP_GROWSDOWN},
    {"MAP_HUGETLB", MAP_HUGETLB},
    {"MAP_LOCKED", MAP_LOCKED},
    {"MAP_NONBLOCK", MAP_NONBLOCK},
    {"MAP_NORESERVE", MAP_NORESERVE},
    {"MAP_POPULATE", MAP_POPULATE},
    {"MAP_STACK", MAP_STACK},
    {"MAP_SYNC", MAP_SYNC},
    {"MAP_UNINITIALIZED", MAP_UNINITIALIZED},
};

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE FLAG...");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 2)
        wb_usage("expected FILE and at least one FLAG");
    (void)known;

    /* TODO: check every FLAG (name or number), open FILE, probe, print. */
    wb_fatal("not implemented yet");
}
