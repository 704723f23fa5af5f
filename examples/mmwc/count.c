/*
 * count.c: the counting loops of mmwc (see count.h).
 *
 * Counting one byte value: compare a vector of bytes with it, which gives
 * 0xff (that is, -1) in each lane that matched, and subtract that from a
 * vector of byte counters. A byte counter overflows after 255 rounds, so
 * every 255 rounds (or fewer) the counters are summed with PSADBW, which
 * adds groups of eight bytes into 64-bit lanes. No branch depends on the
 * data, and the loop runs at the speed of the loads.
 *
 * Finding a fixed string: compare a vector with the string's first byte
 * and the vector len - 1 bytes further on with its last byte (W. Mula,
 * "SIMD-friendly algorithms for substring searching"); only where both
 * match is memcmp asked about the rest.
 */
#include "count.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define MMWC_X86 1
#else
#define MMWC_X86 0
#endif

/* ---- counting a byte --------------------------------------------------- */

/* [portable] */
/*
 * Plain C. Each of the 32 lanes of acc counts the matches at its position
 * in 32-byte blocks; acc[k] stays below 256 because a round of at most
 * 255 blocks is summed before the next starts. GCC and Clang turn the
 * inner loop into vector compares and subtracts for whatever the target
 * has (SSE2 here, NEON on arm64); a compiler that does not still gets a
 * correct byte loop.
 */
static size_t count_byte_portable(const unsigned char *p, size_t n,
                                  unsigned char c)
{
    size_t total = 0;
    while (n >= 32) {
        size_t blocks = n / 32 < 255 ? n / 32 : 255;
        unsigned char acc[32] = {0};
        /* cppcheck-suppress knownConditionTrueFalse ; blocks >= 1 */
        for (size_t b = 0; b < blocks; b++, p += 32)
            for (int k = 0; k < 32; k++)
                acc[k] += p[k] == c;
        for (int k = 0; k < 32; k++)
            total += acc[k];
        n -= blocks * 32;
    }
    for (size_t i = 0; i < n; i++)
        total += p[i] == c;
    return total;
}
/* [portable] */

#if MMWC_X86
/* SSE2 is part of x86-64: every x86-64 CPU runs this. Four counters, one
 * compare each per round of 64 bytes, so 255 rounds at most. */
static size_t count_byte_sse2(const unsigned char *p, size_t n, unsigned char c)
{
    const __m128i needle = _mm_set1_epi8((char)c);
    const __m128i zero = _mm_setzero_si128();
    __m128i sum = zero; /* two 64-bit lanes */
    while (n >= 64) {
        size_t rounds = n / 64 < 255 ? n / 64 : 255;
        __m128i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        for (size_t r = 0; r < rounds; r++, p += 64) {
            const __m128i *v = (const __m128i *)p;
            a0 = _mm_sub_epi8(a0, _mm_cmpeq_epi8(_mm_loadu_si128(v), needle));
            a1 = _mm_sub_epi8(a1,
                              _mm_cmpeq_epi8(_mm_loadu_si128(v + 1), needle));
            a2 = _mm_sub_epi8(a2,
                              _mm_cmpeq_epi8(_mm_loadu_si128(v + 2), needle));
            a3 = _mm_sub_epi8(a3,
                              _mm_cmpeq_epi8(_mm_loadu_si128(v + 3), needle));
        }
        sum = _mm_add_epi64(sum, _mm_sad_epu8(a0, zero));
        sum = _mm_add_epi64(sum, _mm_sad_epu8(a1, zero));
        sum = _mm_add_epi64(sum, _mm_sad_epu8(a2, zero));
        sum = _mm_add_epi64(sum, _mm_sad_epu8(a3, zero));
        n -= rounds * 64;
    }
    size_t total = (size_t)_mm_cvtsi128_si64(sum) +
                   (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum));
    return total + count_byte_portable(p, n, c);
}

/* [avx2] */
/* The same with 32-byte vectors, 128 bytes a round. */
__attribute__((target("avx2"))) static size_t
count_byte_avx2(const unsigned char *p, size_t n, unsigned char c)
{
    const __m256i needle = _mm256_set1_epi8((char)c);
    const __m256i zero = _mm256_setzero_si256();
    __m256i sum = zero; /* four 64-bit lanes */
    while (n >= 128) {
        size_t rounds = n / 128 < 255 ? n / 128 : 255;
        __m256i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        for (size_t r = 0; r < rounds; r++, p += 128) {
            const __m256i *v = (const __m256i *)p;
            a0 = _mm256_sub_epi8(
                a0, _mm256_cmpeq_epi8(_mm256_loadu_si256(v), needle));
            a1 = _mm256_sub_epi8(
                a1, _mm256_cmpeq_epi8(_mm256_loadu_si256(v + 1), needle));
            a2 = _mm256_sub_epi8(
                a2, _mm256_cmpeq_epi8(_mm256_loadu_si256(v + 2), needle));
            a3 = _mm256_sub_epi8(
                a3, _mm256_cmpeq_epi8(_mm256_loadu_si256(v + 3), needle));
        }
        sum = _mm256_add_epi64(sum, _mm256_sad_epu8(a0, zero));
        sum = _mm256_add_epi64(sum, _mm256_sad_epu8(a1, zero));
        sum = _mm256_add_epi64(sum, _mm256_sad_epu8(a2, zero));
        sum = _mm256_add_epi64(sum, _mm256_sad_epu8(a3, zero));
        n -= rounds * 128;
    }
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(sum),
                              _mm256_extracti128_si256(sum, 1));
    size_t total = (size_t)_mm_cvtsi128_si64(s) +
                   (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s));
    return total + count_byte_portable(p, n, c);
}
/* [avx2] */
#endif

/* ---- finding a fixed string -------------------------------------------- */

/*
 * The first occurrence of pat (len >= 1) in [p, p + n), or NULL. The
 * portable search asks memchr(3) for the first byte and memcmp(3) for the
 * rest: both are the C library's, vectorised there where the CPU allows.
 */
static const unsigned char *find_portable(const unsigned char *p, size_t n,
                                          const unsigned char *pat, size_t len)
{
    const unsigned char *end = p + n;
    while ((size_t)(end - p) >= len) {
        p = memchr(p, pat[0], (size_t)(end - p) - (len - 1));
        if (p == NULL)
            return NULL;
        if (memcmp(p + 1, pat + 1, len - 1) == 0)
            return p;
        p++;
    }
    return NULL;
}

#if MMWC_X86
/* Candidates in a mask of 16 (SSE2) or 32 (AVX2) positions from p: check
 * each with memcmp, lowest first. */
static const unsigned char *verify(const unsigned char *p, unsigned mask,
                                   const unsigned char *pat, size_t len)
{
    while (mask != 0) {
        unsigned k = (unsigned)__builtin_ctz(mask);
        if (len <= 2 || memcmp(p + k + 1, pat + 1, len - 2) == 0)
            return p + k;
        mask &= mask - 1;
    }
    return NULL;
}

static const unsigned char *find_sse2(const unsigned char *p, size_t n,
                                      const unsigned char *pat, size_t len)
{
    const __m128i first = _mm_set1_epi8((char)pat[0]);
    const __m128i last = _mm_set1_epi8((char)pat[len - 1]);
    const unsigned char *start = p;
    /* Each round reads [p, p + 16 + len - 1). */
    while ((size_t)(p - start) + 16 + len - 1 <= n) {
        __m128i a = _mm_loadu_si128((const __m128i *)p);
        __m128i b = _mm_loadu_si128((const __m128i *)(p + len - 1));
        unsigned mask = (unsigned)_mm_movemask_epi8(
            _mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last)));
        if (mask != 0) {
            const unsigned char *hit = verify(p, mask, pat, len);
            if (hit != NULL)
                return hit;
        }
        p += 16;
    }
    return find_portable(p, n - (size_t)(p - start), pat, len);
}

/* [find_avx2] */
__attribute__((target("avx2"))) static const unsigned char *
find_avx2(const unsigned char *p, size_t n, const unsigned char *pat,
          size_t len)
{
    const __m256i first = _mm256_set1_epi8((char)pat[0]);
    const __m256i last = _mm256_set1_epi8((char)pat[len - 1]);
    const unsigned char *start = p;
    /* Each round reads [p, p + 64 + len - 1): two vectors of candidates. */
    while ((size_t)(p - start) + 64 + len - 1 <= n) {
        const __m256i *v = (const __m256i *)p;
        const __m256i *w = (const __m256i *)(p + len - 1);
        __m256i m0 =
            _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_loadu_si256(v), first),
                             _mm256_cmpeq_epi8(_mm256_loadu_si256(w), last));
        __m256i m1 = _mm256_and_si256(
            _mm256_cmpeq_epi8(_mm256_loadu_si256(v + 1), first),
            _mm256_cmpeq_epi8(_mm256_loadu_si256(w + 1), last));
        if (!_mm256_testz_si256(_mm256_or_si256(m0, m1),
                                _mm256_or_si256(m0, m1))) {
            const unsigned char *hit =
                verify(p, (unsigned)_mm256_movemask_epi8(m0), pat, len);
            if (hit == NULL)
                hit = verify(p + 32, (unsigned)_mm256_movemask_epi8(m1), pat,
                             len);
            if (hit != NULL)
                return hit;
        }
        p += 64;
    }
    return find_portable(p, n - (size_t)(p - start), pat, len);
}
/* [find_avx2] */
#endif

/* ---- choosing the loops ------------------------------------------------ */

typedef size_t count_fn(const unsigned char *, size_t, unsigned char);
typedef const unsigned char *find_fn(const unsigned char *, size_t,
                                     const unsigned char *, size_t);

static count_fn *count_byte = count_byte_portable;
static find_fn *find = find_portable;
static enum mmwc_simd current = MMWC_PORTABLE;

enum mmwc_simd mmwc_simd_current(void)
{
    return current;
}

bool mmwc_simd_usable(enum mmwc_simd s)
{
    switch (s) {
#if MMWC_X86
    case MMWC_AVX2: return __builtin_cpu_supports("avx2");
    case MMWC_SSE2: return true;
#else
    case MMWC_AVX2:
    case MMWC_SSE2: return false;
#endif
    case MMWC_PORTABLE: return true;
    }
    return false;
}

enum mmwc_simd mmwc_simd_best(void)
{
    if (mmwc_simd_usable(MMWC_AVX2))
        return MMWC_AVX2;
    if (mmwc_simd_usable(MMWC_SSE2))
        return MMWC_SSE2;
    return MMWC_PORTABLE;
}

const char *mmwc_simd_name(enum mmwc_simd s)
{
    switch (s) {
    case MMWC_AVX2: return "avx2";
    case MMWC_SSE2: return "sse2";
    case MMWC_PORTABLE: return "portable";
    }
    return "?";
}

void mmwc_simd_use(enum mmwc_simd s)
{
    current = s;
    switch (s) {
#if MMWC_X86
    case MMWC_AVX2:
        count_byte = count_byte_avx2;
        find = find_avx2;
        return;
    case MMWC_SSE2:
        count_byte = count_byte_sse2;
        find = find_sse2;
        return;
#else
    case MMWC_AVX2:
    case MMWC_SSE2:
#endif
    case MMWC_PORTABLE:
        count_byte = count_byte_portable;
        find = find_portable;
        return;
    }
}

size_t mmwc_count_byte(const unsigned char *p, size_t n, unsigned char c)
{
    return count_byte(p, n, c);
}

/* ---- lines that contain the string ------------------------------------- */

/* [grep] */
size_t mmwc_grep_count(struct mmwc_grep *g, const unsigned char *p, size_t n)
{
    if (n == 0)
        return 0;
    g->in_line = p[n - 1] != '\n';
    if (g->len == 0) /* every line matches: count the line ends */
        return count_byte(p, n, '\n');
    const unsigned char *end = p + n;
    size_t lines = 0;
    for (;;) {
        if (g->in_match) { /* counted already: skip to the next line */
            const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
            if (nl == NULL)
                return lines;
            p = nl + 1;
            g->in_match = false;
        }
        const unsigned char *hit = find(p, (size_t)(end - p), g->pat, g->len);
        if (hit == NULL)
            return lines;
        lines++;
        g->in_match = true;
        p = hit + g->len;
    }
}
/* [grep] */

size_t mmwc_grep_keep(const struct mmwc_grep *g, const unsigned char *p,
                      size_t n)
{
    if (g->in_match || g->len <= 1)
        return 0;
    size_t keep = n < g->len - 1 ? n : g->len - 1;
    const unsigned char *nl = memrchr(p + n - keep, '\n', keep);
    return nl == NULL ? keep : (size_t)(p + n - (nl + 1));
}

size_t mmwc_grep_finish(const struct mmwc_grep *g)
{
    return g->len == 0 && g->in_line ? 1 : 0;
}
