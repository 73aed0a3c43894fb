/*
 * yamltree.c - YAML bytes to a checked node tree (see yamltree.h).
 *
 * Steps: check the raw bytes ourselves (size cap, NUL, UTF-8), because
 * libyaml reports those late or with byte offsets only; then feed libyaml's
 * event parser and build nodes as events arrive, refusing a second
 * document, unknown tags, deep nesting and node counts past the cap as soon
 * as they are seen, so that a hostile file costs little time and memory.
 *
 * libyaml counts lines and columns from 0 and columns in characters; this
 * module is the only place that knows it: every position that leaves it
 * is 1-based.
 */
#include "yamltree.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

/* ------------------------------------------------------------------ */
/* Errors and positions                                                */
/* ------------------------------------------------------------------ */

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

static void set_error(kpi_error *err, int status, const char *fname, int line,
                      int col, const char *fmt, ...) PRINTF_LIKE(6, 7);

/* Fills err with a YAML-level error: no key path. */
static void set_error(kpi_error *err, int status, const char *fname, int line,
                      int col, const char *fmt, ...)
{
    memset(err, 0, sizeof *err);
    err->status = status;
    err->line = line;
    err->col = col;
    snprintf(err->file, sizeof err->file, "%s", fname ? fname : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}

/* Length of the UTF-8 byte order mark at the start of data, 0 or 3. */
static size_t bom_length(const char *data, size_t len)
{
    return len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

/* Length in bytes of the line break starting at data[i], 0 if none.  The
 * breaks are libyaml's: CR LF, CR, LF, NEL (U+0085), LS and PS
 * (U+2028/2029), so that our positions agree with its marks. */
static size_t break_length(const unsigned char *d, size_t len, size_t i)
{
    if (d[i] == '\r')
        return i + 1 < len && d[i + 1] == '\n' ? 2 : 1;
    if (d[i] == '\n')
        return 1;
    if (d[i] == 0xC2 && i + 1 < len && d[i + 1] == 0x85)
        return 2;
    if (d[i] == 0xE2 && i + 2 < len && d[i + 1] == 0x80 &&
        (d[i + 2] == 0xA8 || d[i + 2] == 0xA9))
        return 3;
    return 0;
}

static int clamp_int(size_t v)
{
    return v > (size_t)INT_MAX - 1 ? INT_MAX - 1 : (int)v;
}

/* The index after the character or line break at d[i] (a character's
 * UTF-8 continuation bytes are skipped up to end); *newline says which it
 * was. */
static size_t next_char(const unsigned char *d, size_t len, size_t end, size_t i,
                        int *newline)
{
    size_t b = break_length(d, len, i);
    *newline = b != 0;
    if (b)
        return i + b;
    i++;
    while (i < end && (d[i] & 0xC0) == 0x80)   /* continuation bytes */
        i++;
    return i;
}

/* The 1-based line and column (in characters, as libyaml counts them) of
 * byte offset off.  A leading BOM is not a character of line 1. */
static void position_of_offset(const char *data, size_t len, size_t off,
                               int *line, int *col)
{
    const unsigned char *d = (const unsigned char *)data;
    size_t l = 1, c = 1;
    size_t i = bom_length(data, len);
    if (off > len)
        off = len;
    while (i < off) {
        int newline;
        i = next_char(d, len, off, i, &newline);
        if (newline) {
            l++;
            c = 1;
        } else {
            c++;
        }
    }
    *line = clamp_int(l);
    *col = clamp_int(c);
}

/* The byte offset of a libyaml mark (0-based line, column in characters),
 * or len when it lies past the end. */
static size_t offset_of_mark(const char *data, size_t len, size_t line, size_t column)
{
    const unsigned char *d = (const unsigned char *)data;
    size_t i = bom_length(data, len), l = 0, c = 0;
    while (i < len && (l < line || c < column)) {
        int newline;
        if (l == line && break_length(d, len, i))
            break;              /* the column lies past the end of its line */
        i = next_char(d, len, len, i, &newline);
        if (newline) {
            l++;
            c = 0;
        } else {
            c++;
        }
    }
    return i;
}

/* Length of the valid UTF-8 sequence at d[i] (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), 0 when it is not valid. */
static size_t utf8_length(const unsigned char *d, size_t len, size_t i)
{
    unsigned char c = d[i];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (len - i < n)
        return 0;
    if (d[i + 1] < lo || d[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((d[i + k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Checks the raw bytes before libyaml sees them: the size cap, a UTF-16
 * file, NUL bytes and invalid UTF-8, each with the place it occurs. */
static int check_bytes(const char *data, size_t len, const char *fname, int col_shift,
                       kpi_error *err)
{
    const unsigned char *d = (const unsigned char *)data;
    if (len > KPI_YAML_MAX_BYTES) {
        set_error(err, KPI_EDATA, fname, 0, 0,
                  "file too large: a scenario may hold at most 1 MiB (%d bytes)",
                  KPI_YAML_MAX_BYTES);
        return KPI_EDATA;
    }
    if (len >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) || (d[0] == 0xFE && d[1] == 0xFF))) {
        set_error(err, KPI_EDATA, fname, 1, 1 + col_shift,
                  "the file is UTF-16 text; save it as UTF-8");
        return KPI_EDATA;
    }
    for (size_t i = bom_length(data, len); i < len;) {
        size_t n;
        if (d[i] == 0) {
            int line, col;
            position_of_offset(data, len, i, &line, &col);
            if (line == 1)
                col += col_shift;
            set_error(err, KPI_EDATA, fname, line, col,
                      "a NUL byte is not allowed in a scenario (is this a binary file?)");
            return KPI_EDATA;
        }
        n = utf8_length(d, len, i);
        if (n == 0) {
            int line, col;
            position_of_offset(data, len, i, &line, &col);
            if (line == 1)
                col += col_shift;
            set_error(err, KPI_EDATA, fname, line, col,
                      "the file is not valid UTF-8 text (byte 0x%02X here); save it as UTF-8",
                      (unsigned)d[i]);
            return KPI_EDATA;
        }
        i += n;
    }
    return KPI_OK;
}

/* ------------------------------------------------------------------ */
/* Node storage                                                        */
/* ------------------------------------------------------------------ */

#define CHUNK_NODES 256

/* Nodes live in chunks so that a DAG built from aliases is freed by
 * walking the chunks, never the graph. */
typedef struct chunk {
    struct chunk *next;
    size_t used;
    kpi_ynode nodes[CHUNK_NODES];
} chunk;

static kpi_ynode *node_new(kpi_ytree *tree)
{
    chunk *c = tree->chunks_;
    if (!c || c->used == CHUNK_NODES) {
        chunk *n = calloc(1, sizeof *n);
        if (!n)
            return NULL;
        n->next = c;
        tree->chunks_ = n;
        c = n;
    }
    return &c->nodes[c->used++];
}

void kpi_ytree_free(kpi_ytree *tree)
{
    if (!tree)
        return;
    chunk *c = tree->chunks_;
    while (c) {
        chunk *next = c->next;
        for (size_t i = 0; i < c->used; i++) {
            free(c->nodes[i].text);
            free(c->nodes[i].items);
            free(c->nodes[i].pairs);
        }
        free(c);
        c = next;
    }
    free(tree);
}

/* ------------------------------------------------------------------ */
/* Anchors: a small open-addressing hash table (name -> node)          */
/* ------------------------------------------------------------------ */

typedef struct anchor {
    char *name;
    kpi_ynode *node;
} anchor;

typedef struct anchors {
    anchor *slots;
    size_t cap, count;     /* cap is 0 or a power of two */
} anchors;

static size_t hash_name(const char *s)
{
    size_t h = 2166136261u;             /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static anchor *anchors_slot(anchor *slots, size_t cap, const char *name)
{
    size_t i = hash_name(name) & (cap - 1);
    while (slots[i].name && strcmp(slots[i].name, name) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static kpi_ynode *anchors_find(const anchors *a, const char *name)
{
    if (a->cap == 0)
        return NULL;
    anchor *s = anchors_slot(a->slots, a->cap, name);
    return s->name ? s->node : NULL;
}

/* Binds name to node, replacing an earlier binding (YAML: an alias refers
 * to the latest anchor of that name).  Returns 0, or -1 out of memory. */
static int anchors_put(anchors *a, const char *name, kpi_ynode *node)
{
    if (2 * (a->count + 1) > a->cap) {
        size_t ncap = a->cap ? 2 * a->cap : 16;
        anchor *ns = calloc(ncap, sizeof *ns);
        if (!ns)
            return -1;
        for (size_t i = 0; i < a->cap; i++)
            if (a->slots[i].name)
                *anchors_slot(ns, ncap, a->slots[i].name) = a->slots[i];
        free(a->slots);
        a->slots = ns;
        a->cap = ncap;
    }
    anchor *s = anchors_slot(a->slots, a->cap, name);
    if (!s->name) {
        size_t n = strlen(name) + 1;
        s->name = malloc(n);
        if (!s->name)
            return -1;
        memcpy(s->name, name, n);
        a->count++;
    }
    s->node = node;
    return 0;
}

static void anchors_free(anchors *a)
{
    for (size_t i = 0; i < a->cap; i++)
        free(a->slots[i].name);
    free(a->slots);
    a->slots = NULL;
    a->cap = a->count = 0;
}

/* ------------------------------------------------------------------ */
/* The builder                                                         */
/* ------------------------------------------------------------------ */

typedef struct frame {
    kpi_ynode *node;       /* the open sequence or mapping */
    int have_key;          /* mapping: key read, value awaited */
    kpi_yslot key;
} frame;

typedef struct builder {
    kpi_ytree *tree;
    const char *data;
    size_t len;
    const char *fname;
    kpi_error *err;
    anchors anchors;
    frame frames[KPI_YAML_MAX_DEPTH];
    int depth;             /* open collections */
    size_t count;          /* nodes so far, each alias counted at full size */
    int ndocs;
    int have_root;
    int col_shift;         /* added to the columns of line 1 */
} builder;

static int mark_line(yaml_mark_t m)
{
    return clamp_int(m.line + 1);
}

/* libyaml's 0-based column made 1-based (and shifted on line 1). */
static int shifted_col(const builder *b, int line, size_t col)
{
    int c = clamp_int(col + 1);
    return line == 1 && c < INT_MAX - b->col_shift ? c + b->col_shift : c;
}

static int mark_col(const builder *b, yaml_mark_t m)
{
    return shifted_col(b, mark_line(m), m.column);
}

/* A tag as the user would write it: "!!str" for the standard prefix. */
static void show_tag(const char *tag, char *buf, size_t size)
{
    static const char std[] = "tag:yaml.org,2002:";
    if (strncmp(tag, std, sizeof std - 1) == 0)
        snprintf(buf, size, "!!%.100s", tag + sizeof std - 1);
    else
        snprintf(buf, size, "%.100s", tag);
}

/* Reduces the tag of a new node of the given kind to enum kpi_ytag, or
 * reports an error at (line, col) and returns -1. */
static int resolve_tag(builder *b, const char *tag, int kind, int line, int col)
{
    static const struct { const char *name; int tag, kind; } known[] = {
        {"tag:yaml.org,2002:str", KPI_YTAG_STR, KPI_YSCALAR},
        {"tag:yaml.org,2002:int", KPI_YTAG_INT, KPI_YSCALAR},
        {"tag:yaml.org,2002:float", KPI_YTAG_FLOAT, KPI_YSCALAR},
        {"tag:yaml.org,2002:bool", KPI_YTAG_BOOL, KPI_YSCALAR},
        {"tag:yaml.org,2002:null", KPI_YTAG_NULL, KPI_YSCALAR},
        {"tag:yaml.org,2002:map", KPI_YTAG_MAP, KPI_YMAPPING},
        {"tag:yaml.org,2002:seq", KPI_YTAG_SEQ, KPI_YSEQUENCE},
    };
    char shown[128];
    if (!tag)
        return KPI_YTAG_NONE;
    if (strcmp(tag, "!") == 0)          /* non-specific: "not a plain scalar" */
        return kind == KPI_YSCALAR ? KPI_YTAG_STR : KPI_YTAG_NONE;
    show_tag(tag, shown, sizeof shown);
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        if (strcmp(tag, known[i].name) != 0)
            continue;
        if (known[i].kind != kind) {
            set_error(b->err, KPI_EDATA, b->fname, line, col,
                      "the tag %s cannot be used on a %s", shown,
                      kind == KPI_YSCALAR ? "single value" :
                      kind == KPI_YMAPPING ? "mapping" : "list");
            return -1;
        }
        return known[i].tag;
    }
    set_error(b->err, KPI_EDATA, b->fname, line, col,
              "unknown tag '%s' (only the standard tags !!str, !!int, !!float, !!bool, "
              "!!null, !!map and !!seq are allowed)", shown);
    return -1;
}

static int out_of_memory(builder *b)
{
    set_error(b->err, KPI_EINTERNAL, b->fname, 0, 0, "out of memory while reading YAML");
    return KPI_EINTERNAL;
}

/* Counts n more nodes against the cap; at_alias tells the message. */
static int count_nodes(builder *b, size_t n, int line, int col, int at_alias)
{
    if (n > KPI_YAML_MAX_NODES || b->count + n > KPI_YAML_MAX_NODES) {
        if (at_alias)
            set_error(b->err, KPI_EDATA, b->fname, line, col,
                      "aliases expand to more than %d values (is this an alias bomb?)",
                      KPI_YAML_MAX_NODES);
        else
            set_error(b->err, KPI_EDATA, b->fname, line, col,
                      "too many values: a scenario may hold at most %d",
                      KPI_YAML_MAX_NODES);
        return KPI_EDATA;
    }
    b->count += n;
    return KPI_OK;
}

/* Puts slot into the open collection (or makes it the root). */
static int attach(builder *b, kpi_yslot slot)
{
    if (b->depth == 0) {
        b->tree->root = slot;
        b->have_root = 1;
        return KPI_OK;
    }
    frame *f = &b->frames[b->depth - 1];
    kpi_ynode *p = f->node;
    if (p->kind == KPI_YMAPPING && !f->have_key) {
        f->key = slot;
        f->have_key = 1;
        return KPI_OK;
    }
    size_t n = p->kind == KPI_YMAPPING ? p->npairs : p->nitems;
    if (n == p->cap_) {
        size_t ncap = p->cap_ ? 2 * p->cap_ : 4;
        if (p->kind == KPI_YMAPPING) {
            kpi_ypair *np = realloc(p->pairs, ncap * sizeof *np);
            if (!np)
                return out_of_memory(b);
            p->pairs = np;
        } else {
            kpi_yslot *ni = realloc(p->items, ncap * sizeof *ni);
            if (!ni)
                return out_of_memory(b);
            p->items = ni;
        }
        p->cap_ = ncap;
    }
    if (p->kind == KPI_YMAPPING) {
        p->pairs[p->npairs].key = f->key;
        p->pairs[p->npairs].value = slot;
        p->npairs++;
        f->have_key = 0;
    } else {
        p->items[p->nitems++] = slot;
    }
    return KPI_OK;
}

/* A new node of the given kind for the event, tagged, anchored, counted
 * and attached to its parent.  Returns it, or NULL with err set. */
static kpi_ynode *new_node(builder *b, int kind, yaml_mark_t mark, const char *tag,
                           const char *anchor_name)
{
    int line = mark_line(mark), col = mark_col(b, mark);
    int t = resolve_tag(b, tag, kind, line, col);
    if (t < 0)
        return NULL;
    if (count_nodes(b, 1, line, col, 0) != KPI_OK)
        return NULL;
    kpi_ynode *n = node_new(b->tree);
    if (!n) {
        out_of_memory(b);
        return NULL;
    }
    n->kind = kind;
    n->line = line;
    n->col = col;
    n->tag = t;
    n->size_ = 1;
    if (anchor_name && anchors_put(&b->anchors, anchor_name, n) != 0) {
        out_of_memory(b);
        return NULL;
    }
    kpi_yslot slot = {n, line, col};
    if (attach(b, slot) != KPI_OK)
        return NULL;
    return n;
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    kpi_ynode *n = new_node(b, KPI_YSCALAR, ev->start_mark,
                            (const char *)ev->data.scalar.tag,
                            (const char *)ev->data.scalar.anchor);
    if (!n)
        return b->err->status;
    n->len = ev->data.scalar.length;
    n->text = malloc(n->len + 1);
    if (!n->text)
        return out_of_memory(b);
    memcpy(n->text, ev->data.scalar.value, n->len);
    n->text[n->len] = '\0';
    n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    n->complete_ = 1;
    return KPI_OK;
}

static int on_alias(builder *b, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    int line = mark_line(ev->start_mark), col = mark_col(b, ev->start_mark);
    kpi_ynode *target = anchors_find(&b->anchors, name);
    if (!target) {
        set_error(b->err, KPI_EDATA, b->fname, line, col,
                  "unknown alias '*%.200s': no anchor '&%.200s' comes before it", name, name);
        return KPI_EDATA;
    }
    if (!target->complete_) {
        set_error(b->err, KPI_EDATA, b->fname, line, col,
                  "the alias '*%.200s' is used inside the value it names "
                  "(recursive data is not allowed)", name);
        return KPI_EDATA;
    }
    if (b->depth + target->height_ > KPI_YAML_MAX_DEPTH) {
        set_error(b->err, KPI_EDATA, b->fname, line, col,
                  "nesting deeper than %d levels (counting what the alias '*%.200s' stands for)",
                  KPI_YAML_MAX_DEPTH, name);
        return KPI_EDATA;
    }
    int rc = count_nodes(b, target->size_, line, col, 1);
    if (rc != KPI_OK)
        return rc;
    kpi_yslot slot = {target, line, col};
    return attach(b, slot);
}

static int on_collection_start(builder *b, const yaml_event_t *ev, int kind)
{
    const char *tag, *anchor_name;
    if (kind == KPI_YMAPPING) {
        tag = (const char *)ev->data.mapping_start.tag;
        anchor_name = (const char *)ev->data.mapping_start.anchor;
    } else {
        tag = (const char *)ev->data.sequence_start.tag;
        anchor_name = (const char *)ev->data.sequence_start.anchor;
    }
    if (b->depth == KPI_YAML_MAX_DEPTH) {
        set_error(b->err, KPI_EDATA, b->fname, mark_line(ev->start_mark),
                  mark_col(b, ev->start_mark), "nesting deeper than %d levels",
                  KPI_YAML_MAX_DEPTH);
        return KPI_EDATA;
    }
    kpi_ynode *n = new_node(b, kind, ev->start_mark, tag, anchor_name);
    if (!n)
        return b->err->status;
    frame *f = &b->frames[b->depth++];
    memset(f, 0, sizeof *f);
    f->node = n;
    return KPI_OK;
}

/* Closes the innermost collection: its expanded size and height are now
 * known, and aliases may refer to it. */
static void on_collection_end(builder *b)
{
    kpi_ynode *n = b->frames[--b->depth].node;
    size_t size = 1;
    int height = 0;
    if (n->kind == KPI_YMAPPING) {
        for (size_t i = 0; i < n->npairs; i++) {
            const kpi_ynode *k = n->pairs[i].key.node, *v = n->pairs[i].value.node;
            size += k->size_ + v->size_;
            if (k->height_ > height)
                height = k->height_;
            if (v->height_ > height)
                height = v->height_;
        }
    } else {
        for (size_t i = 0; i < n->nitems; i++) {
            size += n->items[i].node->size_;
            if (n->items[i].node->height_ > height)
                height = n->items[i].node->height_;
        }
    }
    n->size_ = size;
    n->height_ = height + 1;
    n->complete_ = 1;
}

/* libyaml's words for a syntax error, and what a person editing the file
 * should do about it.  The first whose words appear in the problem wins. */
static const struct yaml_advice {
    const char *words, *advice;
} yaml_advice[] = {
    {"mapping values are not allowed",
     "a ':' that cannot start a key here: indent this line like the keys above it "
     "(or give the line above its ':'), and put a value that holds ': ' in quotes "
     "(title: \"Plan: 2025\")"},
    {"did not find expected '-' indicator",
     "this line breaks a list: start it with '- ' at the indentation of the entries "
     "above, or indent it under its entry"},
    {"could not find expected ':'",
     "a key needs ':' and a space after it (headcount: 20); text that goes on to the "
     "next line needs quotes"},
    {"did not find expected key",
     "this line is not a key at the indentation of the keys around it: the keys of "
     "one section line up, each 'name: value'"},
    {"did not find expected ',' or ']'",
     "a list in brackets is not closed: add the ']' (and ',' between entries)"},
    {"did not find expected ',' or '}'",
     "a mapping in braces is not closed: add the '}' (and ',' between entries)"},
    {"did not find expected node content",
     "a value is missing here (after '- ', ',' or ': ')"},
    {"block sequence entries are not allowed",
     "a '- ' entry cannot follow a key on its line: put the list on the next lines, "
     "indented"},
    {"found unexpected end of stream",
     "the text ended inside quotes: add the closing quote"},
    {"found unknown escape character",
     "a '\\' in double quotes starts an escape: write '\\\\', or use single quotes"},
    {"found character that cannot start any token",
     "this character cannot start a value ('@', '`', '%' are reserved): put the "
     "value in quotes"},
    {"found a tab character", "a tab cannot indent YAML, use spaces"},
};

/* Appends the source line of a 1-based place of data, and a caret under
 * its column, to msg: "\n    12 | <line>\n       | ^". */
static void show_line(char *msg, size_t size, const char *data, size_t len, int line, int col)
{
    size_t i = bom_length(data, len), used = strlen(msg);
    int l = 1;
    char text[200];
    size_t o = 0;
    int chars = 0;
    if (line < 1 || col < 1)
        return;
    while (i < len && l < line) {
        size_t br = break_length((const unsigned char *)data, len, i);
        if (br) {
            i += br;
            l++;
        } else {
            i++;
        }
    }
    if (l != line || i >= len)
        return;
    /* The line, tabs shown as one space and control bytes as '?', cut at
     * 120 characters (the caret must stay under its column). */
    while (i < len && !break_length((const unsigned char *)data, len, i) && o + 5 < sizeof text && chars < 120) {
        unsigned char c = (unsigned char)data[i++];
        if ((c & 0xC0) != 0x80)
            chars++;
        text[o++] = c == '\t' ? ' ' : c < 0x20 || c == 0x7F ? '?' : (char)c;
    }
    text[o] = '\0';
    if (col > chars + 1 || col > 120)
        col = chars + 1;
    int w = snprintf(msg + used, size - used, "\n  %5d | %s\n        | %*s^", line, text,
                     col - 1, "");
    if (w < 0 || (size_t)w >= size - used)
        msg[used] = '\0';   /* no room: the message alone */
}

/* Reports libyaml's error with its mark made 1-based. */
static int parser_error(builder *b, const yaml_parser_t *p)
{
    int line, col;
    if (p->error == YAML_MEMORY_ERROR)
        return out_of_memory(b);
    if (p->error == YAML_READER_ERROR) {
        position_of_offset(b->data, b->len, p->problem_offset, &line, &col);
        col = shifted_col(b, line, (size_t)col - 1);
        if (p->problem_value >= 0)
            set_error(b->err, KPI_EDATA, b->fname, line, col, "%s (character U+%04X)",
                      p->problem ? p->problem : "cannot read the text",
                      (unsigned)p->problem_value);
        else
            set_error(b->err, KPI_EDATA, b->fname, line, col, "%s",
                      p->problem ? p->problem : "cannot read the text");
        return KPI_EDATA;
    }
    line = mark_line(p->problem_mark);
    col = mark_col(b, p->problem_mark);
    size_t off = offset_of_mark(b->data, b->len, p->problem_mark.line,
                                p->problem_mark.column);
    const char *problem = p->problem ? p->problem : "unknown problem";
    const char *advice = NULL;
    /* What to do first, then libyaml's own words for those who know them. */
    if (off < b->len && b->data[off] == '\t')
        advice = "a tab cannot indent YAML, use spaces";
    for (size_t i = 0; !advice && i < sizeof yaml_advice / sizeof *yaml_advice; i++)
        if (strstr(problem, yaml_advice[i].words))
            advice = yaml_advice[i].advice;
    char said[400];
    if (p->context && (p->context_mark.line != p->problem_mark.line ||
                       p->context_mark.column != p->problem_mark.column))
        snprintf(said, sizeof said, "%s, %s at line %d, column %d", problem, p->context,
                 mark_line(p->context_mark), mark_col(b, p->context_mark));
    else
        snprintf(said, sizeof said, "%s", problem);
    if (advice)
        set_error(b->err, KPI_EDATA, b->fname, line, col, "YAML syntax error: %s (libyaml: %s)",
                  advice, said);
    else
        set_error(b->err, KPI_EDATA, b->fname, line, col, "YAML syntax error: %s", said);
    /* The line itself with a caret, for a file (a --set value is shown by
     * its column alone: its text is the user's own command line). */
    if (b->col_shift == 0)
        show_line(b->err->msg, sizeof b->err->msg, b->data, b->len, line, col);
    return KPI_EDATA;
}

/* Handles one event; *done is set at the end of the stream. */
static int on_event(builder *b, const yaml_event_t *ev, int *done)
{
    switch (ev->type) {
    case YAML_STREAM_START_EVENT:
    case YAML_DOCUMENT_END_EVENT:
    case YAML_NO_EVENT:
        return KPI_OK;
    case YAML_STREAM_END_EVENT:
        *done = 1;
        return KPI_OK;
    case YAML_DOCUMENT_START_EVENT:
        if (b->ndocs > 0) {
            set_error(b->err, KPI_EDATA, b->fname, mark_line(ev->start_mark),
                      mark_col(b, ev->start_mark),
                      "a second YAML document: a scenario file holds one document only");
            return KPI_EDATA;
        }
        b->ndocs++;
        return KPI_OK;
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(b, ev, KPI_YSEQUENCE);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(b, ev, KPI_YMAPPING);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        if (b->depth > 0)
            on_collection_end(b);
        return KPI_OK;
    }
    return KPI_OK;
}

/* The whole-document checks of a scenario: one mapping at the top. */
static int check_root(builder *b, int mode)
{
    const kpi_ynode *r = b->have_root ? b->tree->root.node : NULL;
    if (mode == KPI_YTREE_VALUE) {
        if (!r) {                       /* an empty value is a null scalar */
            kpi_ynode *n = node_new(b->tree);
            if (!n)
                return out_of_memory(b);
            n->kind = KPI_YSCALAR;
            n->line = 1;
            n->col = 1 + b->col_shift;
            n->plain = 1;
            n->complete_ = 1;
            n->size_ = 1;
            n->text = calloc(1, 1);
            if (!n->text)
                return out_of_memory(b);
            kpi_yslot s = {n, 1, n->col};
            b->tree->root = s;
        }
        return KPI_OK;
    }
    if (!r || (r->kind == KPI_YSCALAR && kpi_yscalar_kind(r) == KPI_YS_NULL)) {
        set_error(b->err, KPI_EDATA, b->fname, r ? b->tree->root.line : 1,
                  r ? b->tree->root.col : 1,
                  "empty scenario: the file holds no keys (write {} to take every default)");
        return KPI_EDATA;
    }
    if (r->kind != KPI_YMAPPING) {
        set_error(b->err, KPI_EDATA, b->fname, b->tree->root.line, b->tree->root.col,
                  "expected a mapping of scenario keys (lines such as 'months: 12') "
                  "at the top level, got %s",
                  r->kind == KPI_YSEQUENCE ? "a list" : "a single value");
        return KPI_EDATA;
    }
    return KPI_OK;
}

int kpi_ytree_parse(const char *data, size_t len, const char *fname, int mode,
                    int col_shift, kpi_ytree **out, kpi_error *err)
{
    builder b;
    yaml_parser_t parser;
    kpi_error local;
    int parser_ready = 0, rc, done = 0;

    memset(&b, 0, sizeof b);
    *out = NULL;
    if (!err)
        err = &local;
    if (col_shift < 0 || col_shift > INT_MAX / 2)
        col_shift = 0;
    rc = check_bytes(data, len, fname, col_shift, err);
    if (rc != KPI_OK)
        return rc;
    b.data = data;
    b.len = len;
    b.fname = fname;
    b.col_shift = col_shift;
    b.err = err;
    b.tree = calloc(1, sizeof *b.tree);
    if (!b.tree) {
        rc = out_of_memory(&b);
        goto fail;
    }
    if (!yaml_parser_initialize(&parser)) {
        rc = out_of_memory(&b);
        goto fail;
    }
    parser_ready = 1;
    /* No yaml_parser_set_encoding: libyaml then finds UTF-8 itself and
     * skips a BOM without counting it as a column. */
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(&b, &parser);
            goto fail;
        }
        rc = on_event(&b, &ev, &done);
        yaml_event_delete(&ev);
        if (rc != KPI_OK)
            goto fail;
    }
    rc = check_root(&b, mode);
    if (rc != KPI_OK)
        goto fail;
    yaml_parser_delete(&parser);
    anchors_free(&b.anchors);
    *out = b.tree;
    return KPI_OK;

fail:
    if (parser_ready)
        yaml_parser_delete(&parser);
    anchors_free(&b.anchors);
    kpi_ytree_free(b.tree);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Scalars and numbers                                                 */
/* ------------------------------------------------------------------ */

static int text_is(const kpi_ynode *n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n->len && memcmp(*words, n->text, n->len) == 0)
            return 1;
    return 0;
}

int kpi_yscalar_kind(const kpi_ynode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const bools[] = {
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF", NULL
    };
    kpi_ynum num;
    switch (n->tag) {
    case KPI_YTAG_STR:
        return KPI_YS_TEXT;
    case KPI_YTAG_NULL:
        return KPI_YS_NULL;
    case KPI_YTAG_BOOL:
        return KPI_YS_BOOL;
    case KPI_YTAG_INT:
    case KPI_YTAG_FLOAT:
        return kpi_ynum_parse(n->text, n->len, &num) == KPI_YNUM_NONFINITE
               ? KPI_YS_NONFINITE : KPI_YS_NUMBER;
    default:
        break;
    }
    if (!n->plain)
        return KPI_YS_TEXT;
    if (text_is(n, nulls))
        return KPI_YS_NULL;
    if (text_is(n, bools))
        return KPI_YS_BOOL;
    switch (kpi_ynum_parse(n->text, n->len, &num)) {
    case KPI_YNUM_NOT_NUMBER:
        return KPI_YS_TEXT;
    case KPI_YNUM_NONFINITE:
        return KPI_YS_NONFINITE;
    default:
        return KPI_YS_NUMBER;
    }
}
