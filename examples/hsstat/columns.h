/*
 * columns.h: jstat's output options (-gcutil, -gc, -class, -compiler) as
 * tables, and the rules jstat prints them by.
 *
 * Each column is what the JDK's own sun/tools/jstat/resources/jstat_options
 * says of it: a header, a formula over counter names, a scale, an
 * alignment, a minimum width and a number format. The formulas are kept in
 * jstat's own notation and evaluated here the way jstat evaluates them: a
 * counter alone keeps its type (a number, or a string), any arithmetic is in
 * double precision, a counter the JVM does not have is NaN (0 in a column
 * marked required), x/0 is NaN, and NaN prints as "-".
 */
#ifndef HSSTAT_COLUMNS_H
#define HSSTAT_COLUMNS_H

#include "region.h"

#include <stdbool.h>
#include <stdio.h>

enum hs_align { HS_CENTER, HS_LEFT, HS_RIGHT };

struct hs_column {
    const char *header; /* ^H^ centred, ^H left, H^ right, as in jstat */
    const char *data;   /* the formula */
    double scale;       /* the value is divided by it: 1, or 1024 for K */
    enum hs_align align;
    int width;          /* the minimum width */
    const char *format; /* "0", "0.0", "0.00" or "0.000" */
    bool required;      /* a missing counter counts as 0, not NaN */
};

#define HS_MAX_COLUMNS 24

struct hs_option {
    const char *name; /* without the dash: "gcutil" */
    const struct hs_column *columns;
    int ncolumns;
};

/* The option called NAME, or NULL. */
const struct hs_option *hs_option(const char *name);

/* The options' names, for the usage line: "-class|-compiler|...". */
extern const char hs_option_names[];

/* Print the header line of option O, and set each column's width (as
 * jstat does, the header may widen a column). */
void hs_print_header(FILE *f, const struct hs_option *o,
                     int widths[HS_MAX_COLUMNS]);

/* Print one row of option O from region R's last snapshot. */
void hs_print_row(FILE *f, const struct hs_option *o,
                  const int widths[HS_MAX_COLUMNS], const struct hs_region *r);

#endif
