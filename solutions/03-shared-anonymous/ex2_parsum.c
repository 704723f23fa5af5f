/*
 * ex2_parsum.c: sum a file of numbers with K processes (solution).
 *
 * The numbers are read into a malloc'ed array before the forks; each child
 * reads its slice from its copy-on-write copy and writes one int64_t into
 * its own slot of a shared anonymous array. See
 * exercises/03-shared-anonymous/ex2_parsum.c for the task.
 */
#include "wb.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_K 100

/* Parse one line as an int64_t; 0 on success. The task's format: an
 * optional '-', digits, then only blanks (spaces, tabs) up to the newline.
 * strtoll() alone would also take leading blanks and a '+', so the first
 * character is checked before it is called. */
static int parse_line(const char *line, int64_t *out)
{
    const char *digits = line[0] == '-' ? line + 1 : line;
    if (!isdigit((unsigned char)*digits))
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(line, &end, 10);
    if (errno != 0)
        return -1;
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end == '\n')
        end++;
    if (*end != '\0')
        return -1;
    *out = v;
    return 0;
}

/* Read every line of PATH; returns the array (free it) and its length. */
static int64_t *read_numbers(const char *path, size_t *count)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        wb_die("open '%s'", path);
    int64_t *nums = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    while ((len = getline(&line, &linecap, f)) != -1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            nums = realloc(nums, cap * sizeof *nums);
            if (nums == NULL)
                wb_die("realloc");
        }
        if (parse_line(line, &nums[n]) != 0) {
            line[strcspn(line, "\n")] = '\0';
            wb_fatal("%s:%zu: not an integer: '%s'", path, n + 1, line);
        }
        n++;
    }
    if (ferror(f))
        wb_die("read '%s'", path);
    free(line);
    fclose(f);
    *count = n;
    return nums;
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] K FILE");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 2)
        wb_usage("expected K and FILE");
    long k = wb_long_arg(argv[i], "K", 1, MAX_K);
    const char *path = argv[i + 1];

    size_t n;
    int64_t *nums = read_numbers(path, &n);

    size_t len = (size_t)k * sizeof(int64_t);
    int64_t *slots = mmap(NULL, len, PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (slots == MAP_FAILED)
        wb_die("mmap");

    pid_t pids[MAX_K];
    fflush(stdout);
    for (long c = 0; c < k; c++) {
        pids[c] = fork();
        if (pids[c] == -1)
            wb_die("fork");
        if (pids[c] == 0) {
            size_t from = (size_t)((uint64_t)c * n / (uint64_t)k);
            size_t to = (size_t)((uint64_t)(c + 1) * n / (uint64_t)k);
            int64_t sum = 0;
            for (size_t j = from; j < to; j++)
                sum += nums[j];
            slots[c] = sum; /* one store into this child's own slot */
            free(nums);     /* the child's copy: Valgrind checks it too */
            _exit(0);
        }
    }

    int failed = 0;
    for (long c = 0; c < k; c++) {
        int status;
        if (waitpid(pids[c], &status, 0) == -1)
            wb_die("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fflush(stdout);
            fprintf(stderr, "ex2_parsum: child %ld failed (wait status 0x%x)\n",
                    c, (unsigned)status);
            failed = 1;
        }
    }
    if (failed)
        exit(1);

    int64_t total = 0;
    for (long c = 0; c < k; c++) {
        size_t from = (size_t)((uint64_t)c * n / (uint64_t)k);
        size_t to = (size_t)((uint64_t)(c + 1) * n / (uint64_t)k);
        printf("child %ld: %zu numbers, partial %" PRId64 "\n", c, to - from,
               slots[c]);
        total += slots[c];
    }
    printf("sum: %" PRId64 "\n", total);

    free(nums);
    if (munmap(slots, len) == -1)
        wb_die("munmap");
    return 0;
}
