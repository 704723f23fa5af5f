/*
 * struct_file.c: a C struct laid over a file and updated in place.
 *
 * FILE holds a 16-byte header and an array of four 32-byte records. The
 * first run creates it: it gives the empty file its size with
 * posix_fallocate(3) (writing to a mapping never makes a file longer), maps
 * it MAP_SHARED and fills the header and the records by plain assignment.
 * Every run, the first one included, then updates each record in place
 * through the same struct pointer (visits += 1, total += 10 * id) and unmaps.
 * No write(2), no lseek(2), no buffer: the stores are the file update.
 *
 * To show that the file really changed, the program then opens it again and
 * reads it with read(2), record by record, into ordinary variables. `od` on
 * the file (see the README) shows the same bytes.
 *
 * Layout (native byte order, no padding; checked at compile time):
 *   header: char magic[8] = "STRUCT05", uint32 version = 1, uint32 count = 4
 *   record: uint32 id, uint32 visits, int64 total, char name[16]
 *
 * Usage: struct_file [-h] FILE
 * Tour: records.dat
 * Tour: records.dat
 * Man pages: mmap(2), posix_fallocate(3), ftruncate(2), read(2), msync(2)
 */
#include "wb.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NREC 4

/* [layout] */
struct header {
    char magic[8];
    uint32_t version;
    uint32_t count;
};

struct rec {
    uint32_t id;
    uint32_t visits;
    int64_t total;
    char name[16];
};

struct layout {
    struct header h;
    struct rec r[NREC];
};

/* The file format is these bytes: make the compiler prove it. */
_Static_assert(sizeof(struct header) == 16, "header is 16 bytes");
_Static_assert(sizeof(struct rec) == 32, "record is 32 bytes");
_Static_assert(offsetof(struct rec, total) == 8, "total at offset 8");
_Static_assert(sizeof(struct layout) == 16 + NREC * 32, "no padding");
/* [layout] */

static const char magic[8] = {'S', 'T', 'R', 'U', 'C', 'T', '0', '5'};
static const char *const names[NREC] = {"alpha", "bravo", "charlie", "delta"};

/* Read exactly len bytes with read(2), or die. */
static void read_exact(int fd, void *buf, size_t len, const char *path)
{
    ssize_t n = read(fd, buf, len);
    if (n == -1)
        wb_die("read '%s'", path);
    if ((size_t)n != len)
        wb_fatal("read '%s': short read (%zd of %zu bytes)", path, n, len);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h] FILE");
    int i = wb_simple_args(argc, argv);
    if (argc - i != 1)
        wb_usage("expected one FILE");
    const char *path = argv[i];
    const size_t size = sizeof(struct layout);

    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd == -1)
        wb_die("open '%s'", path);
    struct stat st;
    if (fstat(fd, &st) == -1)
        wb_die("fstat '%s'", path);
    bool fresh = st.st_size == 0;
    if (fresh) {
        /* Returns an error number; it does not set errno. */
        int err = posix_fallocate(fd, 0, (off_t)size);
        if (err != 0)
            wb_fatal("posix_fallocate '%s': %s", path, strerror(err));
        printf("new file '%s': 0 bytes; posix_fallocate made it %zu bytes\n",
               path, size);
    } else if ((size_t)st.st_size != size) {
        wb_fatal("'%s' is %lld bytes, not a struct_file file (%zu bytes)", path,
                 (long long)st.st_size, size);
    }
    printf("layout: header %zu bytes, %d records of %zu bytes "
           "(id@%zu visits@%zu total@%zu name@%zu)\n",
           sizeof(struct header), NREC, sizeof(struct rec),
           offsetof(struct rec, id), offsetof(struct rec, visits),
           offsetof(struct rec, total), offsetof(struct rec, name));

    struct layout *f =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (f == MAP_FAILED)
        wb_die("mmap '%s'", path);
    close(fd); /* the mapping keeps the file open */

    if (fresh) {
        memcpy(f->h.magic, magic, sizeof magic);
        f->h.version = 1;
        f->h.count = NREC;
        for (uint32_t k = 0; k < NREC; k++) {
            f->r[k].id = k + 1;
            snprintf(f->r[k].name, sizeof f->r[k].name, "%s", names[k]);
        }
        printf("filled the header and %d records through the mapping\n", NREC);
    } else if (memcmp(f->h.magic, magic, sizeof magic) != 0 ||
               f->h.version != 1 || f->h.count != NREC) {
        wb_fatal("'%s' has no STRUCT05 version 1 header", path);
    } else {
        printf("found an existing file with %u records\n", f->h.count);
    }

    for (int k = 0; k < NREC; k++) {
        f->r[k].visits += 1;
        f->r[k].total += 10 * (int64_t)f->r[k].id;
    }
    printf("updated every record in place: visits += 1, total += 10 * id\n");
    if (munmap(f, size) == -1)
        wb_die("munmap");

    /* A second, independent look at the file: read(2), no mapping. */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        wb_die("open '%s' again", path);
    struct header h;
    read_exact(fd, &h, sizeof h, path);
    printf("read(2) back: magic \"%.8s\" version %u count %u\n", h.magic,
           h.version, h.count);
    for (uint32_t k = 0; k < h.count && k < NREC; k++) {
        struct rec r;
        size_t at = sizeof h + k * sizeof r;
        read_exact(fd, &r, sizeof r, path);
        printf("  offset %3zu: id %u  visits %u  total %3lld  name \"%.16s\"\n",
               at, r.id, r.visits, (long long)r.total, r.name);
    }
    close(fd);
    return 0;
}
