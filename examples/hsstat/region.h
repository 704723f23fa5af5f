/*
 * region.h: one PerfData region, mapped read-only and read through copies.
 *
 * The reading half of chapter 14's perfstat, packaged for a tool that reads
 * many regions (hsstat -l) or one region many times (hsstat -gcutil PID 1s):
 * map the file PROT_READ, MAP_SHARED; wait for `accessible`; copy the region
 * eight bytes at a time (no torn counter); parse the copy with chapter 14's
 * pd_parse(), which checks every offset and length; look counters up by
 * name. A live region that fails to parse is copied again: HotSpot counts an
 * entry before it writes it (chapter 14, "The format" and "The monitor:
 * perfstat").
 */
#ifndef HSSTAT_REGION_H
#define HSSTAT_REGION_H

#include "../../chapters/14-perfdata/perfdata.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define HS_ERR (2 * PATH_MAX + 1024) /* room for one line of reason */

struct hs_region {
    const unsigned char *map; /* the file, PROT_READ, MAP_SHARED */
    size_t size;
    bool live;           /* a running JVM's file: it changes under us */
    unsigned char *copy; /* the last snapshot, parsed */
    struct pd_counter *counters;
    size_t ncounters, max;
    struct pd_info info;
    char where[PATH_MAX]; /* the file's path, for messages */
};

/*
 * Map the open file FD (closed on return) as region R. LIVE: a running
 * JVM's file, whose `accessible` byte is waited for (WAIT_MS at most) and
 * whose failed parses are retried. Returns 0 with a first snapshot taken, or
 * -1 with the reason in ERR (R is then closed).
 */
int hs_region_open(struct hs_region *r, int fd, const char *where, bool live,
                   long wait_ms, char *err);

/* Take a new snapshot and parse it. Returns 0, or -1 with ERR. */
int hs_region_sample(struct hs_region *r, char *err);

/* The counter called NAME in the last snapshot, or NULL. */
const struct pd_counter *hs_counter(const struct hs_region *r,
                                    const char *name);

/* A string counter's bytes up to its NUL, copied into OUT (LEN bytes). */
void hs_string(const struct hs_region *r, const struct pd_counter *c, char *out,
               size_t len);

void hs_region_close(struct hs_region *r);

/* The file being copied right now, or NULL: for a SIGBUS handler, should the
 * file shrink under the mapping. */
extern const char *hs_current_file;

#endif
