/*
 * scenario.c - the scenario schema: the key table (with each key's range,
 * expect text and default, from which kpi_scenario_defaults is made), the
 * top-level names, the event schema (types, fields, defaults), and the
 * cross-key checks.
 *
 * The loader (load.c and load_*.c) reads files against these tables; the
 * emitter (emit.c) writes every key back from them; tests/test_docs.c
 * checks docs/scenarios.md and docs/model.md against them.  Each default
 * is explained, with its source, in docs/model.md.  Adding a key: a row
 * of kpi_keys[] and its rows in the two pages (test_docs says which are
 * missing).
 */
#include "scenario.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define OFF(f) offsetof(kpi_scenario, f)
#define SIZE(f) sizeof(((kpi_scenario *)0)->f)

/* A key's expect text is made from its numbers, so the two never
 * disagree: STR(600) is "600", STR(1e12) is "1e12".  Whole numbers say
 * "a whole number" and their unit; other numbers their noun; then the
 * range. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define RANGE(lo, hi) " in [" STR(lo) ", " STR(hi) "]"

#define TEXT(p, f) {p, KPI_KT_TEXT, OFF(f), SIZE(f), 0, 0, 0, NULL, "a text", "a text"}
#define WHOLE(p, t, f, unit, lo, hi, d) \
    {p, t, OFF(f), 0, lo, hi, d, NULL, "a whole number" unit, "a whole number" unit RANGE(lo, hi)}
#define INT(p, f, unit, lo, hi, d) WHOLE(p, KPI_KT_INT, f, unit, lo, hi, d)
#define REAL(p, f, noun, lo, hi, d) \
    {p, KPI_KT_REAL, OFF(f), 0, lo, hi, d, NULL, noun, noun RANGE(lo, hi)}
#define PROB(p, f, d) REAL(p, f, "a probability", 0, 1, d)
#define FUNNEL(p, f, def4) \
    {p, KPI_KT_FUNNEL, OFF(f), 0, 0, 0, 0, def4, "a funnel", \
     "a funnel \"prospects:contacts:meetings:sales\" that never grows"}
#define GRADES(p, f, noun, lo, hi, tail, def6) \
    {p, KPI_KT_GRADES, OFF(f), 0, lo, hi, 0, def6, "a mapping of grades", \
     "a mapping of grades A, B, C, D, E, N to " noun RANGE(lo, hi) tail}

#define MONTHS(p, f, noun, lo, hi, def12) \
    {p, KPI_KT_MONTHS, OFF(f), 0, lo, hi, 0, def12, "a list of 12 numbers", \
     "a list of 12 " noun ", January first, each" RANGE(lo, hi)}

/* The replications limit as digits (KPI_MAX_REPLICATIONS is a long
 * constant, 10000000L, which would print with its L). */
#define REPLICATIONS_MAX 10000000
_Static_assert(REPLICATIONS_MAX == KPI_MAX_REPLICATIONS, "REPLICATIONS_MAX");

static const double cold_funnel[4] = {40, 30, 10, 1};       /* F1 */
static const double referral_funnel[4] = {6, 5, 3, 1};
static const double old_client_funnel[4] = {3, 3, 2, 1};    /* F3 */
static const double grade_mix[6] = {0.10, 0.15, 0.05, 0.10, 0.20, 0.40};
static const double grade_rate[6] = {1.0, 0.3, 0.0, 0.3, 0.1, 0.0};
static const double need_grade_mix[6] = {0.50, 0.30, 0.05, 0.10, 0.05, 0.0};
static const double flat_year[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
static const double no_year[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

const kpi_key kpi_keys[] = {
    {"name", KPI_KT_NAME, OFF(name), SIZE(name), 0, 0, 0, NULL, "a name",
     "a name of letters, digits, '.', '_' or '-'"},
    INT("model_version", model_version, "", 1, KPI_MODEL_VERSION, KPI_MODEL_VERSION),
    TEXT("title", title),
    TEXT("description", description),
    TEXT("currency", currency),
    INT("months", months, " of months", 1, KPI_MAX_MONTHS, 12),
    INT("working_days", working_days, " of days", 1, KPI_MAX_WORKING_DAYS, 22),
    INT("calendar.start_month", start_month, "", 1, 12, 1),
    MONTHS("calendar.seasonality", seasonality, "effort multipliers", 0, 10, flat_year),
    WHOLE("replications", KPI_KT_LONG, replications, "", 1, REPLICATIONS_MAX, 1000),
    /* The date of the training slides (001). */
    {"seed", KPI_KT_U64, OFF(seed), 0, 0, 18446744073709551615.0, 20121013, NULL,
     "a whole number", "a whole number" RANGE(0, 18446744073709551615)},

    INT("team.headcount", team.headcount, " of agents", 0, KPI_MAX_HEADCOUNT, 20),
    REAL("team.initial_tenure_months", team.initial_tenure_months, "a number of months", 0, 600,
         24),
    REAL("team.skill_sd", team.skill_sd, "a standard deviation", 0, 2, 0.25),
    PROB("team.ramp_start", team.ramp_start, 0.3),
    REAL("team.ramp_months", team.ramp_months, "a number of months", 0, 120, 6),
    REAL("team.recruits_per_month", team.recruits_per_month, "a mean number of recruits", 0,
         10000, 1.0),
    REAL("team.recruits_per_agent", team.recruits_per_agent,
         "a mean number of recruits per agent", 0, 10, 0.0),
    PROB("team.attrition", team.attrition, 0.02),
    REAL("team.income_floor", team.income_floor, "an amount", 0, 1e12, 0),
    PROB("team.attrition_below_floor", team.attrition_below_floor, 0.10),

    REAL("activity.calls_per_day", activity.calls_per_day, "a mean number of calls", 0, 1000,
         10),                                                               /* M3 */
    REAL("activity.visits_per_day", activity.visits_per_day, "a number of visits", 0, 100,
         3),                                                                /* M3 */
    PROB("activity.compliance", activity.compliance, 0.7),
    REAL("activity.compliance_sd", activity.compliance_sd, "a standard deviation", 0, 0.5, 0.1),
    PROB("activity.off_plan_effort", activity.off_plan_effort, 0.3),
    REAL("activity.mood_sd", activity.mood_sd, "a standard deviation", 0, 2, 0.05),
    INT("activity.appointment_expiry_days", activity.appointment_expiry_days,
        " of working days", 1, KPI_MAX_EXPIRY_DAYS, 5),

    FUNNEL("funnel.cold", funnel.cold, cold_funnel),
    FUNNEL("funnel.referral", funnel.referral, referral_funnel),
    FUNNEL("funnel.old_client", funnel.old_client, old_client_funnel),

    PROB("clients.focus", clients.focus, 0.5),
    /* Optional: -1 stands for "not given" (the engine then keeps focus). */
    {"clients.repeat_share", KPI_KT_OPTREAL, OFF(clients.repeat_share), 0, 0, 1, -1, NULL,
     "a share of cases", "a share of cases" RANGE(0, 1)},
    REAL("clients.initial_per_agent", clients.initial_per_agent, "a number of clients", 0,
         10000, 30),                                                /* Customer 30 (B5) */
    GRADES("clients.grade_mix", clients.grade_mix, "shares", 0, 1, " that add up to 1",
           grade_mix),
    GRADES("clients.grade_rate", clients.grade_rate, "rates", 0, 1, "", grade_rate),
    GRADES("clients.need_grade_mix", clients.need_grade_mix, "shares", 0, 1,
           " that add up to 1", need_grade_mix),
    PROB("clients.need_per_year", clients.need_per_year, 0.35),
    REAL("clients.b_to_a_months", clients.b_to_a_months, "a number of months", 0, 600, 6),
    PROB("clients.lapse_per_year", clients.lapse_per_year, 0.05),
    PROB("clients.lapse_first_year", clients.lapse_first_year, 0.12),
    PROB("clients.lapse_if_unserved_per_year", clients.lapse_if_unserved_per_year, 0.15),
    REAL("clients.service_gap_months", clients.service_gap_months, "a number of months", 1, 600,
         12),
    PROB("clients.loss_if_unserved_per_year", clients.loss_if_unserved_per_year, 0.2),
    REAL("clients.policy_term_years", clients.policy_term_years, "a number of years", 1, 100,
         10),
    PROB("clients.matured_need", clients.matured_need, 0.7),
    REAL("clients.max_policies", clients.max_policies, "a number of policies", 1, 100,
         9),                                                  /* R1: 7-11 in a lifetime */
    REAL("clients.referrals_per_sale", clients.referrals_per_sale, "a mean number of referrals",
         0, 100, 0.5),
    REAL("clients.referrals_per_contact", clients.referrals_per_contact,
         "a mean number of referrals", 0, 100, 0.1),
    REAL("clients.referral_expiry_months", clients.referral_expiry_months, "a number of months",
         1, 600, 3),
    PROB("clients.upgrade_per_contact", clients.upgrade_per_contact, 0.2),
    PROB("clients.need_per_contact", clients.need_per_contact, 0.1),
    {"clients.orphan_policy", KPI_KT_ORPHAN, OFF(clients.orphan_policy), 0, 0, 0,
     KPI_ORPHAN_REASSIGN, NULL, "reassign or lose", "reassign or lose"},

    REAL("premium.mean", premium.mean, "an amount", 0, 1e12, 5000),
    REAL("premium.cv", premium.cv, "a coefficient of variation", 0, 10, 0.8),
    REAL("premium.repeat_multiplier", premium.repeat_multiplier, "a multiplier", 0, 100, 1.0),

    REAL("economics.commission_first_year", economics.commission_first_year, "a rate", 0, 10,
         0.9),
    REAL("economics.commission_renewal", economics.commission_renewal, "a rate", 0, 10, 0.08),
    REAL("economics.cost_per_new_client", economics.cost_per_new_client, "an amount", 0, 1e12,
         1500),
    REAL("economics.cost_per_contact", economics.cost_per_contact, "an amount", 0, 1e12, 75),
    REAL("economics.cost_per_agent_month", economics.cost_per_agent_month, "an amount", 0, 1e12,
         1000),
    PROB("economics.agent_commission", economics.agent_commission, 0.5),
    PROB("economics.agent_renewal_commission", economics.agent_renewal_commission, 0.04),
    REAL("economics.discount_rate", economics.discount_rate, "an annual rate", 0, 1, 0.08),

    REAL("assessment.min_cases", assessment.min_cases, "a number of cases", 0, 1000, 1),
    INT("assessment.grace_months", assessment.grace_months, " of months", 1, 120, 3),
    INT("assessment.exempt_months", assessment.exempt_months, " of months", 0, 120, 3),

    REAL("sales_cycle.meetings_cold", sales_cycle.meetings_cold, "a mean number of meetings", 1,
         20, 3),
    REAL("sales_cycle.meetings_referral", sales_cycle.meetings_referral,
         "a mean number of meetings", 1, 20, 2.5),
    INT("sales_cycle.days_between_meetings", sales_cycle.days_between_meetings,
        " of working days", 1, KPI_MAX_EXPIRY_DAYS, 5),
    INT("sales_cycle.issue_lag_days", sales_cycle.issue_lag_days, " of working days", 0, 132,
        15),
    PROB("sales_cycle.not_taken", sales_cycle.not_taken, 0.2),

    PROB("engagement.engaged_to_coasting", engagement.engaged_to_coasting, 0.08),
    PROB("engagement.engaged_to_dormant", engagement.engaged_to_dormant, 0.02),
    PROB("engagement.coasting_to_engaged", engagement.coasting_to_engaged, 0.25),
    PROB("engagement.coasting_to_dormant", engagement.coasting_to_dormant, 0.1),
    PROB("engagement.dormant_to_engaged", engagement.dormant_to_engaged, 0.05),
    PROB("engagement.dormant_to_coasting", engagement.dormant_to_coasting, 0.1),
    PROB("engagement.coasting_effort", engagement.coasting_effort, 0.3),
    REAL("engagement.no_case_factor", engagement.no_case_factor, "a multiplier", 0, 10, 1.5),
    REAL("engagement.case_factor", engagement.case_factor, "a multiplier", 0, 10, 1.5),
    REAL("engagement.new_agent_factor", engagement.new_agent_factor, "a multiplier", 0, 10, 1.5),
    REAL("engagement.new_agent_months", engagement.new_agent_months, "a number of months", 0,
         120, 12),
    REAL("engagement.mood_effect", engagement.mood_effect, "an elasticity", 0, 5, 1),
    PROB("engagement.initial_coasting", engagement.initial_coasting, 0.2),
    PROB("engagement.initial_dormant", engagement.initial_dormant, 0.2),
    PROB("engagement.recruit_coasting", engagement.recruit_coasting, 0.3),
    PROB("engagement.recruit_dormant", engagement.recruit_dormant, 0.1),

    INT("management.daily_meeting", management.daily_meeting, "", 0, 1, 0),
    REAL("management.meeting_up", management.meeting_up, "a multiplier", 0, 10, 1.25),
    REAL("management.meeting_down", management.meeting_down, "a multiplier", 0, 10, 0.8),
    INT("management.tracking", management.tracking, "", 0, 1, 0),
    REAL("management.tracking_odds", management.tracking_odds, "an odds multiplier", 1, 100,
         2.5),
    PROB("management.tracking_mood", management.tracking_mood, 0.5),
    PROB("management.resolve", management.resolve, 1),
    PROB("management.tracking_decay", management.tracking_decay, 0.25),
    INT("management.contests_per_year", management.contests_per_year, " of contests", 0, 12, 0),
    INT("management.coaching", management.coaching, "", 0, 1, 0),
    REAL("management.coaching_gain", management.coaching_gain, "a share of skill", 0, 10, 0.19),
    PROB("management.coaching_rate", management.coaching_rate, 0.2),
    REAL("management.recruiting_effort", management.recruiting_effort, "a recruits multiplier",
         0, 100, 1),
    MONTHS("management.campaign_months", management.campaign_months, "campaign shares", 0, 1,
           no_year),
    REAL("management.campaign_effort", management.campaign_effort, "an effort multiplier", 0,
         10, 1.6),
    REAL("management.mood_persistence", management.mood_persistence, "an autocorrelation", 0,
         0.95, 0),

    {NULL, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL}
};

const char *kpi_key_expect(const kpi_key *k, int grade, char *buf, size_t size)
{
    if (grade < 0)
        return k->expect;
    snprintf(buf, size, "a number in [%g, %g]", k->min, k->max);
    return buf;
}

long long kpi_key_whole(const kpi_key *k, const kpi_scenario *sc)
{
    const char *field = (const char *)sc + k->offset;
    if (k->type == KPI_KT_LONG) {
        long v;
        memcpy(&v, field, sizeof v);
        return v;
    }
    int v;
    memcpy(&v, field, sizeof v);
    return v;
}

void kpi_key_set_whole(const kpi_key *k, kpi_scenario *sc, long long v)
{
    char *field = (char *)sc + k->offset;
    if (k->type == KPI_KT_LONG) {
        long lv = (long)v;
        memcpy(field, &lv, sizeof lv);
    } else {
        int iv = (int)v;
        memcpy(field, &iv, sizeof iv);
    }
}

const char *const kpi_orphan_words[] = {
    [KPI_ORPHAN_REASSIGN] = "reassign", [KPI_ORPHAN_LOSE] = "lose", NULL
};

int kpi_orphan_find(const char *word)
{
    for (int i = 0; kpi_orphan_words[i]; i++)
        if (strcmp(kpi_orphan_words[i], word) == 0)
            return i;
    return -1;
}

/* Every key takes its default from the table; the exceptions are the
 * name ("default", a text) and the flags of the blocks (kpi_blocks: not
 * keys; assessment is off until a file gives assessment:, the sales cycle
 * and engagement are on until a file switches them off). */
void kpi_scenario_defaults(kpi_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    for (const kpi_key *k = kpi_keys; k->path; k++) {
        char *field = (char *)sc + k->offset;
        switch (k->type) {
        case KPI_KT_INT:
        case KPI_KT_LONG:
        case KPI_KT_ORPHAN:
            kpi_key_set_whole(k, sc, (long long)k->def);
            break;
        case KPI_KT_U64: {
            uint64_t v = (uint64_t)k->def;
            memcpy(field, &v, sizeof v);
            break;
        }
        case KPI_KT_REAL:
        case KPI_KT_OPTREAL:
            memcpy(field, &k->def, sizeof k->def);
            break;
        case KPI_KT_FUNNEL:
            memcpy(field, k->defs, 4 * sizeof *k->defs);
            break;
        case KPI_KT_GRADES:
            memcpy(field, k->defs, 6 * sizeof *k->defs);
            break;
        case KPI_KT_MONTHS:
            memcpy(field, k->defs, 12 * sizeof *k->defs);
            break;
        default:                 /* texts: empty */
            break;
        }
    }
    strcpy(sc->name, "default");
    for (const kpi_block *b = kpi_blocks; b->name; b++)
        kpi_block_set(b, sc, b->on);
    sc->nevents = 0;
}

const kpi_block kpi_blocks[] = {
    {"assessment", OFF(assessment.enabled), 0},
    {"sales_cycle", OFF(sales_cycle.enabled), 1},
    {"engagement", OFF(engagement.enabled), 1},
    {"management", OFF(management.enabled), 0},
    {NULL, 0, 0},
};

const kpi_block *kpi_block_find(const char *name)
{
    for (const kpi_block *b = kpi_blocks; b->name; b++)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

const kpi_block *kpi_block_of(const char *path)
{
    const char *dot = strchr(path, '.');
    if (!dot)
        return NULL;
    for (const kpi_block *b = kpi_blocks; b->name; b++)
        if (strlen(b->name) == (size_t)(dot - path) && strncmp(b->name, path, (size_t)(dot - path)) == 0)
            return b;
    return NULL;
}

int kpi_block_enabled(const kpi_block *b, const kpi_scenario *sc)
{
    int on;
    memcpy(&on, (const char *)sc + b->enabled, sizeof on);
    return on;
}

void kpi_block_set(const kpi_block *b, kpi_scenario *sc, int on)
{
    memcpy((char *)sc + b->enabled, &on, sizeof on);
}

size_t kpi_key_bytes(const kpi_key *k)
{
    switch (k->type) {
    case KPI_KT_TEXT:
    case KPI_KT_NAME:
        return k->size;
    case KPI_KT_INT:
    case KPI_KT_ORPHAN:
        return sizeof(int);
    case KPI_KT_LONG:
        return sizeof(long);
    case KPI_KT_U64:
        return sizeof(uint64_t);
    case KPI_KT_FUNNEL:
        return sizeof(kpi_funnel);
    case KPI_KT_GRADES:
        return 6 * sizeof(double);
    case KPI_KT_MONTHS:
        return 12 * sizeof(double);
    default:
        return sizeof(double);
    }
}

const kpi_key *kpi_key_find(const char *path)
{
    for (const kpi_key *k = kpi_keys; k->path; k++)
        if (strcmp(k->path, path) == 0)
            return k;
    return NULL;
}

const char *const kpi_sections[] = {
    "team", "activity", "funnel", "clients", "premium", "economics",
    "assessment", "sales_cycle", "engagement", "management", "calendar", "events", "extends", "sweep", NULL
};

int kpi_top_level_known(const char *name)
{
    const kpi_key *k = kpi_key_find(name);
    if (k && !strchr(name, '.'))
        return 1;
    for (size_t i = 0; kpi_sections[i]; i++)
        if (strcmp(kpi_sections[i], name) == 0)
            return 1;
    return 0;
}

const char *kpi_key_leaf(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

int kpi_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
}

/* ------------------------------------------------------------------ */
/* The event schema                                                    */
/* ------------------------------------------------------------------ */

/* Every event type and field, in one place: the loader reads events
 * against it, the emitter writes them from it, kpi_event_defaults fills
 * them from it and tests/test_docs.c checks docs/scenarios.md and
 * docs/model.md against it. */

const char *const kpi_event_types[KPI_EVENT_NTYPES + 1] = {
    "contest", "seminar", "thank_you_event", "recruiting_drive", "training", NULL
};

#define EV(t) (1u << (t))
#define EV_ALL ((1u << KPI_EVENT_NTYPES) - 1)
#define EVOFF(f) offsetof(kpi_event, f)
/* Defaults by type, in the order of enum kpi_event_type: contest, seminar,
 * thank_you_event, recruiting_drive, training.  A type that does not take
 * the field still gets a value, so that events compare with memcmp. */
#define ALL(x) x, x, x, x, x
#define EVWHOLE(n, types, f, unit, lo, hi, ...) \
    {n, types, 1, EVOFF(f), lo, hi, {__VA_ARGS__}, "a whole number" unit, \
     "a whole number" unit RANGE(lo, hi)}
#define EVREAL(n, types, f, noun, lo, hi, ...) \
    {n, types, 0, EVOFF(f), lo, hi, {__VA_ARGS__}, noun, noun RANGE(lo, hi)}

const kpi_event_field kpi_event_fields[KPI_EVENT_NFIELDS] = {
    /* month: required (0 = not given); the horizon is checked across keys. */
    EVWHOLE("month", EV_ALL, month, " month", 1, KPI_MAX_MONTHS, ALL(0)),
    EVWHOLE("days", EV(KPI_EVENT_CONTEST), days, " of working days", 1, KPI_MAX_WORKING_DAYS,
            ALL(10)),
    EVREAL("effort", EV(KPI_EVENT_CONTEST), effort, "an effort multiplier", 0, 10, ALL(1.3)),
    EVREAL("slump", EV(KPI_EVENT_CONTEST), slump, "an effort multiplier", 0, 10, ALL(0.9)),
    EVREAL("tier", EV(KPI_EVENT_SEMINAR), tier, "a premium multiplier", 0, 10, ALL(1.2)),
    EVREAL("uplift", EV(KPI_EVENT_SEMINAR) | EV(KPI_EVENT_TRAINING), uplift,
           "a conversion multiplier", 0, 10, 1.1, 1.1, 1.1, 1.1, 1.05),
    EVREAL("invited", EV(KPI_EVENT_SEMINAR) | EV(KPI_EVENT_THANK_YOU), invited,
           "a share of the client book", 0, 1, 0.1, 0.1, 0.2, 0.1, 0.1),
    EVREAL("factor", EV(KPI_EVENT_RECRUITING_DRIVE), factor, "a recruits multiplier", 0, 100,
           ALL(2.0)),
};

int kpi_event_field_find(const char *name)
{
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++)
        if (strcmp(kpi_event_fields[f].name, name) == 0)
            return f;
    return -1;
}

const char *kpi_event_type_name(int type)
{
    if (type < 0 || type >= KPI_EVENT_NTYPES)
        return NULL;
    return kpi_event_types[type];
}

int kpi_event_type_find(const char *name)
{
    for (int i = 0; i < KPI_EVENT_NTYPES; i++)
        if (strcmp(kpi_event_types[i], name) == 0)
            return i;
    return -1;
}

void kpi_event_defaults(kpi_event *ev, int type)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    if (type < 0 || type >= KPI_EVENT_NTYPES)
        return;
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++) {
        const kpi_event_field *fd = &kpi_event_fields[f];
        char *p = (char *)ev + fd->offset;
        if (fd->whole) {
            int v = (int)fd->def[type];
            memcpy(p, &v, sizeof v);
        } else {
            memcpy(p, &fd->def[type], sizeof fd->def[type]);
        }
    }
}

/* A funnel is valid when its first stage is positive and no stage is larger
 * than the one before it. */
static int funnel_ok(const kpi_funnel *f, char *msg, size_t msgsize)
{
    if (!(f->stage[0] > 0)) {
        snprintf(msg, msgsize, "expected a funnel whose first stage is positive, got %g",
                 f->stage[0]);
        return 0;
    }
    for (int i = 1; i < 4; i++) {
        if (!(f->stage[i] >= 0) || f->stage[i] > f->stage[i - 1]) {
            snprintf(msg, msgsize,
                     "expected a funnel whose stages never grow, got %g:%g:%g:%g "
                     "(stage %d is larger than stage %d)",
                     f->stage[0], f->stage[1], f->stage[2], f->stage[3], i + 1, i);
            return 0;
        }
    }
    return 1;
}

int kpi_scenario_check_keys(const kpi_scenario *sc, char *key, size_t keysize,
                            char *msg, size_t msgsize)
{
    const double c = sc->activity.compliance, s = sc->activity.compliance_sd;
    /* Agents' compliances follow a Beta law with this mean and standard
     * deviation, which exists only when s^2 < c (1 - c). */
    if (s > 0 && !(s * s < c * (1 - c))) {
        snprintf(key, keysize, "activity.compliance_sd");
        snprintf(msg, msgsize,
                 "expected a standard deviation below sqrt(c (1 - c)) = %.4g for "
                 "activity.compliance = %g, got %g",
                 sqrt(c * (1 - c)), c, s);
        return KPI_EDATA;
    }
    const struct { const char *k; const kpi_funnel *f; } funnels[] = {
        {"funnel.cold", &sc->funnel.cold},
        {"funnel.referral", &sc->funnel.referral},
        {"funnel.old_client", &sc->funnel.old_client},
    };
    for (size_t i = 0; i < 3; i++) {
        if (!funnel_ok(funnels[i].f, msg, msgsize)) {
            snprintf(key, keysize, "%s", funnels[i].k);
            return KPI_EDATA;
        }
    }
    double sum = 0;
    for (int g = 0; g < 6; g++)
        sum += sc->clients.grade_mix[g];
    if (fabs(sum - 1) > 1e-9) {
        snprintf(key, keysize, "clients.grade_mix");
        snprintf(msg, msgsize, "expected shares that add up to 1, got a total of %.10g", sum);
        return KPI_EDATA;
    }
    sum = 0;
    for (int g = 0; g < 6; g++)
        sum += sc->clients.need_grade_mix[g];
    if (fabs(sum - 1) > 1e-9 || sc->clients.need_grade_mix[5] != 0) {
        snprintf(key, keysize, "clients.need_grade_mix");
        snprintf(msg, msgsize,
                 "expected shares that add up to 1 with N at 0 (a new need is a need), "
                 "got a total of %.10g and N: %g", sum, sc->clients.need_grade_mix[5]);
        return KPI_EDATA;
    }
    if (sc->clients.grade_rate[2] != 0 || sc->clients.grade_rate[5] != 0) {
        snprintf(key, keysize, "clients.grade_rate");
        snprintf(msg, msgsize,
                 "expected rate 0 for grades C (declined for health) and N (no open need), "
                 "got C: %g, N: %g", sc->clients.grade_rate[2], sc->clients.grade_rate[5]);
        return KPI_EDATA;
    }
    for (int i = 0; i < sc->nevents; i++) {
        const kpi_event *ev = &sc->events[i];
        if (ev->month < 1 || ev->month > sc->months) {
            snprintf(key, keysize, "events[%d].month", i);
            snprintf(msg, msgsize, "expected a month of the horizon in [1, %d], got %d",
                     sc->months, ev->month);
            return KPI_EDATA;
        }
        if (ev->type == KPI_EVENT_CONTEST &&
            (ev->days < 1 || ev->days > sc->working_days)) {
            snprintf(key, keysize, "events[%d].days", i);
            snprintf(msg, msgsize, "expected a number of working days in [1, %d], got %d",
                     sc->working_days, ev->days);
            return KPI_EDATA;
        }
    }
    return KPI_OK;
}

int kpi_scenario_check(const kpi_scenario *sc, kpi_error *err)
{
    char key[256], msg[1024];
    int rc = kpi_scenario_check_keys(sc, key, sizeof key, msg, sizeof msg);
    if (rc != KPI_OK)
        return kpi_error_set(err, rc, key, "%s", msg);
    return rc;
}

static const char *const kpi_names[KPI_NKPI] = {
    "headcount", "recruits", "exits", "active_agents", "activity_rate",
    "calls", "calls_to_clients", "contacts", "appointments", "meetings",
    "appointments_lost", "cases", "cases_cold", "cases_referral", "cases_repeat",
    "cases_per_active", "premium", "premium_per_case", "repeat_share",
    "clients", "clients_paying", "clients_lapsed", "clients_lost", "referrals",
    "renewal_premium", "income", "cost", "profit",
    "calls_cold", "calls_referral", "contacts_cold", "contacts_referral", "contacts_clients",
    "appointments_cold", "appointments_referral", "appointments_clients", "meetings_cold",
    "meetings_referral", "meetings_clients",
    "first_meetings", "follow_up_meetings", "applications", "not_taken", "prospects_lost",
    "pipeline", "engaged_agents", "coasting_agents", "dormant_agents",
    "agents_0_cases", "agents_1_case", "agents_2_cases", "agents_3_4_cases",
    "agents_5plus_cases", "agent_commission", "clawback", "agent_income_mean"
};
_Static_assert(sizeof kpi_names / sizeof *kpi_names == KPI_NKPI, "a name per KPI");

static const char *const fig_names[KPI_NFIG] = {
    "total_premium", "total_cases", "final_headcount", "mean_headcount",
    "mean_activity_rate", "cases_per_active", "premium_per_case", "repeat_share",
    "repeat_share_last12", "total_calls", "total_meetings", "appointments_lost",
    "total_recruits", "total_exits", "final_clients", "clients_lost",
    "total_renewal_premium", "total_income", "total_cost", "profit",
    "top20_premium_share", "second_policy_36m_share", "premium_monthly_cv",
    "c1_cost_ratio", "premium_volatility", "discounted_profit", "total_applications",
    "not_taken_share", "cycle_days_mean", "recruit_retention_13m", "persistency_13m",
    "agent_income_mean", "total_clawback", "policies_per_client_y1", "model_version"
};
_Static_assert(sizeof fig_names / sizeof *fig_names == KPI_NFIG, "a name per figure");

/* The units beside the names (kpisim.h enum kpi_unit); a KPI or figure
 * not listed is a plain number. */
static const unsigned char kpi_units[KPI_NKPI] = {
    [KPI_HEADCOUNT] = KPI_UNIT_COUNT, [KPI_RECRUITS] = KPI_UNIT_COUNT,
    [KPI_EXITS] = KPI_UNIT_COUNT, [KPI_ACTIVE_AGENTS] = KPI_UNIT_COUNT,
    [KPI_ACTIVITY_RATE] = KPI_UNIT_SHARE, [KPI_CALLS] = KPI_UNIT_COUNT,
    [KPI_CALLS_TO_CLIENTS] = KPI_UNIT_COUNT, [KPI_CONTACTS] = KPI_UNIT_COUNT,
    [KPI_APPOINTMENTS] = KPI_UNIT_COUNT, [KPI_MEETINGS] = KPI_UNIT_COUNT,
    [KPI_APPOINTMENTS_LOST] = KPI_UNIT_COUNT, [KPI_CASES] = KPI_UNIT_COUNT,
    [KPI_CASES_COLD] = KPI_UNIT_COUNT, [KPI_CASES_REFERRAL] = KPI_UNIT_COUNT,
    [KPI_CASES_REPEAT] = KPI_UNIT_COUNT, [KPI_PREMIUM] = KPI_UNIT_MONEY,
    [KPI_PREMIUM_PER_CASE] = KPI_UNIT_MONEY, [KPI_REPEAT_SHARE] = KPI_UNIT_SHARE,
    [KPI_CLIENTS] = KPI_UNIT_COUNT, [KPI_CLIENTS_PAYING] = KPI_UNIT_COUNT,
    [KPI_CLIENTS_LAPSED] = KPI_UNIT_COUNT, [KPI_CLIENTS_LOST] = KPI_UNIT_COUNT,
    [KPI_REFERRALS] = KPI_UNIT_COUNT, [KPI_RENEWAL_PREMIUM] = KPI_UNIT_MONEY,
    [KPI_INCOME] = KPI_UNIT_MONEY, [KPI_COST] = KPI_UNIT_MONEY,
    [KPI_PROFIT] = KPI_UNIT_MONEY, [KPI_CALLS_COLD] = KPI_UNIT_COUNT,
    [KPI_CALLS_REFERRAL] = KPI_UNIT_COUNT, [KPI_CONTACTS_COLD] = KPI_UNIT_COUNT,
    [KPI_CONTACTS_REFERRAL] = KPI_UNIT_COUNT, [KPI_CONTACTS_CLIENTS] = KPI_UNIT_COUNT,
    [KPI_APPOINTMENTS_COLD] = KPI_UNIT_COUNT, [KPI_APPOINTMENTS_REFERRAL] = KPI_UNIT_COUNT,
    [KPI_APPOINTMENTS_CLIENTS] = KPI_UNIT_COUNT, [KPI_MEETINGS_COLD] = KPI_UNIT_COUNT,
    [KPI_MEETINGS_REFERRAL] = KPI_UNIT_COUNT, [KPI_MEETINGS_CLIENTS] = KPI_UNIT_COUNT,
    [KPI_FIRST_MEETINGS] = KPI_UNIT_COUNT, [KPI_FOLLOW_UP_MEETINGS] = KPI_UNIT_COUNT,
    [KPI_APPLICATIONS] = KPI_UNIT_COUNT, [KPI_NOT_TAKEN] = KPI_UNIT_COUNT,
    [KPI_PROSPECTS_LOST] = KPI_UNIT_COUNT, [KPI_PIPELINE] = KPI_UNIT_COUNT,
    [KPI_ENGAGED_AGENTS] = KPI_UNIT_COUNT, [KPI_COASTING_AGENTS] = KPI_UNIT_COUNT,
    [KPI_DORMANT_AGENTS] = KPI_UNIT_COUNT, [KPI_AGENTS_0_CASES] = KPI_UNIT_COUNT,
    [KPI_AGENTS_1_CASE] = KPI_UNIT_COUNT, [KPI_AGENTS_2_CASES] = KPI_UNIT_COUNT,
    [KPI_AGENTS_3_4_CASES] = KPI_UNIT_COUNT, [KPI_AGENTS_5PLUS_CASES] = KPI_UNIT_COUNT,
    [KPI_AGENT_COMMISSION] = KPI_UNIT_MONEY, [KPI_CLAWBACK] = KPI_UNIT_MONEY,
    [KPI_AGENT_INCOME_MEAN] = KPI_UNIT_MONEY,
};

static const unsigned char fig_units[KPI_NFIG] = {
    [KPI_FIG_TOTAL_PREMIUM] = KPI_UNIT_MONEY, [KPI_FIG_TOTAL_CASES] = KPI_UNIT_COUNT,
    [KPI_FIG_FINAL_HEADCOUNT] = KPI_UNIT_COUNT, [KPI_FIG_MEAN_ACTIVITY_RATE] = KPI_UNIT_SHARE,
    [KPI_FIG_PREMIUM_PER_CASE] = KPI_UNIT_MONEY, [KPI_FIG_REPEAT_SHARE] = KPI_UNIT_SHARE,
    [KPI_FIG_REPEAT_SHARE_LAST12] = KPI_UNIT_SHARE, [KPI_FIG_TOTAL_CALLS] = KPI_UNIT_COUNT,
    [KPI_FIG_TOTAL_MEETINGS] = KPI_UNIT_COUNT, [KPI_FIG_APPOINTMENTS_LOST] = KPI_UNIT_COUNT,
    [KPI_FIG_TOTAL_RECRUITS] = KPI_UNIT_COUNT, [KPI_FIG_TOTAL_EXITS] = KPI_UNIT_COUNT,
    [KPI_FIG_FINAL_CLIENTS] = KPI_UNIT_COUNT, [KPI_FIG_CLIENTS_LOST] = KPI_UNIT_COUNT,
    [KPI_FIG_TOTAL_RENEWAL_PREMIUM] = KPI_UNIT_MONEY, [KPI_FIG_TOTAL_INCOME] = KPI_UNIT_MONEY,
    [KPI_FIG_TOTAL_COST] = KPI_UNIT_MONEY, [KPI_FIG_PROFIT] = KPI_UNIT_MONEY,
    [KPI_FIG_TOP20_PREMIUM_SHARE] = KPI_UNIT_SHARE,
    [KPI_FIG_SECOND_POLICY_36M] = KPI_UNIT_SHARE,
    [KPI_FIG_DISCOUNTED_PROFIT] = KPI_UNIT_MONEY, [KPI_FIG_TOTAL_APPLICATIONS] = KPI_UNIT_COUNT,
    [KPI_FIG_NOT_TAKEN_SHARE] = KPI_UNIT_SHARE,
    [KPI_FIG_RECRUIT_RETENTION_13M] = KPI_UNIT_SHARE,
    [KPI_FIG_PERSISTENCY_13M] = KPI_UNIT_SHARE, [KPI_FIG_AGENT_INCOME_MEAN] = KPI_UNIT_MONEY,
    [KPI_FIG_TOTAL_CLAWBACK] = KPI_UNIT_MONEY, [KPI_FIG_MODEL_VERSION] = KPI_UNIT_COUNT,
};

int kpi_monthly_unit(int kpi)
{
    return kpi >= 0 && kpi < KPI_NKPI ? kpi_units[kpi] : KPI_UNIT_NUMBER;
}

int kpi_figure_unit(int fig)
{
    return fig >= 0 && fig < KPI_NFIG ? fig_units[fig] : KPI_UNIT_NUMBER;
}

const char *kpi_monthly_name(int kpi)
{
    return kpi >= 0 && kpi < KPI_NKPI ? kpi_names[kpi] : NULL;
}

const char *kpi_figure_name(int fig)
{
    return fig >= 0 && fig < KPI_NFIG ? fig_names[fig] : NULL;
}
