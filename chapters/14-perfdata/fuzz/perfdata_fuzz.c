/*
 * perfdata_fuzz.c: a libFuzzer target for the PerfData parser in ../perfdata.h.
 *
 * Every input is treated as a whole region, exactly what perfstat hands
 * pd_parse() after copying a mapped file: the parser must reject it with a
 * reason or return counters whose every byte lies inside the buffer, and
 * printing them must read nothing outside it. AddressSanitizer turns any
 * read past the end into a crash the fuzzer reports.
 *
 * This file is not one of the chapter's programs: the Makefile builds the
 * .c files directly in chapters/NN-slug/, not in this subdirectory. Build
 * and run it with
 *   clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -Ichapters/14-perfdata chapters/14-perfdata/fuzz/perfdata_fuzz.c \
 *         -o build/fuzz/perfdata_fuzz
 *   build/fuzz/perfdata_fuzz -max_total_time=60 build/fuzz/corpus
 * A good seed for the corpus: a region saved by `perfvm -s FILE`.
 */
#include "perfdata.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy, as perfstat parses a private copy of the mapping; in
     * an allocation of exactly SIZE bytes, so ASan catches a read past it. */
    unsigned char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    size_t max = pd_max_counters(size), n = 0;
    struct pd_counter *c = malloc(max * sizeof *c);
    struct pd_info info;
    char err[512];
    if (c != NULL &&
        pd_parse(buf, size, &info, c, max, &n, err, sizeof err) == 0) {
        FILE *sink = fopen("/dev/null", "w");
        for (size_t k = 0; k < n && sink != NULL; k++) {
            fprintf(sink, "%s=", c[k].name);
            pd_print_value(sink, buf, &info, &c[k]);
            fputc('\n', sink);
        }
        if (sink != NULL)
            fclose(sink);
    }
    free(c);
    free(buf);
    return 0;
}
