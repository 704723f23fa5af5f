/*
 * ex1_mmcopy.c: copy a file through two mappings (exercise).
 *
 * TASK
 *   ex1_mmcopy SRC DST
 * copies the regular file SRC to DST, and the bytes must travel through
 * mmap(2), not read(2)/write(2): map SRC for reading, map DST shared and
 * writable, and memcpy(3) from one mapping to the other.
 *
 *   - DST is created if missing (mode 0644, before the umask) and truncated
 *     if it exists, so a long old DST does not keep its tail.
 *   - Before copying, give DST the size of SRC with ftruncate(2): storing
 *     into a mapping never makes a file longer, and touching a page that
 *     lies wholly past the end of the file raises SIGBUS.
 *   - Think about which open mode DST needs for a MAP_SHARED mapping with
 *     PROT_WRITE (chapter 05's prot_matrix prints the answer).
 *   - An empty SRC gives an empty DST. mmap refuses a length of 0 (EINVAL),
 *     so do not map at all in that case.
 *
 * Output: nothing on stdout or stderr; exit 0. DST then holds exactly the
 * bytes of SRC (the tests copy sizes from 0 bytes to 5 MiB and a bit).
 *
 * Errors, each one line on stderr and exit status 1, with nothing created
 * or changed after the check that failed:
 *   ex1_mmcopy: open 'SRC': No such file or directory     (missing SRC)
 *   ex1_mmcopy: open 'SRC': Permission denied             (unreadable SRC)
 *   ex1_mmcopy: 'SRC' is a directory
 *   ex1_mmcopy: 'SRC' is not a regular file               (a FIFO, a device)
 *   ex1_mmcopy: 'SRC' and 'DST' are the same file         (compare st_dev and
 *               st_ino: opening DST with O_TRUNC would empty SRC first)
 *   ex1_mmcopy: open 'DST': ...                           (and the like)
 * (wb_die("open '%s'", path) prints the first two for you.) A FIFO as SRC
 * must be refused at once, not wait: see HINTS. A wrong number of arguments
 * is a usage error: exit 2.
 *
 * READ   mmap(2), open(2) (O_CREAT, O_TRUNC, the mode argument),
 *        ftruncate(2), fstat(2) and stat(2), memcpy(3), munmap(2);
 *        chapter 05's README, and its demos mmcat.c and prot_matrix.c.
 * HINTS  Check SRC completely (open, fstat, type) before you touch DST.
 *        Open SRC with O_RDONLY|O_NONBLOCK: a plain O_RDONLY open of a FIFO
 *        waits until some process opens it for writing (for ever, in the
 *        test), before fstat could tell you it is not a regular file. On a
 *        regular file O_NONBLOCK changes nothing.
 *        munmap(2) is enough for read(2) and cmp(1) to see the copy: they
 *        read the same page cache. Getting it onto the disk is msync(2) and
 *        fsync(2), chapter 06.
 * CHECK  make grade CH=05
 */
#include "wb.h"

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] SRC DST");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected SRC and DST");

    /* TODO: check SRC, create and size DST, map both, memcpy, unmap. */
    wb_fatal("not implemented yet");
}
