/*
 * ex1_counter.c: K processes, one shared atomic counter (exercise).
 *
 * TASK
 *   ex1_counter K M
 * makes one shared anonymous mapping (mmap(2) with MAP_SHARED|MAP_ANONYMOUS)
 * holding a C11 atomic counter that starts at 0, forks K children, and each
 * child adds 1 to the counter M times with atomic_fetch_add() and exits 0.
 * The parent waits for every child, then prints the counter's final value.
 *
 * Output: exactly one line on stdout,
 *   total: N
 * where N is the counter's final value (K*M when all went well).
 *
 * The tests run 8 children of 20 million increments each, so that children
 * very likely run at the same time, on any machine: an increment that is
 * not atomic (a plain ++ through a volatile pointer, or an atomic_load()
 * followed by an atomic_store()) then loses updates, and the total comes
 * out short. Very likely, not surely: the test can catch such a solution,
 * it cannot prove a solution right.
 *
 * Errors: the parent exits 0 only when every child exited with status 0.
 * For each child that did not (it was killed, or exited non-zero) it prints
 * one line on stderr, and nothing else there, and it exits 1 once all
 * children are reaped:
 *   ex1_counter: child 2 was killed by SIGKILL
 *   ex1_counter: child 0 exited with status 3
 * (children numbered 0..K-1 in the order they were forked). It still prints
 * `total: N` in that case, so the partial count is visible.
 *
 * Arguments: K is 1 to 100, M is 0 to 1000000000000 (so that K*M fits in a
 * long). Anything else (0, a negative number, not a number, a missing or
 * extra argument) is a usage error: one line on stderr, exit 2, naming the
 * argument and quoting it:
 *   ex1_counter: K '0': must be between 1 and 100 (usage: ...)
 *   ex1_counter: K 'abc': not a number (usage: ...)
 *   ex1_counter: K '': empty (usage: ...)
 *   ex1_counter: K '-2': must be a plain non-negative number (usage: ...)
 *   ex1_counter: M 'many': not a number (usage: ...)
 *   ex1_counter: expected K and M (usage: ex1_counter [-h] K M)
 * (wb_long_arg(s, "K", 1, 100) and wb_long_arg(s, "M", 0, 1000000000000)
 * print exactly these; the stub already prints the last one.) A leading
 * '-' is an option unless it follows `--`: `ex1_counter -- -2 10` is K -2.
 * A failing system call is one line `ex1_counter: STEP: CAUSE`, exit 1.
 *
 * READ   mmap(2), fork(2), waitpid(2) (WIFEXITED, WEXITSTATUS, WIFSIGNALED,
 *        WTERMSIG), <stdatomic.h>: atomic_long, atomic_fetch_add,
 *        atomic_load; chapter 03's README and lost_updates.c.
 * HINTS  wb_long_arg() parses and range-checks K and M; wb_signame() names
 *        a signal. fflush(stdout) before fork(). A child ends with _exit(0),
 *        not return: it must not run the parent's code after the loop.
 *        Remember which pid is child I so the error line can name it.
 * CHECK  make grade CH=03
 */
#include "wb.h"

#include <stdio.h>

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] K M");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected K and M");

    /* TODO: parse K and M, map the counter, fork, wait, print the total. */
    wb_fatal("not implemented yet");
}
