/*
 * stale_pointer.c: after mremap moves a region, pointers into it are stale; offsets are not.
 *
 * Builds a three-node linked list inside a one-page region. Each node links
 * to the next twice: by an absolute pointer (next_ptr) and by an offset from
 * the start of the region (next_off). The program also keeps a pointer to the
 * second node in a local variable, and that node's offset.
 *
 * A page of ours (PROT_NONE) sits right after the region, so growing it with
 * MREMAP_MAYMOVE must move it. Then:
 *   - the saved pointer still holds the old address, which is no longer
 *     mapped: reading through it raises SIGSEGV (caught and reported);
 *   - the pointer stored inside the moved region does the same;
 *   - the base returned by mremap plus the saved offset finds the node, and
 *     walking the list by offsets finds all three names.
 *
 * Usage: stale_pointer [-h]
 * Tour:
 * Man pages: mremap(2), sigaction(2)
 */
#include "wb.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define NONE ((size_t)-1)

struct node {
    struct node *next_ptr; /* absolute: only valid while nothing moves */
    size_t next_off;       /* offset from the region's start, or NONE */
    char name[16];
};

/* [walk] */
static void walk_by_offsets(const char *base, size_t first)
{
    printf("  walk by offsets:");
    for (size_t off = first; off != NONE;) {
        const struct node *n = (const struct node *)(base + off);
        printf(" %s@%zu", n->name, off);
        off = n->next_off;
    }
    printf("\n");
}
/* [walk] */

/* Read the first byte of a node's name through PTR; say what happened. */
static void try_name(const char *what, const struct node *ptr)
{
    char c;
    int sig = wb_try_read(ptr->name, &c);
    if (sig == 0)
        printf("  %s: reads '%s'\n", what, ptr->name);
    else
        printf("  %s: %s (%s)\n", what, wb_signame(sig), wb_last_fault_code());
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int i = wb_simple_args(argc, argv);
    if (i != argc)
        wb_usage("no arguments expected");

    size_t ps = wb_page_size();
    /* Region (1 page) + our PROT_NONE blocker right after it. */
    char *res =
        mmap(NULL, 2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (res == MAP_FAILED)
        wb_die("mmap reservation");
    char *base = mmap(res, ps, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (base == MAP_FAILED)
        wb_die("mmap region");

    static const char *names[] = {"alpha", "beta", "gamma"};
    const size_t offs[] = {0, 64, 128};
    for (int k = 0; k < 3; k++) {
        struct node *n = (struct node *)(base + offs[k]);
        snprintf(n->name, sizeof n->name, "%s", names[k]);
        n->next_off = k < 2 ? offs[k + 1] : NONE;
        n->next_ptr = k < 2 ? (struct node *)(base + offs[k + 1]) : NULL;
    }
    struct node *second = (struct node *)(base + 64); /* a saved pointer */
    size_t second_off = 64;                           /* a saved offset */
    printf("list of 3 nodes in a 1-page region; saved: a pointer to node 2 and "
           "its offset "
           "%zu\n",
           second_off);
    try_name("before the move, saved pointer", second);
    walk_by_offsets(base, 0);

    printf("mremap 1 -> 4 pages with MREMAP_MAYMOVE (a page of ours blocks "
           "growth in place)\n");
    char *nbase = mremap(base, ps, 4 * ps, MREMAP_MAYMOVE);
    if (nbase == MAP_FAILED)
        wb_die("mremap");
    /* Read through the stale pointers at once: nothing may be mapped there yet. */
    char c;
    int sig_saved = wb_try_read(second->name, &c);
    const char *code_saved = wb_last_fault_code();
    struct node *inner =
        ((struct node *)nbase)->next_ptr; /* stored in the region */
    int sig_inner = wb_try_read(inner->name, &c);
    const char *code_inner = wb_last_fault_code();
    struct wb_vma v;
    bool old_mapped = wb_vma_of(base, &v) == 0;

    printf("  result: %s\n", nbase == base
                                 ? "grew in place (unexpected: it is blocked)"
                                 : "moved (the start address changed)");
    printf("  old range: %s\n",
           old_mapped ? "mapped again by something else" : "no longer mapped");
    printf("  saved pointer to node 2: %s (%s)\n",
           sig_saved ? wb_signame(sig_saved) : "readable",
           sig_saved ? code_saved : "-");
    printf("  node 1's next_ptr, stored in the region: %s (%s)\n",
           sig_inner ? wb_signame(sig_inner) : "readable",
           sig_inner ? code_inner : "-");
    try_name("new base + saved offset",
             (const struct node *)(nbase + second_off));
    walk_by_offsets(nbase, 0);

    if (munmap(nbase, 4 * ps) == -1 || munmap(res + ps, ps) == -1)
        wb_die("munmap");
    return 0;
}
