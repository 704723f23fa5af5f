/*
 * ex1_board.c: a message board in POSIX shared memory, for unrelated
 * processes (exercise).
 *
 * TASK
 *   ex1_board post NAME MESSAGE...   post each MESSAGE, in order
 *   ex1_board read NAME              print the board
 *   ex1_board remove NAME            remove the board's name
 * Every run is a separate process: several may post to the same board at
 * the same moment, and the only thing they share is NAME.
 *
 * THE BOARD is a POSIX shared memory object (shm_open(3)) of exactly 4096
 * bytes (whatever the page size), laid out like this. Other programs read
 * and write the same bytes (the tests do, with od and printf), so keep to
 * it exactly:
 *   offset  0  char magic[8]    "BOARD10" and a NUL byte
 *   offset  8  uint32_t count   slots taken so far, 0 to 63 (native order)
 *   offset 12  52 bytes         zero
 *   offset 64  63 slots of 64 bytes; slot k (from 0) starts at 64 + 64*k:
 *              offset 0  uint32_t ready   1 once the slot's text is
 *                                         complete, 0 before
 *              offset 4  char text[60]    the message and a NUL byte
 *
 * post NAME MESSAGE...
 *   If NAME does not exist, create it (mode 0600), size it, and write the
 *   magic, then print `created NAME`. Exactly one of several processes
 *   that race to create the same board may do so (O_CREAT|O_EXCL); the
 *   others open the existing object instead. Then, for each MESSAGE in
 *   order: take the next free slot (count -> count + 1, but never past 63),
 *   copy the text in, set its ready word to 1, and print `posted #N` where
 *   N is the slot's number counted from 1. When all 63 slots are taken it
 *   stops with an error (below); the messages before it in the same run
 *   stay posted.
 * read NAME
 *   Open NAME read-only (never create it) and print the slots below count
 *   whose ready word is 1, in slot order.
 * remove NAME
 *   shm_unlink(NAME).
 *
 * A board being created by another process may for a moment have size 0 or
 * no magic yet: post and read wait for it, polling, for up to half a second.
 * After that, or at once for an object whose size is neither 0 nor 4096, it
 * is not a board (below): refuse it and leave it as it was (post must not
 * resize or write an object it did not create).
 *
 * Output on stdout, NAME as given (with its '/'):
 *   post:    created NAME         (only the process that created the board)
 *            posted #N            (one line per message)
 *   read:    #N MESSAGE           (one line per ready slot)
 *            (no messages)        (the one line when no slot is ready)
 *   remove:  removed NAME
 *
 * Errors: one line on stderr, exit 1. Whatever the run printed on stdout
 * before the error comes first when both go to one pipe (wb_fatal() and
 * wb_die() flush stdout before they write):
 *   ex1_board: board 'NAME' is full (63 messages)
 *   ex1_board: 'NAME' is not a board
 *   ex1_board: shm_open 'NAME': No such file or directory      (read)
 *   ex1_board: shm_unlink 'NAME': No such file or directory    (remove)
 * (a failing call in general: `ex1_board: CALL 'NAME': CAUSE`, wb_die()).
 * Usage errors, one line on stderr and exit 2: an unknown command or the
 * wrong number of operands; a NAME that does not start with '/', contains
 * another '/', or is longer than 255 bytes; a MESSAGE of 0 bytes or more
 * than 59 (59 is fine). Check all of them, every MESSAGE included, before
 * NAME is opened or created: a post that ends in a usage error creates no
 * board and posts nothing.
 *
 * READ   shm_open(3), shm_overview(7), ftruncate(2), mmap(2), shm_unlink(3),
 *        C11's <stdatomic.h> (7.17: atomic_compare_exchange_weak,
 *        atomic_store; or cppreference.com's page on it); the
 *        chapter's README, sections on names and on unrelated processes.
 * HINTS  A struct with _Atomic uint32_t members and a _Static_assert on its
 *        size (4096) keeps the layout honest. Take a slot with a
 *        compare-and-swap loop on count (a plain atomic_fetch_add could push
 *        count past 63). Publish with ordering: text first, then the ready
 *        word (or the magic) with a release store; readers load it first.
 *        Never touch the mapping before fstat says the object has its 4096
 *        bytes: a page past the end of the object is SIGBUS.
 * CHECK  make grade CH=10
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] post NAME MESSAGE... | read NAME | remove NAME");
    int i = wb_simple_args(argc, argv);
    if (argc - i < 2)
        wb_usage("expected a command and a NAME");

    /* TODO: check the arguments, then post, read or remove. */
    wb_fatal("not implemented yet");
}
