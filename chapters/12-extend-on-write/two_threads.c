/*
 * two_threads.c: two threads fault at once; one handler per process, a lock in it.
 *
 * The SIGSEGV action belongs to the whole process, but the signal from a
 * fault goes to the thread that faulted, and the handler runs there. Two
 * threads write byte 0 of every page of a PAGES-page extend-on-write file
 * (eow.h), thread A the even pages and thread B the odd ones, both upward
 * from page 0 and released together by a barrier, so their handlers can run
 * at the same moment. eow.h's handler therefore holds a spin lock (an
 * atomic_flag: lock-free atomics are safe in a handler, a mutex is not)
 * around "read the size, grow the file, mprotect", and a thread that finds
 * its page opened by the other one while it waited just returns. Each
 * thread reports what its own handler did (thread-local counters); those
 * numbers vary from run to run, but the handlers always leave the file
 * PAGES pages long (its size is read before eow_close() trims it), with
 * every page marked by its writer.
 *
 * Usage: two_threads [-h] [PAGES]   2 or more (default 64)
 * Tour:
 * Man pages: sigaction(2), signal(7), pthreads(7), ftruncate(2), mprotect(2)
 */
#include "eow.h"

#include <pthread.h>
#include <stdio.h>

struct writer {
    char mark;     /* 'A' or 'B' */
    size_t first;  /* the first page it writes: 0 or 1 */
    long grown;    /* faults its handler served by growing the file */
    long spurious; /* faults that found the page already open */
    pthread_t tid;
};

static char *base;
static size_t pages;
static pthread_barrier_t start;

static void *write_pages(void *arg)
{
    struct writer *w = arg;
    size_t ps = wb_page_size();
    pthread_barrier_wait(&start);
    for (size_t p = w->first; p < pages; p += 2)
        base[p * ps] = w->mark; /* may fault: the handler runs on us */
    w->grown = eow_my_grown;
    w->spurious = eow_my_spurious;
    return NULL;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] [PAGES]");
    int i = wb_simple_args(argc, argv);
    if (argc - i > 1)
        wb_usage("too many arguments");
    pages = i < argc ? (size_t)wb_long_arg(argv[i], "pages", 2, 1L << 20) : 64;
    size_t ps = wb_page_size();

    int fd = wb_temp_file("two_threads", NULL);
    base = eow_open(fd, pages * ps, ps);
    printf("two threads write byte 0 of every page of a %zu-page "
           "extend-on-write file: A the even pages, B the odd ones\n",
           pages);

    struct writer w[2] = {{.mark = 'A', .first = 0}, {.mark = 'B', .first = 1}};
    int err = pthread_barrier_init(&start, NULL, 2);
    if (err != 0) {
        errno = err;
        wb_die("pthread_barrier_init");
    }
    for (int k = 0; k < 2; k++) {
        err = pthread_create(&w[k].tid, NULL, write_pages, &w[k]);
        if (err != 0) {
            errno = err;
            wb_die("pthread_create");
        }
    }
    for (int k = 0; k < 2; k++)
        pthread_join(w[k].tid, NULL);
    pthread_barrier_destroy(&start);

    for (int k = 0; k < 2; k++)
        printf("  thread %c: its handler grew the file %ld times and found "
               "the page already open %ld times\n",
               w[k].mark, w[k].grown, w[k].spurious);
    long grown = atomic_load(&eow.grown);
    printf("  in all: %ld faults grew the file, %ld found the page open "
           "(%zu pages: at most %zu faults can grow it)\n",
           grown, (long)atomic_load(&eow.spurious), pages, pages);
    /* The size the handlers grew the file to, before eow_close() trims it
     * to the length we pass (which would make any size check pass). */
    long long grown_to = eow_file_size();
    eow_close(pages * ps);

    bool right = grown_to == (long long)(pages * ps);
    for (size_t p = 0; p < pages && right; p++) {
        char c = 0;
        if (pread(fd, &c, 1, (off_t)(p * ps)) != 1)
            wb_die("pread page %zu", p);
        right = c == (p % 2 == 0 ? 'A' : 'B');
    }
    printf("the file as the handlers left it (fstat): %lld bytes; pread: "
           "every even page starts 'A', every odd page 'B': %s\n",
           grown_to, right ? "yes" : "no");
    close(fd);
    return right ? 0 : 1;
}
