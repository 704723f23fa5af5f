/*
 * ex1_vector.c: a growable array of uint64_t kept in one mapping that mremap grows (solution).
 *
 * The vector is a base address plus two counts. Only the base is an address,
 * and it is replaced by whatever mremap returns, so a move costs nothing but
 * that assignment. See exercises/07-mremap/ex1_vector.c for the task.
 */
#include "wb.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

struct vector {
    uint64_t
        *items; /* the mapping's start: the only pointer, reset on a move */
    size_t len; /* items in use */
    size_t cap; /* capacity in bytes (a whole number of pages) */
    unsigned remaps;
    unsigned moves;
};

static void vec_init(struct vector *v)
{
    v->cap = wb_page_size();
    v->items = mmap(NULL, v->cap, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (v->items == MAP_FAILED)
        wb_die("mmap %zu bytes", v->cap);
    v->len = 0;
    v->remaps = v->moves = 0;
}

/* Double the capacity; the kernel may move the mapping to find room. */
static void vec_grow(struct vector *v)
{
    void *old = v->items;
    void *p = mremap(old, v->cap, 2 * v->cap, MREMAP_MAYMOVE);
    if (p == MAP_FAILED)
        wb_die("mremap %zu -> %zu bytes", v->cap, 2 * v->cap);
    v->remaps++;
    if (p != old)
        v->moves++;
    v->items = p;
    v->cap *= 2;
}

static void vec_push(struct vector *v, uint64_t x)
{
    if ((v->len + 1) * sizeof x > v->cap)
        vec_grow(v);
    v->items[v->len++] = x;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] N");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 1)
        wb_usage("expected N");
    size_t n = (size_t)wb_long_arg(argv[i], "N", 0, 100000000);

    struct vector v;
    vec_init(&v);
    for (size_t k = 0; k < n; k++)
        vec_push(&v, (uint64_t)k * k);
    for (size_t k = 0; k < v.len; k++)
        if (v.items[k] != (uint64_t)k * k)
            wb_fatal("item %zu is %llu, expected %llu", k,
                     (unsigned long long)v.items[k], (unsigned long long)k * k);

    printf("items: %zu\n", v.len);
    printf("capacity: %zu bytes\n", v.cap);
    printf("remaps: %u\n", v.remaps);
    printf("moves: %u\n", v.moves);
    if (munmap(v.items, v.cap) == -1)
        wb_die("munmap");
    return 0;
}
