/*
 * ex1_sedit.c: edit a file's bytes in a private mapping, print the result (exercise).
 *
 * TASK
 *   ex1_sedit FILE FROM TO
 * maps FILE with MAP_PRIVATE and PROT_READ|PROT_WRITE, replaces every
 * occurrence of the byte string FROM with TO *in the mapping*, and writes the
 * edited image of the whole file to standard output. FILE itself must not
 * change: not one byte, not its size. Matches are found left to right and do
 * not overlap: with FROM "aa" and TO "bb", "aaaaa" becomes "bbbba" (what
 * sed 's/aa/bb/g' prints).
 *
 * Open FILE read-only (O_RDONLY). A private mapping may be written even
 * then, and the tests run ex1_sedit on its own executable, which a running
 * program cannot open for writing (ETXTBSY; Linux 6.11.0-6.11.10 and
 * 6.12.0-6.12.1 allowed it, and there the tests cannot tell, so read the
 * rule, not them).
 *
 * An empty FILE prints nothing and succeeds; do not call mmap() for it
 * (a length of 0 is EINVAL).
 *
 * Output: the edited bytes of the whole file on stdout, exactly as many as
 * the file holds, and nothing else.
 *
 * Errors, each one line on stderr and nothing on stdout. Check FROM and TO
 * first (an empty FROM before the lengths), then the file:
 *   ex1_sedit: FROM must not be empty (usage: ...)                   exit 2
 *   ex1_sedit: FROM and TO must have the same length (3 and 4) (usage: ...)
 *                                                                    exit 2
 *   ex1_sedit: open 'FILE': No such file or directory    exit 1 (wb_die)
 *   ex1_sedit: 'FILE' is not a regular file              exit 1 (wb_fatal)
 * (wb_usage("FROM must not be empty") and wb_usage("FROM and TO must have
 * the same length (%zu and %zu)", ...) print the first two.)
 *
 * READ   mmap(2) (MAP_PRIVATE), open(2), fstat(2), write(2), memmem(3);
 *        chapter 04's README and its demos private_write.c and rdonly_fd.c.
 * HINTS  memmem() finds the next match; after replacing, search again after
 *        the match, not one byte later. write(2) may write less than asked:
 *        loop. A file with no match at all must come out byte for byte.
 * CHECK  make grade CH=04
 */
#include "wb.h"

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE FROM TO");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 3)
        wb_usage("expected FILE FROM TO");

    /* TODO: check FROM and TO, open and map FILE privately, replace,
     * write the mapping to stdout. */
    wb_fatal("not implemented yet");
}
