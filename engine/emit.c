/*
 * emit.c - writes a resolved scenario as YAML (see emit.h).
 *
 * The output is built as libyaml events, so quoting and escaping are
 * libyaml's and always read back; numbers go through kpi_ynum_format
 * (yamltree.c), the same number syntax the loader reads.  The order is
 * the key table's (scenario.c), so a diff of two written scenarios lines
 * up key by key.
 */
#include "emit.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "error.h"
#include "scenario.h"
#include "yamltree.h"

#define OUT_OF_MEMORY "out of memory while writing the scenario"

typedef struct emitter {
    yaml_emitter_t y;
    FILE *f;
    int write_errno;      /* set when fwrite failed */
    kpi_error *err;
    const char *key;      /* the key being written, for messages */
} emitter;

/* libyaml's output callback: returns 1 on success, 0 on failure. */
static int write_out(void *data, unsigned char *buf, size_t size)
{
    emitter *e = data;
    errno = 0;
    if (size > 0 && fwrite(buf, 1, size, e->f) != size) {
        e->write_errno = errno ? errno : EIO;
        return 0;
    }
    return 1;
}

static int fail(emitter *e, int status, const char *msg)
{
    return kpi_error_set(e->err, status, e->key, "%s", msg);
}

/* "writing the scenario failed: <reason>"; errno is left at that error
 * for callers that look at it (write.c does). */
static int fail_write(emitter *e, int error)
{
    char reason[256], msg[512];
    if (strerror_r(error, reason, sizeof reason) != 0)
        snprintf(reason, sizeof reason, "error %d", error);
    snprintf(msg, sizeof msg, "writing the scenario failed: %s", reason);
    fail(e, KPI_EIO, msg);
    errno = error;
    return KPI_EIO;
}

/* Turns a libyaml failure into a status and a message. */
static int emitter_failed(emitter *e)
{
    char msg[512];
    if (e->write_errno)
        return fail_write(e, e->write_errno);
    if (e->y.error == YAML_MEMORY_ERROR)
        return fail(e, KPI_EINTERNAL, OUT_OF_MEMORY);
    snprintf(msg, sizeof msg, "cannot write the scenario: %s",
             e->y.problem ? e->y.problem : "the YAML emitter failed");
    return fail(e, KPI_EINTERNAL, msg);
}

/* Emits an event built by the caller (libyaml takes it over). */
static int emit(emitter *e, yaml_event_t *ev)
{
    return yaml_emitter_emit(&e->y, ev) ? KPI_OK : emitter_failed(e);
}

/* A scalar: plain for keys and numbers, double-quoted for text. */
static int scalar(emitter *e, const char *text, size_t len, int quoted)
{
    yaml_event_t ev;
    if (len > (size_t)INT32_MAX ||
        !yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)text, (int)len,
                                      !quoted, quoted,
                                      quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                             : YAML_PLAIN_SCALAR_STYLE))
        return fail(e, KPI_EINTERNAL,
                    "cannot write the value: it is not UTF-8 text (or memory ran out)");
    return emit(e, &ev);
}

static int word(emitter *e, const char *text)
{
    return scalar(e, text, strlen(text), 0);
}

static int number(emitter *e, double x)
{
    char buf[48];
    if (kpi_ynum_format(x, buf, sizeof buf) != 0)
        return fail(e, KPI_EINTERNAL, "cannot write the value: it is not a finite number");
    return word(e, buf);
}

static int whole(emitter *e, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    return word(e, buf);
}

/* Starts (start) or ends a mapping (mapping) or a sequence, in flow style
 * ({a: 1}, [1, 2]) or block style. */
static int collection(emitter *e, int mapping, int start, int flow)
{
    yaml_event_t ev;
    int ok;
    if (start && mapping)
        ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                                 flow ? YAML_FLOW_MAPPING_STYLE
                                                      : YAML_BLOCK_MAPPING_STYLE);
    else if (start)
        ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                                  flow ? YAML_FLOW_SEQUENCE_STYLE
                                                       : YAML_BLOCK_SEQUENCE_STYLE);
    else if (mapping)
        ok = yaml_mapping_end_event_initialize(&ev);
    else
        ok = yaml_sequence_end_event_initialize(&ev);
    if (!ok)
        return fail(e, KPI_EINTERNAL, OUT_OF_MEMORY);
    return emit(e, &ev);
}

static int mapping_start(emitter *e, int flow) { return collection(e, 1, 1, flow); }
static int mapping_end(emitter *e) { return collection(e, 1, 0, 0); }
static int sequence_start(emitter *e, int flow) { return collection(e, 0, 1, flow); }
static int sequence_end(emitter *e) { return collection(e, 0, 0, 0); }

/* The value of key k of sc. */
static int value(emitter *e, const kpi_scenario *sc, const kpi_key *k)
{
    const char *field = (const char *)sc + k->offset;
    int rc;
    uint64_t uv;
    double dv;
    char buf[32];
    switch (k->type) {
    case KPI_KT_TEXT:
    case KPI_KT_NAME:
        return scalar(e, field, strnlen(field, k->size), 1);
    case KPI_KT_INT:
    case KPI_KT_LONG:
        return whole(e, kpi_key_whole(k, sc));
    case KPI_KT_U64:
        memcpy(&uv, field, sizeof uv);
        snprintf(buf, sizeof buf, "%" PRIu64, uv);
        return word(e, buf);
    case KPI_KT_REAL:
    case KPI_KT_OPTREAL:
        memcpy(&dv, field, sizeof dv);
        return number(e, dv);
    case KPI_KT_FUNNEL: {
        kpi_funnel fn;
        char text[4 * 48 + 4];
        memcpy(&fn, field, sizeof fn);
        if (kpi_num_join(fn.stage, 4, ":", KPI_NUM_YAML, text, sizeof text) != 0)
            return fail(e, KPI_EINTERNAL, "cannot write the funnel: a stage is not finite");
        return scalar(e, text, strlen(text), 1);
    }
    case KPI_KT_GRADES: {
        double g[6];
        memcpy(g, field, sizeof g);
        if ((rc = mapping_start(e, 1)) != KPI_OK)
            return rc;
        for (int i = 0; i < 6; i++) {
            char letter[2] = {KPI_GRADES[i], '\0'};
            if ((rc = word(e, letter)) != KPI_OK || (rc = number(e, g[i])) != KPI_OK)
                return rc;
        }
        return mapping_end(e);
    }
    case KPI_KT_ORPHAN: {
        long long v = kpi_key_whole(k, sc);
        if (v == KPI_ORPHAN_REASSIGN || v == KPI_ORPHAN_LOSE)
            return word(e, kpi_orphan_words[v]);
        return fail(e, KPI_EINTERNAL, "cannot write the value: unknown orphan policy");
    }
    default:
        return fail(e, KPI_EINTERNAL, "cannot write the value: unknown key type");
    }
}

/* Whether key k is written for sc (see emit.h for the two exceptions). */
static int written(const kpi_scenario *sc, const kpi_key *k)
{
    if (strcmp(k->path, "clients.focus") == 0)
        return sc->clients.repeat_share < 0;
    if (strcmp(k->path, "clients.repeat_share") == 0)
        return sc->clients.repeat_share >= 0;
    if (strncmp(k->path, "assessment.", 11) == 0)
        return sc->assessment.enabled;
    return 1;
}

/* One event as a flow mapping: type, then the fields of its type. */
static int event(emitter *e, const kpi_event *ev)
{
    const char *type = kpi_event_type_name(ev->type);
    int rc;
    if (!type)
        return fail(e, KPI_EINTERNAL, "cannot write an event of unknown type");
    if ((rc = mapping_start(e, 1)) != KPI_OK || (rc = word(e, "type")) != KPI_OK ||
        (rc = word(e, type)) != KPI_OK)
        return rc;
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++) {
        const kpi_event_field *fd = &kpi_event_fields[f];
        const char *p = (const char *)ev + fd->offset;
        if (!(fd->types & (1u << ev->type)))
            continue;
        if ((rc = word(e, fd->name)) != KPI_OK)
            return rc;
        if (fd->whole) {
            int iv;
            memcpy(&iv, p, sizeof iv);
            rc = whole(e, iv);
        } else {
            double dv;
            memcpy(&dv, p, sizeof dv);
            rc = number(e, dv);
        }
        if (rc != KPI_OK)
            return rc;
    }
    return mapping_end(e);
}

/* The document body: the keys, then the events. */
static int body(emitter *e, const kpi_scenario *sc)
{
    char section[64] = "";     /* the open section, "" = top level */
    int rc;
    if ((rc = mapping_start(e, 0)) != KPI_OK)
        return rc;
    for (const kpi_key *k = kpi_keys; k->path; k++) {
        const char *dot = strchr(k->path, '.');
        char sec[64];
        if (!written(sc, k))
            continue;
        e->key = k->path;
        snprintf(sec, sizeof sec, "%.*s", dot ? (int)(dot - k->path) : 0, k->path);
        if (strcmp(sec, section) != 0) {
            if (section[0] && (rc = mapping_end(e)) != KPI_OK)
                return rc;
            if (sec[0] && ((rc = word(e, sec)) != KPI_OK || (rc = mapping_start(e, 0)) != KPI_OK))
                return rc;
            memcpy(section, sec, sizeof section);
        }
        if ((rc = word(e, dot ? dot + 1 : k->path)) != KPI_OK || (rc = value(e, sc, k)) != KPI_OK)
            return rc;
    }
    if (section[0] && (rc = mapping_end(e)) != KPI_OK)
        return rc;
    e->key = "events";
    if (sc->nevents < 0 || sc->nevents > KPI_MAX_EVENTS)
        return fail(e, KPI_EINTERNAL, "cannot write the events: their count is out of range");
    if ((rc = word(e, "events")) != KPI_OK || (rc = sequence_start(e, sc->nevents == 0)) != KPI_OK)
        return rc;
    for (int i = 0; i < sc->nevents; i++)
        if ((rc = event(e, &sc->events[i])) != KPI_OK)
            return rc;
    if ((rc = sequence_end(e)) != KPI_OK)
        return rc;
    e->key = NULL;
    return mapping_end(e);
}

int kpi_scenario_emit(const kpi_scenario *sc, FILE *f, kpi_error *err)
{
    emitter e;
    kpi_error local;
    yaml_event_t ev;
    int rc, ready = 0;

    memset(&e, 0, sizeof e);
    e.f = f;
    e.err = err ? err : &local;
    if (!yaml_emitter_initialize(&e.y)) {
        rc = fail(&e, KPI_EINTERNAL, OUT_OF_MEMORY);
        goto done;
    }
    ready = 1;
    yaml_emitter_set_output(&e.y, write_out, &e);
    yaml_emitter_set_unicode(&e.y, 1);     /* titles in Chinese or Russian stay readable */
    yaml_emitter_set_width(&e.y, -1);      /* one line a value: no folding of long text */
    yaml_emitter_set_indent(&e.y, 2);
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)) {
        rc = fail(&e, KPI_EINTERNAL, OUT_OF_MEMORY);
        goto done;
    }
    if ((rc = emit(&e, &ev)) != KPI_OK)
        goto done;
    if (!yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)) {
        rc = fail(&e, KPI_EINTERNAL, OUT_OF_MEMORY);
        goto done;
    }
    if ((rc = emit(&e, &ev)) != KPI_OK || (rc = body(&e, sc)) != KPI_OK)
        goto done;
    if (!yaml_document_end_event_initialize(&ev, 1)) {
        rc = fail(&e, KPI_EINTERNAL, OUT_OF_MEMORY);
        goto done;
    }
    if ((rc = emit(&e, &ev)) != KPI_OK)
        goto done;
    if (!yaml_stream_end_event_initialize(&ev)) {
        rc = fail(&e, KPI_EINTERNAL, OUT_OF_MEMORY);
        goto done;
    }
    if ((rc = emit(&e, &ev)) != KPI_OK)
        goto done;
    if (!yaml_emitter_flush(&e.y)) {
        rc = emitter_failed(&e);
        goto done;
    }
    errno = 0;
    if (fflush(f) != 0 || ferror(f)) {
        rc = fail_write(&e, errno ? errno : EIO);
        goto done;
    }
    rc = KPI_OK;

done:
    if (ready) {
        int saved = errno;
        yaml_emitter_delete(&e.y);
        errno = saved;
    }
    return rc;
}
