/*
 * columns.c: jstat's -class, -compiler, -gc and -gcutil, column by column.
 *
 * The tables transcribe the facts of JDK 17's jstat_options (headers,
 * formulas, scales, widths, formats); the code that prints them follows the
 * rules jstat applies (see columns.h), so that the same counters give the
 * same characters.
 */
#include "columns.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define K 1024.0

/* [tables] */
static const struct hs_column class_columns[] = {
    {"^Loaded^", "(java.cls.loadedClasses + java.cls.sharedLoadedClasses)", 1,
     HS_RIGHT, 5, "0", false},
    {"^Bytes^", "(sun.cls.loadedBytes + sun.cls.sharedLoadedBytes)", K,
     HS_RIGHT, 7, "0.0", false},
    {"^Unloaded^",
     "(java.cls.unloadedClasses + java.cls.sharedUnloadedClasses)", 1, HS_RIGHT,
     5, "0", false},
    {"^Bytes^", "(sun.cls.unloadedBytes + sun.cls.sharedUnloadedBytes)", K,
     HS_RIGHT, 7, "0.0", false},
    {"^Time^", "sun.cls.time/sun.os.hrt.frequency", 1, HS_RIGHT, 10, "0.00",
     false},
};

static const struct hs_column compiler_columns[] = {
    {"^Compiled^", "sun.ci.totalCompiles", 1, HS_RIGHT, 6, "0", false},
    {"^Failed^", "sun.ci.totalBailouts", 1, HS_RIGHT, 6, "0", false},
    {"^Invalid^", "sun.ci.totalInvalidates", 1, HS_RIGHT, 6, "0", false},
    {"^Time^", "java.ci.totalTime/sun.os.hrt.frequency", 1, HS_RIGHT, 8, "0.00",
     false},
    {"^FailedType^", "sun.ci.lastFailedType", 1, HS_RIGHT, 4, "0", false},
    {"^FailedMethod", "sun.ci.lastFailedMethod", 1, HS_LEFT, 1, "0", false},
};

/* The generations, spaces and collectors jstat's GC options read. */
#define S0              "sun.gc.generation.0.space.1."
#define S1              "sun.gc.generation.0.space.2."
#define EDEN            "sun.gc.generation.0.space.0."
#define OLD             "sun.gc.generation.1.space.0."
#define META            "sun.gc.metaspace."
#define CCS             "sun.gc.compressedclassspace."
#define GC0             "sun.gc.collector.0."
#define GC1             "sun.gc.collector.1."
#define GC2             "sun.gc.collector.2."
#define FREQ            "sun.os.hrt.frequency"
#define PERCENT_USED(s) "(1-((" s "capacity - " s "used)/" s "capacity)) * 100"

/* The collections and their times: the last seven columns of -gc and
 * -gcutil. */
#define GC_COUNTS                                                              \
    {"^YGC^", GC0 "invocations", 1, HS_RIGHT, 6, "0", false},                  \
        {"^YGCT^", GC0 "time/" FREQ, 1, HS_RIGHT, 9, "0.000", false},          \
        {"^FGC^", GC1 "invocations", 1, HS_RIGHT, 5, "0", false},              \
        {"^FGCT^", GC1 "time/" FREQ, 1, HS_RIGHT, 9, "0.000", false},          \
        {"^CGC^", GC2 "invocations", 1, HS_RIGHT, 5, "0", false},              \
        {"^CGCT^", GC2 "time/" FREQ, 1, HS_RIGHT, 9, "0.000", false},          \
    {                                                                          \
        "^GCT^", "(" GC0 "time + " GC1 "time + " GC2 "time)/" FREQ, 1,         \
            HS_RIGHT, 9, "0.000", true                                         \
    }

static const struct hs_column gc_columns[] = {
    {"^S0C^", S0 "capacity", K, HS_RIGHT, 11, "0.0", false},
    {"^S1C^", S1 "capacity", K, HS_RIGHT, 11, "0.0", false},
    {"^S0U^", S0 "used", K, HS_RIGHT, 11, "0.0", false},
    {"^S1U^", S1 "used", K, HS_RIGHT, 11, "0.0", false},
    {"^EC^", EDEN "capacity", K, HS_RIGHT, 12, "0.0", false},
    {"^EU^", EDEN "used", K, HS_RIGHT, 12, "0.0", false},
    {"^OC^", OLD "capacity", K, HS_RIGHT, 12, "0.0", false},
    {"^OU^", OLD "used", K, HS_RIGHT, 12, "0.0", false},
    {"^MC^", META "capacity", K, HS_RIGHT, 10, "0.0", false},
    {"^MU^", META "used", K, HS_RIGHT, 10, "0.0", false},
    {"^CCSC^", CCS "capacity", K, HS_RIGHT, 9, "0.0", false},
    {"^CCSU^", CCS "used", K, HS_RIGHT, 9, "0.0", false},
    GC_COUNTS,
};

static const struct hs_column gcutil_columns[] = {
    {"^S0^", PERCENT_USED(S0), 1, HS_RIGHT, 6, "0.00", false},
    {"^S1^", PERCENT_USED(S1), 1, HS_RIGHT, 6, "0.00", false},
    {"^E^", PERCENT_USED(EDEN), 1, HS_RIGHT, 6, "0.00", false},
    {"^O^", PERCENT_USED(OLD), 1, HS_RIGHT, 6, "0.00", false},
    {"^M^", PERCENT_USED(META), 1, HS_RIGHT, 6, "0.00", false},
    {"^CCS^", PERCENT_USED(CCS), 1, HS_RIGHT, 6, "0.00", false},
    GC_COUNTS,
};
/* [tables] */

#define OPTION(name, cols)                                                     \
    {                                                                          \
        name, cols, (int)(sizeof cols / sizeof cols[0])                        \
    }
static const struct hs_option options[] = {
    OPTION("class", class_columns),
    OPTION("compiler", compiler_columns),
    OPTION("gc", gc_columns),
    OPTION("gcutil", gcutil_columns),
};
const char hs_option_names[] = "-class|-compiler|-gc|-gcutil";

const struct hs_option *hs_option(const char *name)
{
    for (size_t k = 0; k < sizeof options / sizeof options[0]; k++)
        if (strcmp(options[k].name, name) == 0)
            return &options[k];
    return NULL;
}

/* ---- evaluating a formula ----------------------------------------------- */

/* A value as jstat holds it: a counter read alone keeps its own type (a
 * long, or a string); anything computed is a double. */
struct value {
    enum { V_DOUBLE, V_LONG, V_STRING } kind;
    double d;
    long long l;
    const struct pd_counter *s;
};

struct eval {
    const char *p; /* the next character of the formula */
    const struct hs_region *r;
    bool required;
};

static void skip_space(struct eval *e)
{
    while (*e->p == ' ')
        e->p++;
}

static double as_double(struct value v)
{
    if (v.kind == V_LONG)
        return (double)v.l;
    if (v.kind == V_STRING)
        return NAN; /* jstat: a string in arithmetic is NaN */
    return v.d;
}

static struct value expr(struct eval *e);

/* A number, a counter's name, or a formula in parentheses. */
static struct value factor(struct eval *e)
{
    struct value v = {V_DOUBLE, NAN, 0, NULL};
    skip_space(e);
    if (*e->p == '(') {
        e->p++;
        v = expr(e);
        skip_space(e);
        if (*e->p == ')')
            e->p++;
    } else if (isdigit((unsigned char)*e->p)) {
        char *end;
        v.d = strtod(e->p, &end);
        e->p = end;
    } else {
        char name[128];
        size_t n = 0;
        while (isalnum((unsigned char)*e->p) || *e->p == '.' || *e->p == '_') {
            if (n < sizeof name - 1)
                name[n++] = *e->p;
            e->p++;
        }
        name[n] = '\0';
        const struct pd_counter *c = hs_counter(e->r, name);
        if (c == NULL) {
            v.d = e->required ? 0.0 : NAN; /* not in this JVM */
        } else if (c->type == 'J') {
            v.kind = V_LONG;
            v.l = pd_long(e->r->copy, &e->r->info, c);
        } else {
            v.kind = V_STRING;
            v.s = c;
        }
    }
    return v;
}

static double apply(char op, double x, double y)
{
    switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    default: return y == 0 ? NAN : x / y; /* jstat: x/0 is NaN */
    }
}

static struct value term(struct eval *e)
{
    struct value v = factor(e);
    for (skip_space(e); *e->p == '*' || *e->p == '/'; skip_space(e)) {
        char op = *e->p++;
        double x = as_double(v), y = as_double(factor(e));
        v = (struct value){V_DOUBLE, apply(op, x, y), 0, NULL};
    }
    return v;
}

static struct value expr(struct eval *e)
{
    struct value v = term(e);
    for (skip_space(e); *e->p == '+' || *e->p == '-'; skip_space(e)) {
        char op = *e->p++;
        double x = as_double(v), y = as_double(term(e));
        v = (struct value){V_DOUBLE, apply(op, x, y), 0, NULL};
    }
    return v;
}

/* ---- printing ----------------------------------------------------------- */

/* Pad S to WIDTH the way jstat's Alignment does (a centred string gets the
 * odd space on its right). */
static void put_aligned(FILE *f, const char *s, int width, enum hs_align a)
{
    int pad = width - (int)strlen(s);
    if (pad < 0)
        pad = 0;
    int left = a == HS_RIGHT ? pad : a == HS_LEFT ? 0 : pad / 2;
    fprintf(f, "%*s%s%*s", left, "", s, pad - left, "");
}

void hs_print_header(FILE *f, const struct hs_option *o,
                     int widths[HS_MAX_COLUMNS])
{
    for (int k = 0; k < o->ncolumns; k++) {
        const struct hs_column *c = &o->columns[k];
        char h[64];
        snprintf(h, sizeof h, "%s", c->header);
        size_t len = strlen(h);
        /* Every header here starts with ^: ^H^ is centred, ^H left. */
        bool centred = len > 2 && h[len - 1] == '^';
        enum hs_align a = centred ? HS_CENTER : HS_LEFT;
        if (centred)
            h[--len] = '\0';
        const char *text = h + 1;
        int w = c->width, flen = (int)strlen(c->format);
        if (flen > w)
            w = flen;
        if ((int)strlen(text) > w)
            w = (int)strlen(text);
        widths[k] = w;
        put_aligned(f, text, w, a);
        fputs(k + 1 < o->ncolumns ? " " : "\n", f);
    }
}

/* [row] */
void hs_print_row(FILE *f, const struct hs_option *o,
                  const int widths[HS_MAX_COLUMNS], const struct hs_region *r)
{
    for (int k = 0; k < o->ncolumns; k++) {
        const struct hs_column *c = &o->columns[k];
        struct eval e = {c->data, r, c->required};
        struct value v = expr(&e);
        char text[256];
        if (v.kind == V_STRING) {
            hs_string(r, v.s, text, sizeof text);
        } else {
            double d = as_double(v) / c->scale;
            const char *dot = strchr(c->format, '.');
            int decimals = dot ? (int)strlen(dot + 1) : 0;
            /* Java's DecimalFormat rounds half-even on the double's exact
             * value, as printf does; NaN is printed as "-". */
            if (isnan(d))
                snprintf(text, sizeof text, "-");
            else
                snprintf(text, sizeof text, "%.*f", decimals, d);
        }
        put_aligned(f, text, widths[k], c->align);
        fputs(k + 1 < o->ncolumns ? " " : "\n", f);
    }
}
/* [row] */
