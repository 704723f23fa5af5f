/*
 * count.h: the counting loops of mmwc, over one buffer at a time.
 *
 * Three sets of the same loops: AVX2 and SSE2 with intrinsics (x86-64
 * only, chosen at run time with __builtin_cpu_supports), and a portable
 * one in plain C that any compiler and CPU run. They give the same counts;
 * the tests force each in turn (MMWC_SIMD, main.c) and compare.
 */
#ifndef MMWC_COUNT_H
#define MMWC_COUNT_H

#include <stdbool.h>
#include <stddef.h>

/* The loops a run can use, best first. */
enum mmwc_simd { MMWC_AVX2, MMWC_SSE2, MMWC_PORTABLE };

/* The best loops this CPU runs. */
enum mmwc_simd mmwc_simd_best(void);
/* Whether this CPU runs @p s. */
bool mmwc_simd_usable(enum mmwc_simd s);
/* "avx2", "sse2", "portable". */
const char *mmwc_simd_name(enum mmwc_simd s);
/* Use @p s from now on (it must be usable). */
void mmwc_simd_use(enum mmwc_simd s);
/* The loops in use (portable until mmwc_simd_use). */
enum mmwc_simd mmwc_simd_current(void);

/* The bytes equal to @p c in [p, p + n): for '\n', wc -l's count. */
size_t mmwc_count_byte(const unsigned char *p, size_t n, unsigned char c);

/*
 * A search for the lines that contain a fixed string (grep -c -F): the
 * string, and the state carried from one buffer to the next when a file
 * comes in pieces (read(2)). A line is what ends in '\n', and a last line
 * without one counts too, as in grep.
 */
struct mmwc_grep {
    const unsigned char *pat; /* the string: no '\n'; may be empty */
    size_t len;               /* its length */
    bool in_match;            /* the current line already matched */
    bool in_line;             /* bytes seen since the last '\n' */
};

/*
 * The lines of [p, p + n) that contain the string and were not counted
 * yet, with @p g's state. A match cannot cross a '\n', so a piece ends at
 * a line boundary or at a point the caller re-reads from: the caller of a
 * stream passes pieces that overlap by g->len - 1 bytes, or less where a
 * '\n' lies in between (mmwc_grep_keep says how many).
 */
size_t mmwc_grep_count(struct mmwc_grep *g, const unsigned char *p, size_t n);

/*
 * After mmwc_grep_count of [p, p + n): how many bytes at the end of the
 * piece the next piece must start with, so that a match across the seam
 * is seen (0 when the current line already matched or ended).
 */
size_t mmwc_grep_keep(const struct mmwc_grep *g, const unsigned char *p,
                      size_t n);

/* At the end of the input: 1 when an unterminated last line was matched
 * by the empty string, else 0 (grep counts such a line). */
size_t mmwc_grep_finish(const struct mmwc_grep *g);

#endif
