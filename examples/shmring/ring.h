/*
 * ring.h: shmring's ring, one producer and one consumer in two processes.
 *
 * The shared object is one memfd: a header page, then a data area of SIZE
 * bytes (a power of two, at least a page), mapped twice back to back after
 * the header (chapter 08's magic ring), so that every record is contiguous
 * in memory wherever it starts:
 *
 *   reservation  +0          header page     memfd offset 0      } one
 *                +PAGE       data, view 1    memfd offset PAGE   } mapping
 *                +PAGE+SIZE  data, view 2    memfd offset PAGE again
 *
 * A record is an 8-byte header (the payload's length; RING_END marks the
 * end of the stream) and the payload, padded to a multiple of 8. The
 * producer's `head` and the consumer's `tail` count bytes since the start
 * and never wrap (2^64 bytes); a record starts at offset head % SIZE.
 *
 * Waiting: spin for a while, then sleep in poll(2) on an eventfd and on the
 * socket to the other process, which reports the other process's death
 * (its end closes). See README.md for the protocol and its argument.
 */
#ifndef SHMRING_RING_H
#define SHMRING_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RING_MAGIC   "SHMRING1"  /* 8 bytes, the header's first field */
#define RING_HDR     8u          /* bytes of a record's header */
#define RING_END     0xffffffffu /* a record length: the end of the stream */
#define RING_MIN_LOG 12          /* smallest ring: 4 KiB (one page here) */
#define RING_MAX_LOG 30          /* largest ring: 1 GiB */
/* The longest spin before sleeping. */
#define RING_SPIN_NS 20000

/* When to spin before sleeping. RING_SPIN_AUTO (the default) spins only
 * when it can pay: more than one CPU, the other process last seen on
 * another CPU than ours, and no more runnable tasks than CPUs in
 * /proc/loadavg (read at most every 10 ms). The others are for measuring. */
enum ring_spin { RING_SPIN_AUTO, RING_SPIN_NEVER, RING_SPIN_ALWAYS };

/* The header page, shared. Each index sits on a cache line of its own with
 * the word that its writer reads after every store to it, so that the
 * common path touches the other process's line only to read its index.
 * A sleeper stores in its "wants" word the value of the other's index that
 * should wake it (0: not sleeping), so nobody is woken for too little. */
struct ring_shared {
    char magic[8];
    uint64_t size; /* bytes in the data area, set before the memfd is sent */
    /* the producer's line: head written by it; cons_wants by the consumer
     * as it goes to sleep, cleared by the producer */
    _Alignas(64) _Atomic uint64_t head; /* bytes published */
    _Atomic uint64_t cons_wants;        /* the consumer sleeps until head >= */
    _Atomic int32_t prod_cpu;           /* the producer's CPU when last seen */
    /* the consumer's line: tail written by it; prod_wants by the producer
     * as it goes to sleep, cleared by the consumer */
    _Alignas(64) _Atomic uint64_t tail; /* bytes consumed */
    _Atomic uint64_t prod_wants;        /* the producer sleeps until tail >= */
    _Atomic int32_t cons_cpu;           /* the consumer's CPU when last seen */
};

/* One process's handle on the ring (its own memory, not shared). */
struct ring {
    struct ring_shared *sh;
    unsigned char *data; /* view 1; view 2 starts at data + size */
    void *base;          /* the reservation: a page, then 2 * size bytes */
    size_t map_len;
    uint64_t size;
    uint64_t pos;   /* the producer's head, or the consumer's tail */
    uint64_t other; /* the last value read of the other side's index */
    uint64_t cur;   /* consumer: bytes of the record ring_next returned */
    int memfd;
    int efd_data;  /* producer -> consumer: there is data */
    int efd_space; /* consumer -> producer: there is space */
    int peer;      /* socket whose hang-up means the other side died, or -1 */
    enum ring_spin spin; /* whether to spin before sleeping */
    long ncpu;           /* CPUs online */
    int loadavg;         /* /proc/loadavg, or -1 */
    bool cpus_free;      /* no more runnable tasks than CPUs, at load_ns */
    long load_ns;
    bool peer_gone;
    uint64_t sleeps; /* times this side slept in poll(2) */
    char err[192];   /* "step: cause" after a failure */
};

/* Create a ring of SIZE bytes: memfd, size seals, eventfds, the mapping.
 * Returns 0, or -1 with r->err set. */
int ring_create(struct ring *r, uint64_t size);

/* Map a ring received from its creator (the three descriptors become the
 * ring's). Checks the seals, that the other two are eventfds, and the
 * header first. 0, or -1 and r->err. */
int ring_attach(struct ring *r, int memfd, int efd_data, int efd_space);

/* Unmap the ring and close its descriptors (not the peer socket). */
void ring_destroy(struct ring *r);

/* The largest payload a record can carry: SIZE - RING_HDR. */
uint64_t ring_max_payload(const struct ring *r);

/* Producer. ring_reserve waits until a record of N payload bytes fits and
 * returns where its payload goes (contiguous, thanks to the second view);
 * ring_publish makes it visible. NULL or -1 on failure (r->err; peer_gone
 * when the consumer died). */
void *ring_reserve(struct ring *r, uint64_t n);
int ring_publish(struct ring *r, uint64_t n);
int ring_send(struct ring *r, const void *p, uint64_t n);
/* The end-of-stream record. */
int ring_finish(struct ring *r);
/* After ring_finish: -1 (r->err, peer_gone) when the consumer is gone and
 * did not read everything; 0 otherwise. Does not wait. */
int ring_check_peer(struct ring *r);

/* Consumer. ring_next waits for a record: 1 and its payload in *p, *n (in
 * the ring: valid until ring_done); 0 at the end of the stream; -1 on
 * failure (r->err; peer_gone when the producer died before the end). */
int ring_next(struct ring *r, const unsigned char **p, uint64_t *n);
int ring_done(struct ring *r);

#endif
