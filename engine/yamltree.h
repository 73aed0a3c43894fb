/*
 * yamltree.h - YAML bytes to a checked node tree (private to the library).
 *
 * The first stage of the scenario loader: scenario.yaml bytes ->
 * kpi_ytree (this module) -> kpi_scenario (load.c).  This module knows YAML
 * and nothing about scenarios: it checks the bytes (size, NUL, UTF-8), runs
 * libyaml's event parser, enforces the structural limits (nesting depth,
 * node count with aliases expanded, one document) and builds a tree whose
 * every node carries its 1-based line and column.  It also owns the YAML 1.1
 * scalar rules the loader needs (what is null, a boolean, a number); the
 * number syntax itself, both ways, is num.c's (num.h, included here).
 *
 * Aliases are resolved by reference: an alias slot points at the anchored
 * node, so the tree is a DAG and a "billion laughs" file costs no more
 * memory than its text.  Its expanded size is still counted against
 * KPI_YAML_MAX_NODES, in O(1) per alias.
 */
#ifndef KPI_YAMLTREE_H
#define KPI_YAMLTREE_H

#include <stddef.h>
#include <stdint.h>

#include "kpisim.h"
#include "num.h"

#define KPI_YAML_MAX_BYTES (1024 * 1024)   /* a scenario file is at most 1 MiB */
#define KPI_YAML_MAX_DEPTH 64              /* nested mappings and sequences */
#define KPI_YAML_MAX_NODES 100000          /* nodes, each alias use counted in full */

enum kpi_ynode_kind { KPI_YSCALAR = 1, KPI_YSEQUENCE, KPI_YMAPPING };

/* The explicit tag of a node, reduced to the standard ones (short !!str and
 * long !<tag:yaml.org,2002:str> forms alike).  The non-specific tag "!"
 * makes a scalar a string (KPI_YTAG_STR) and means nothing on a collection.
 * Any other tag is rejected by the parser. */
enum kpi_ytag {
    KPI_YTAG_NONE = 0,
    KPI_YTAG_STR,
    KPI_YTAG_INT,
    KPI_YTAG_FLOAT,
    KPI_YTAG_BOOL,
    KPI_YTAG_NULL,
    KPI_YTAG_MAP,
    KPI_YTAG_SEQ
};

typedef struct kpi_ynode kpi_ynode;

/* A place where a node is used: the node and the 1-based position of the
 * use.  For an alias (*name) the position is that of the alias, not of the
 * anchored node, so that messages point at what the user wrote there. */
typedef struct kpi_yslot {
    const kpi_ynode *node;
    int line, col;
} kpi_yslot;

typedef struct kpi_ypair {
    kpi_yslot key, value;
} kpi_ypair;

struct kpi_ynode {
    int kind;             /* enum kpi_ynode_kind */
    int line, col;        /* where the node starts, 1-based, in characters */
    int tag;              /* enum kpi_ytag */

    /* KPI_YSCALAR: the text (NUL-terminated, but it may hold NUL bytes
     * written as "\0" escapes: len is the true length) and whether it was
     * written plain (unquoted, not a | or > block). */
    char *text;
    size_t len;
    int plain;

    /* KPI_YSEQUENCE: the items; KPI_YMAPPING: the pairs in file order
     * (duplicates are kept: the loader reports them with both places). */
    kpi_yslot *items;
    size_t nitems;
    kpi_ypair *pairs;
    size_t npairs;

    /* Builder bookkeeping, meaningless to readers. */
    size_t cap_;          /* allocated items or pairs */
    size_t size_;         /* nodes in this subtree, aliases expanded */
    int height_;          /* collection levels in this subtree, aliases expanded */
    int complete_;        /* 0 while the builder is still inside the node */
};

typedef struct kpi_ytree kpi_ytree;

struct kpi_ytree {
    kpi_yslot root;       /* node NULL: empty stream (only in KPI_YTREE_VALUE mode) */
    void *chunks_;        /* private: the node storage */
};

enum kpi_ytree_mode {
    /* A scenario file: the stream must hold exactly one document whose top
     * level is a mapping; no document or a null top level is the error
     * "empty scenario". */
    KPI_YTREE_SCENARIO = 0,
    /* A value (the VALUE of --set KEY=VALUE): any node; an empty text is a
     * null scalar at 1:1. */
    KPI_YTREE_VALUE = 1
};

/* Parses len bytes of data (need not be NUL-terminated) into *out.
 * fname is only copied into err->file.  col_shift is added to every column
 * on line 1, in the tree and in messages: the VALUE of --set KEY=VALUE is
 * parsed alone but its places count from the start of KEY.  Returns KPI_OK, KPI_EDATA (with
 * err->line/col/msg set, 1-based; 0 when the place is unknown, e.g. a file
 * that is too large) or KPI_EINTERNAL (out of memory).  On failure *out is
 * NULL.  The caller frees the tree with kpi_ytree_free. */
int kpi_ytree_parse(const char *data, size_t len, const char *fname, int mode,
                    int col_shift, kpi_ytree **out, kpi_error *err);

/* Frees a tree and every node in it; accepts NULL. */
void kpi_ytree_free(kpi_ytree *tree);

/* What a scalar means under the YAML 1.1 rules as this project reads them:
 *   null     plain "", "~", "null", "Null", "NULL", or tagged !!null
 *   boolean  plain y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|
 *            FALSE|on|On|ON|off|Off|OFF, or tagged !!bool
 *   number   plain (or tagged !!int / !!float) text that kpi_ynum_parse
 *            takes, including the ones it refuses as ambiguous (leading 0)
 *   nonfinite  .inf, -.inf, +.inf, .nan in their three spellings
 *   text     anything else, and every quoted or block scalar
 * A plain "40:30:10:1" (a base-60 integer to YAML 1.1) is text here. */
enum kpi_yscalar_kind {
    KPI_YS_NULL = 0,
    KPI_YS_BOOL,
    KPI_YS_NUMBER,
    KPI_YS_NONFINITE,
    KPI_YS_TEXT
};
int kpi_yscalar_kind(const kpi_ynode *scalar);

#endif /* KPI_YAMLTREE_H */
