/*
 * ex2_records.c: fixed-size records in a shared file mapping, updated by
 * many processes at once (exercise).
 *
 * TASK
 * FILE is an array of 64-byte records, in native byte order, no header:
 *
 *     struct record {          offset
 *         uint32_t id;         0    the record's index: record k has id k
 *         uint32_t pad;        4    always 0
 *         int64_t balance;     8
 *         char name[48];       16   reserved, always 0
 *     };
 *
 * Three commands:
 *   ex2_records FILE init N          create FILE (mode 0644) or empty it,
 *                                    then make it N records (1 <= N <=
 *                                    1000000): record k has id k, every
 *                                    other byte 0. Prints nothing.
 *   ex2_records FILE show            one line `ID BALANCE` per record, in
 *                                    file order, e.g. `3 -250`.
 *   ex2_records FILE ID DELTA REPS   add DELTA (may be negative) to record
 *                                    ID's balance, REPS times (0 <= REPS <=
 *                                    1000000000), one update at a time.
 *                                    DELTA is any 64-bit value but the most
 *                                    negative (the tests use 9000000000
 *                                    and 1000000000000: read it as a long,
 *                                    not an int). Prints nothing.
 * All three work through mmap(2) with MAP_SHARED: no read(2) or write(2) of
 * the records. Map the whole file: the tests use files of a thousand
 * records (15 pages and part of a 16th) as well as small ones.
 *
 * Output: init and the update print nothing. show prints one line per
 * record and nothing else, ID and BALANCE in decimal, one space between:
 *   0 0
 *   1 9000000000
 *   2 -500
 *
 * Several `ex2_records FILE ID DELTA REPS` may run at the same time, from
 * unrelated processes, and no update may be lost. Make each update safe
 * with flock(2): take flock(fd, LOCK_EX) before reading the balance and
 * flock(fd, LOCK_UN) after storing it, once per repetition (so that other
 * processes get their turn in between). `show` holds LOCK_SH while it
 * reads. The tests hold the lock with flock(1) and check that your updates
 * wait for it.
 *
 * Errors, each one line on stderr and exit status 1:
 *   ex2_records: open 'FILE': No such file or directory      (and the like)
 *   ex2_records: 'FILE' is not a regular file                (a directory)
 *   ex2_records: 'FILE' is empty: it holds no records          (0 bytes)
 *   ex2_records: 'FILE' is 100 bytes, not a whole number of 64-byte records
 *   ex2_records: no record 9 in 'FILE' (it has 4)
 * A bad number or an unknown command is a usage error, one line on stderr
 * and exit 2.
 *
 * READ   mmap(2), ftruncate(2), flock(2), open(2); chapter 05's README
 *        (struct_file.c lays a struct over a file, share_two.c uses flock).
 * HINTS  Declare the struct and _Static_assert(sizeof(struct record) == 64).
 *        Keep the descriptor open while you update: you lock and unlock
 *        through it. Closing it would not drop a lock you hold: the lock
 *        belongs to the open file description, which the mapping keeps
 *        alive, so it would stay until munmap or exit, with no descriptor
 *        left to unlock it. A fresh file from ftruncate(2) is all zeros,
 *        so init only has to write the ids.
 *        Why not just `r[id].balance += delta`? It is a load, an add and a
 *        store; two processes interleaving them lose updates (try three
 *        at once with REPS of ten million, without the lock, a few times:
 *        some runs still come out right).
 * CHECK  make grade CH=05
 */
#include "wb.h"

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE init N | FILE show | FILE ID DELTA REPS");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 2)
        wb_usage("expected FILE and a command");

    /* TODO: init, show, and the locked update loop. */
    wb_fatal("not implemented yet");
}
