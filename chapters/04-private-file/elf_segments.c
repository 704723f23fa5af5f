/*
 * elf_segments.c: the loader maps an ELF's PT_LOAD segments as private file mappings.
 *
 * Reads the program headers of this program (/proc/self/exe) and of the C
 * library with <elf.h>, prints each PT_LOAD segment (file offset, virtual
 * address, sizes, R/W/X flags) and the pages it needs once rounded to page
 * boundaries, then finds the object's own lines in /proc/self/maps and
 * matches each one to the segment it came from: r-xp for code, r--p for
 * read-only data, rw-p for data, r--p again for the part of the data that
 * GNU_RELRO makes read-only after relocation, and an anonymous rw-p line for
 * a .bss that runs past the last page of the file. All are 'p': MAP_PRIVATE,
 * so relocations and writes to data never reach the file. For each object it
 * also says what the headers imply for the page-sized mappings, computed from
 * them: which neighbouring segments share a page of the file (mapped twice),
 * and how much .bss lies in the last file page and past it. Last, it tries to
 * open its own executable for writing (ETXTBSY).
 *
 * Usage: elf_segments [-h]
 * Tour:
 * Man pages: elf(5), ld.so(8), readelf(1), proc(5), mmap(2), dladdr(3)
 */
#include "wb.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gnu/libc-version.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_LOAD 16

struct object {
    char path[PATH_MAX];       /* as /proc/self/maps names it */
    Elf64_Phdr load[MAX_LOAD]; /* the PT_LOAD headers, in order */
    int nload;
    Elf64_Addr relro_lo, relro_hi; /* GNU_RELRO range, 0..0 if none */
};

static unsigned long down(unsigned long x)
{
    return x / wb_page_size() * wb_page_size();
}
static unsigned long up(unsigned long x)
{
    return down(x + wb_page_size() - 1);
}

static void flags_str(Elf64_Word f, char out[4])
{
    out[0] = (f & PF_R) ? 'R' : '-';
    out[1] = (f & PF_W) ? 'W' : '-';
    out[2] = (f & PF_X) ? 'X' : '-';
    out[3] = '\0';
}

/* What the headers imply, computed from them rather than stated: which
 * neighbouring PT_LOADs round out to a common page of the file (that page is
 * then mapped twice), and how much of a segment's memory lies past its last
 * file page (.bss that must come from anonymous memory). */
static void observe(const struct object *o)
{
    int shared = 0;
    for (int k = 0; k + 1 < o->nload; k++) {
        const Elf64_Phdr *a = &o->load[k], *b = &o->load[k + 1];
        if (a->p_filesz == 0 || b->p_filesz == 0)
            continue;
        unsigned long lo = down(b->p_offset) > down(a->p_offset)
                               ? down(b->p_offset)
                               : down(a->p_offset);
        unsigned long ahi = up(a->p_offset + a->p_filesz),
                      bhi = up(b->p_offset + b->p_filesz);
        unsigned long hi = ahi < bhi ? ahi : bhi;
        if (lo >= hi)
            continue;
        printf("  PT_LOAD %d and %d share file page(s) 0x%06lx..0x%06lx: "
               "mapped twice, at vaddr 0x%06lx and 0x%06lx\n",
               k, k + 1, lo, hi, lo - a->p_offset + a->p_vaddr,
               lo - b->p_offset + b->p_vaddr);
        shared++;
    }
    if (shared == 0)
        printf("  no two PT_LOADs share a page of the file\n");
    for (int k = 0; k < o->nload; k++) {
        const Elf64_Phdr *ph = &o->load[k];
        if (ph->p_memsz <= ph->p_filesz)
            continue;
        unsigned long fend = ph->p_vaddr + ph->p_filesz,
                      mend = ph->p_vaddr + ph->p_memsz;
        printf("  PT_LOAD %d: memsz - filesz = 0x%lx bytes of .bss", k,
               ph->p_memsz - ph->p_filesz);
        if (fend % wb_page_size() != 0)
            printf("; 0x%06lx..0x%06lx is in the last file page (the loader "
                   "zeroes it)",
                   fend, up(fend) < mend ? up(fend) : mend);
        if (up(mend) > up(fend))
            printf("; 0x%06lx..0x%06lx lies past it: %lu anonymous page(s)",
                   up(fend), up(mend),
                   (unsigned long)((up(mend) - up(fend)) / wb_page_size()));
        printf("\n");
    }
}

/* Read the ELF and program headers of `file` into o; print the PT_LOADs. */
static void read_headers(const char *file, const char *name, struct object *o)
{
    int fd = open(file, O_RDONLY);
    if (fd == -1)
        wb_die("open '%s'", file);
    Elf64_Ehdr eh;
    if (pread(fd, &eh, sizeof eh, 0) != (ssize_t)sizeof eh)
        wb_die("read the ELF header of '%s'", file);
    if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
        eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_phentsize != sizeof(Elf64_Phdr))
        wb_fatal("'%s' is not a 64-bit ELF file", file);
    o->nload = 0;
    o->relro_lo = o->relro_hi = 0;
    for (int k = 0; k < eh.e_phnum; k++) {
        Elf64_Phdr ph;
        off_t at = (off_t)(eh.e_phoff + (Elf64_Off)k * sizeof ph);
        if (pread(fd, &ph, sizeof ph, at) != (ssize_t)sizeof ph)
            wb_die("read program header %d of '%s'", k, file);
        if (ph.p_type == PT_LOAD && o->nload < MAX_LOAD)
            o->load[o->nload++] = ph;
        if (ph.p_type == PT_GNU_RELRO) {
            o->relro_lo = ph.p_vaddr;
            o->relro_hi = ph.p_vaddr + ph.p_memsz;
        }
    }
    close(fd);
    if (o->nload == 0)
        wb_fatal("'%s' has no PT_LOAD segment", file);
    printf("== %s: ELF64 %s, %d program headers, %d PT_LOAD\n", name,
           eh.e_type == ET_DYN ? "ET_DYN" : "ET_EXEC", eh.e_phnum, o->nload);
    for (int k = 0; k < o->nload; k++) {
        const Elf64_Phdr *ph = &o->load[k];
        char fl[4];
        flags_str(ph->p_flags, fl);
        printf("  PT_LOAD %d: offset 0x%06lx vaddr 0x%06lx filesz 0x%06lx "
               "memsz 0x%06lx %s\n",
               k, ph->p_offset, ph->p_vaddr, ph->p_filesz, ph->p_memsz, fl);
        printf("             pages: file 0x%06lx..0x%06lx -> vaddr "
               "0x%06lx..0x%06lx\n",
               down(ph->p_offset), up(ph->p_offset + ph->p_filesz),
               down(ph->p_vaddr), up(ph->p_vaddr + ph->p_memsz));
    }
    if (o->relro_hi > o->relro_lo)
        printf(
            "  GNU_RELRO: vaddr 0x%06lx..0x%06lx, read-only after relocation: "
            "pages 0x%06lx..0x%06lx\n",
            o->relro_lo, o->relro_hi, down(o->relro_lo), down(o->relro_hi));
    observe(o);
}

/* Match every maps line inside the object's address span to a PT_LOAD. */
static void match_maps(const struct object *o)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (f == NULL)
        wb_die("open /proc/self/maps");
    char line[4096 + 128];
    unsigned long bias = 0, span_end = 0;
    bool found = false;
    printf("  its lines in /proc/self/maps (addresses minus the load bias):\n");
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi, off;
        char perms[5];
        int pathpos = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %*s %*s %n", &lo, &hi, perms, &off,
                   &pathpos) < 4)
            continue;
        char *path = line + pathpos;
        path[strcspn(path, "\n")] = '\0';
        bool mine = pathpos > 0 && strcmp(path, o->path) == 0;
        if (!found && mine) { /* the lowest line is the first segment */
            found = true;
            bias = lo - down(o->load[0].p_vaddr);
            const Elf64_Phdr *last = &o->load[o->nload - 1];
            span_end = bias + up(last->p_vaddr + last->p_memsz);
        }
        if (!found || lo >= span_end || hi <= bias || (!mine && *path != '\0'))
            continue;
        if (hi > span_end) /* an anonymous neighbour may have merged in */
            hi = span_end;
        unsigned long va = lo - bias, vend = hi - bias;
        int k = 0;
        while (k < o->nload &&
               !(va >= down(o->load[k].p_vaddr) &&
                 va < up(o->load[k].p_vaddr + o->load[k].p_memsz)))
            k++;
        printf("    maps 0x%06lx-0x%06lx %s offset 0x%06lx ", va, vend, perms,
               mine ? off : 0);
        if (k == o->nload) {
            printf("-> no PT_LOAD covers it\n");
            continue;
        }
        /* [match] */
        const Elf64_Phdr *ph = &o->load[k];
        char fl[4], want[5];
        flags_str(ph->p_flags, fl);
        bool relro = va >= down(o->relro_lo) && vend <= down(o->relro_hi);
        /* what the segment asks for; RELRO pages end up read-only */
        want[0] = 'r';
        want[1] = (fl[1] == 'W' && !relro) ? 'w' : '-';
        want[2] = fl[2] == 'X' ? 'x' : '-';
        want[3] = 'p'; /* always private: MAP_PRIVATE */
        want[4] = '\0';
        bool ok =
            strcmp(perms, want) == 0 &&
            (!mine || off == down(ph->p_offset) + (va - down(ph->p_vaddr)));
        /* [match] */
        printf("-> PT_LOAD %d %s%s: %s\n", k, fl,
               !mine   ? " (anonymous: memsz > filesz, the .bss past the file)"
               : relro ? " (GNU_RELRO)"
                       : "",
               ok ? "match" : "MISMATCH");
    }
    fclose(f);
    if (!found)
        wb_fatal("'%s' is not in /proc/self/maps", o->path);
}

int main(int argc, char *argv[])
{
    wb_set_usage("[-h]");
    int i = wb_simple_args(argc, argv);
    if (i != argc)
        wb_usage("no arguments expected");

    static struct object exe, libc;
    ssize_t n = readlink("/proc/self/exe", exe.path, sizeof exe.path - 1);
    if (n == -1)
        wb_die("readlink /proc/self/exe");
    exe.path[n] = '\0';
    read_headers("/proc/self/exe", "the executable", &exe);
    match_maps(&exe);

    /* Which file holds gnu_get_libc_version()? The C library. (Not printf:
     * a sanitizer's run-time library defines its own printf, to check its
     * arguments, and dladdr would name that library instead.) */
    Dl_info info;
    if (dladdr((void *)gnu_get_libc_version, &info) == 0 ||
        info.dli_fname == NULL)
        wb_fatal("dladdr cannot find the file that holds "
                 "gnu_get_libc_version");
    if (realpath(info.dli_fname, libc.path) == NULL)
        wb_die("realpath '%s'", info.dli_fname);
    const char *base = strrchr(libc.path, '/');
    read_headers(libc.path, base ? base + 1 : libc.path, &libc);
    match_maps(&libc);

    int fd = open("/proc/self/exe", O_RDWR);
    if (fd == -1 && errno == ETXTBSY)
        printf("open(/proc/self/exe, O_RDWR): ETXTBSY: the kernel refuses to "
               "write a file that a process is running\n");
    else if (fd == -1)
        printf("open(/proc/self/exe, O_RDWR): %s\n", wb_errname(errno));
    else {
        printf("open(/proc/self/exe, O_RDWR): allowed%s\n",
               wb_on_valgrind()
                   ? " (under Valgrind the kernel ran valgrind, not this file)"
                   : ": this kernel lets the file of a running program be "
                     "opened for writing");
        close(fd);
    }
    return 0;
}
