/*
 * vmflags.h: the VmFlags line of /proc/self/smaps for the VMA holding an
 * address, and whether it has one two-letter flag.
 *
 * /proc/self/maps shows a VMA's protection, not its other flags: a sealed
 * VMA (mseal, "sl"), a droppable one ("dp"), one that may hold guard
 * markers ("gu") read exactly like their plain neighbours there. smaps has
 * them all, on the VmFlags line of each VMA (proc(5)).
 */
#ifndef VMFLAGS_H
#define VMFLAGS_H

#include "wb.h"

#include <stdio.h>
#include <string.h>

/* Copy the flags of the VMA holding ADDR ("rd wr mr mw me ac sl") into BUF.
 * Returns 0, or -1 when no VMA holds it or smaps cannot be read. */
static inline int vm_flags(const void *addr, char *buf, size_t n)
{
    FILE *f = fopen("/proc/self/smaps", "re");
    if (f == NULL)
        return -1;
    char line[512];
    int in = 0, found = -1;
    unsigned long a = (unsigned long)addr;
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long start, end;
        char dash;
        if (sscanf(line, "%lx%c%lx ", &start, &dash, &end) == 3 &&
            dash == '-') {
            in = a >= start && a < end;
            continue;
        }
        if (in && strncmp(line, "VmFlags:", 8) == 0) {
            const char *v = line + 8;
            v += strspn(v, " ");
            snprintf(buf, n, "%s", v);
            buf[strcspn(buf, "\n")] = '\0';
            size_t len = strlen(buf);
            while (len > 0 && buf[len - 1] == ' ')
                buf[--len] = '\0';
            found = 0;
            break;
        }
    }
    fclose(f);
    return found;
}

/* Has the VMA holding ADDR the two-letter flag FLAG? */
static inline bool vm_has_flag(const void *addr, const char *flag)
{
    char buf[256];
    if (vm_flags(addr, buf, sizeof buf) == -1)
        return false;
    for (char *tok = strtok(buf, " "); tok != NULL; tok = strtok(NULL, " "))
        if (strcmp(tok, flag) == 0)
            return true;
    return false;
}

#endif
