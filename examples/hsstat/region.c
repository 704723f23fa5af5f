/*
 * region.c: map a PerfData file read-only, copy it, parse the copy.
 * See region.h; the reasons are chapter 14's (perfstat.c).
 */
#include "region.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The file being copied, for the SIGBUS handler (main.c). */
const char *hs_current_file;

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* [snapshot] */
/* Copy the live region: num_entries first (acquire), then every aligned
 * 8-byte word with one atomic load, so that no counter is torn. */
static void snapshot(struct hs_region *r)
{
    hs_current_file = r->where;
    uint32_t entries = __atomic_load_n(
        (const uint32_t *)(const void *)(r->map + PD_P_NUM_ENTRIES),
        __ATOMIC_ACQUIRE);
    const uint64_t *src = (const uint64_t *)(const void *)r->map;
    uint64_t *dst = (uint64_t *)(void *)r->copy;
    for (size_t k = 0; k < r->size / 8; k++)
        dst[k] = __atomic_load_n(&src[k], __ATOMIC_RELAXED);
    hs_current_file = NULL;
    memcpy(r->copy + PD_P_NUM_ENTRIES, &entries, 4);
}
/* [snapshot] */

int hs_region_sample(struct hs_region *r, char *err)
{
    char why[512]; /* pd_parse: one entry and its offset */
    /* A live JVM may have counted an entry it has not written yet. Still
     * all zeros, it ends the list (pd_parse succeeds without it); with its
     * header half written, it fails pd_parse's checks, and a copy taken
     * 10 ms later does not; with its header whole but no value yet, it
     * parses, and the counter reads 0 until the next copy. */
    for (int tries = 0;; tries++) {
        snapshot(r);
        if (pd_parse(r->copy, r->size, &r->info, r->counters, r->max,
                     &r->ncounters, why, sizeof why) == 0)
            return 0;
        if (!r->live || tries == 100) {
            snprintf(err, HS_ERR, "%s: %s", r->where, why);
            return -1;
        }
        sleep_ms(10);
    }
}

int hs_region_open(struct hs_region *r, int fd, const char *where, bool live,
                   long wait_ms, char *err)
{
    memset(r, 0, sizeof *r);
    err[0] = '\0';
    snprintf(r->where, sizeof r->where, "%s", where);
    r->live = live;
    struct stat st;
    int rc = fstat(fd, &st);
    size_t ps = (size_t)sysconf(_SC_PAGESIZE);
    if (rc == -1)
        snprintf(err, HS_ERR, "fstat '%s': %s", where, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        snprintf(err, HS_ERR, "%s: is not a regular file", where);
    else if (st.st_size == 0)
        snprintf(err, HS_ERR, "%s: is empty", where);
    else if (live && (size_t)st.st_size % ps != 0)
        snprintf(err, HS_ERR,
                 "%s: size %lld is not a multiple of the page size (%zu)",
                 where, (long long)st.st_size, ps);
    else if ((size_t)st.st_size % 8 != 0)
        snprintf(err, HS_ERR, "%s: size %lld is not a multiple of 8", where,
                 (long long)st.st_size);
    if (rc == -1 || err[0] != '\0') {
        close(fd);
        return -1;
    }
    r->size = (size_t)st.st_size;
    void *m = mmap(NULL, r->size, PROT_READ, MAP_SHARED, fd, 0);
    int map_errno = errno;
    close(fd);
    if (m == MAP_FAILED) {
        snprintf(err, HS_ERR, "mmap '%s': %s", where, strerror(map_errno));
        return -1;
    }
    r->map = m;
    if (r->size < PD_PROLOGUE_SIZE) {
        snprintf(err, HS_ERR, "%s: %zu bytes is smaller than the prologue",
                 where, r->size);
        hs_region_close(r);
        return -1;
    }
    /* A prologue that is not PerfData's is reported as such, not waited
     * for. */
    char why[512];
    if (pd_parse_prologue(r->map, r->size, &r->info, why, sizeof why) == -1) {
        snprintf(err, HS_ERR, "%s: %s", where, why);
        hs_region_close(r);
        return -1;
    }
    /* The JVM sets `accessible` once its first counters are in place. */
    const unsigned char *flag = r->map + PD_P_ACCESSIBLE;
    for (long waited = 0; __atomic_load_n(flag, __ATOMIC_ACQUIRE) == 0;
         waited += 10) {
        if (!live || waited >= wait_ms) {
            snprintf(err, HS_ERR,
                     "%s: not accessible (the JVM has not finished "
                     "initialising it)",
                     where);
            hs_region_close(r);
            return -1;
        }
        sleep_ms(10);
    }
    r->max = pd_max_counters(r->size);
    r->copy = malloc(r->size);
    r->counters = malloc(r->max * sizeof *r->counters);
    if (r->copy == NULL || r->counters == NULL) {
        snprintf(err, HS_ERR, "malloc: %s", strerror(ENOMEM));
        hs_region_close(r);
        return -1;
    }
    if (hs_region_sample(r, err) == -1) {
        hs_region_close(r);
        return -1;
    }
    return 0;
}

const struct pd_counter *hs_counter(const struct hs_region *r, const char *name)
{
    for (size_t k = 0; k < r->ncounters; k++)
        if (strcmp(r->counters[k].name, name) == 0)
            return &r->counters[k];
    return NULL;
}

void hs_string(const struct hs_region *r, const struct pd_counter *c, char *out,
               size_t len)
{
    const unsigned char *s = r->copy + c->data;
    const unsigned char *nul = memchr(s, '\0', c->vector_length);
    size_t n = nul ? (size_t)(nul - s) : c->vector_length;
    if (n >= len)
        n = len - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

void hs_region_close(struct hs_region *r)
{
    if (r->map != NULL)
        munmap((void *)r->map, r->size);
    free(r->copy);
    free(r->counters);
    memset(r, 0, sizeof *r);
}
