/*
 * ex2_faults.c: count the page faults of an access pattern on a kind of mapping (exercise).
 *
 * TASK
 *   ex2_faults [-s STRIDE] KIND ACCESS PAGES
 * maps PAGES pages (16 to 65536) readable and writable, touches some of
 * them, counts the minor page faults the touching took, and prints what it
 * counted.
 *
 * KIND says what is mapped:
 *   anon     private anonymous memory; give it madvise(MADV_NOHUGEPAGE) so
 *            that every fault is for one small page (no THP, no mTHP);
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
 * Output, exactly three lines on stdout:
 *   touched: T
 *   faults: F
 *   faults per page: R
 * T is the number of pages touched, F the minor faults (getrusage(2),
 * RUSAGE_SELF, ru_minflt) taken by the touching and nothing else, and R is
 * F / T with two decimals ("%.2f"), e.g. for `ex2_faults anon write 64`:
 *   touched: 64
 *   faults: 64
 *   faults per page: 1.00
 *
 * Errors: a bad KIND, ACCESS, PAGES or STRIDE is a usage error: one line
 * on stderr, exit 2, that starts with one of these (what follows the
 * second colon is yours to word; wb_usage() and wb_long_arg() print these
 * with ` (usage: ex2_faults [-h] [-s STRIDE] KIND ACCESS PAGES)` at the end):
 *   ex2_faults: kind 'heap': must be anon, private or shared
 *   ex2_faults: access 'peek': must be read, write or readwrite
 *   ex2_faults: pages '15': must be between 16 and 65536
 *   ex2_faults: stride '0': must be between 1 and 65536
 *   ex2_faults: stride 65: must be at most PAGES (64)
 * and too few or too many operands is
 *   ex2_faults: expected KIND ACCESS PAGES (usage: ex2_faults [-h] [-s STRIDE] KIND ACCESS PAGES)
 * A failing call is one line `ex2_faults: STEP: cause`, exit 1.
 *
 * What F should be differs between kernels, and the tests know which kernel
 * they run on (`make doctor` prints the facts they use):
 * - anon readwrite: where the kernel maps the shared zero page on a read
 *   fault of fresh anonymous memory (Linux 6.1 of Debian 12, for one),
 *   the reads map it read-only and every write faults again for a page of
 *   its own: 2 faults per page. Where it does not (zero_page=no: VM B of
 *   chapter 13's README, whose kernel was booted with pvm_no_zero_page=1,
 *   an option of its hypervisor's patched kernel), the reads map private
 *   zeroed pages that are already writable: 1 fault per page. anon read
 *   and anon write are 1 fault per page on both.
 * - private and shared reads fault once per fault-around window (16 pages
 *   for the default fault_around_bytes of 64 KiB); the tests skip them
 *   where shmem uses huge pages (shmem_enabled) or the window is larger.
 * The tests allow a little slack for a stray fault of the program's own.
 * Run yours on a few patterns and explain every number before you look at
 * the tests.
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
