/*
 * ex2_faults.c: count the page faults of an access pattern on a kind of mapping (exercise).
 *
 * TASK
 *   ex2_faults [-s STRIDE] KIND ACCESS PAGES
 * maps PAGES pages (16 to 65536) readable and writable, touches some of
 * them, counts the minor page faults the touching took, and prints exactly
 * three lines:
 *   touched: T
 *   faults: F
 *   faults per page: R
 * T is the number of pages touched, F the minor faults (getrusage(2),
 * RUSAGE_SELF, ru_minflt) taken by the touching and nothing else, and R is
 * F / T with two decimals ("%.2f").
 *
 * KIND says what is mapped:
 *   anon     private anonymous memory; give it madvise(MADV_NOHUGEPAGE) so
 *            that every fault is for one small page;
 *   private  a memfd (memfd_create(2)) of PAGES pages, each page filled with
 *            its own write(2) of one page of 'x', mapped MAP_PRIVATE;
 *   shared   the same memfd, mapped MAP_SHARED.
 * The mapping must start at an address that is a multiple of 64 KiB (the
 * kernel's fault-around windows are aligned that way, so the counts are
 * predictable): reserve PAGES pages plus 64 KiB with PROT_NONE, then map
 * over the first 64 KiB-aligned address in it with MAP_FIXED.
 *
 * ACCESS says how: the pages touched are 0, STRIDE, 2*STRIDE, ... below
 * PAGES (STRIDE 1 to PAGES, default 1), and
 *   read       reads one byte of each;
 *   write      writes one byte into each;
 *   readwrite  reads one byte of each, then writes one byte into each.
 *
 * A bad KIND, ACCESS, PAGES or STRIDE is a usage error: one line on stderr,
 * exit 2. A failing call is `ex2_faults: STEP: cause`, exit 1.
 *
 * The tests run each KIND and ACCESS and compare F with what the chapter
 * explains (one fault per page? per window? two per page?), with a little
 * slack. Run yours on a few patterns and explain every number before you
 * look at the tests.
 *
 * READ   mmap(2) (MAP_FIXED), memfd_create(2), madvise(2), getrusage(2);
 *        chapter 13's README, "Fault-around" and "How to measure".
 * HINTS  wb_minor_faults() reads ru_minflt. Do all the setting up (the
 *        memfd, the mapping, the advice) before the first count, and print
 *        only after the second. Reads of a mapping the compiler can see no
 *        use for may vanish: read through a volatile pointer.
 * CHECK  make grade CH=13
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [-s STRIDE] KIND ACCESS PAGES");
    long stride = 1;
    int opt;
    while ((opt = getopt(argc, argv, ":hs:")) != -1) {
        switch (opt) {
        case 'h': wb_help();
        case 's': stride = wb_long_arg(optarg, "stride", 1, 65536); break;
        case ':': wb_usage("option '-%c' needs a value", optopt);
        default: wb_usage("unknown option '-%c'", optopt);
        }
    }
    if (argc - optind != 3)
        wb_usage("expected KIND ACCESS PAGES");
    (void)stride;

    /* TODO: check KIND, ACCESS, PAGES; set up the mapping; touch; count. */
    wb_fatal("not implemented yet");
}
