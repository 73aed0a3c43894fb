/*
 * scenario.c - the scenario schema: defaults, the key table, cross-key checks.
 *
 * The loader (load.c) reads files against this table; the emitter (emit.c)
 * writes every key of it back.  Each default is explained, with its source,
 * in docs/model.md.
 */
#include "scenario.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

void kpi_scenario_defaults(kpi_scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    strcpy(sc->name, "default");
    sc->months = 12;
    sc->working_days = 22;
    sc->replications = 1000;
    sc->seed = 20121013u;   /* the date of the training slides (001) */

    sc->team.headcount = 20;
    sc->team.initial_tenure_months = 24;
    sc->team.skill_sd = 0.25;
    sc->team.ramp_start = 0.3;
    sc->team.ramp_months = 6;
    sc->team.recruits_per_month = 1.0;
    sc->team.recruits_per_agent = 0.0;
    sc->team.attrition = 0.02;
    sc->team.income_floor = 0;
    sc->team.attrition_below_floor = 0.10;

    sc->activity.calls_per_day = 10;      /* M3 */
    sc->activity.visits_per_day = 3;      /* M3 */
    sc->activity.compliance = 0.7;
    sc->activity.compliance_sd = 0.1;
    sc->activity.off_plan_effort = 0.3;
    sc->activity.mood_sd = 0.05;
    sc->activity.appointment_expiry_days = 5;

    sc->funnel.cold = (kpi_funnel){{10, 7, 3, 1}};       /* F2 */
    sc->funnel.referral = (kpi_funnel){{6, 5, 3, 1}};
    sc->funnel.old_client = (kpi_funnel){{3, 3, 2, 1}};  /* F3 */

    sc->clients.focus = 0.5;
    sc->clients.repeat_share = -1;
    sc->clients.initial_per_agent = 30;   /* Customer 30 (B5) */
    {
        static const double mix[6] = {0.10, 0.15, 0.05, 0.10, 0.20, 0.40};
        static const double rate[6] = {1.0, 0.3, 0.0, 0.3, 0.1, 0.0};
        static const double need[6] = {0.50, 0.30, 0.05, 0.10, 0.05, 0.0};
        memcpy(sc->clients.grade_mix, mix, sizeof mix);
        memcpy(sc->clients.grade_rate, rate, sizeof rate);
        memcpy(sc->clients.need_grade_mix, need, sizeof need);
    }
    sc->clients.need_per_year = 0.35;
    sc->clients.b_to_a_months = 6;
    sc->clients.lapse_per_year = 0.05;
    sc->clients.lapse_if_unserved_per_year = 0.15;
    sc->clients.service_gap_months = 12;
    sc->clients.loss_if_unserved_per_year = 0.2;
    sc->clients.policy_term_years = 10;
    sc->clients.matured_need = 0.7;
    sc->clients.max_policies = 9;         /* R1: 7-11 in a lifetime */
    sc->clients.referrals_per_sale = 0.5;
    sc->clients.referrals_per_contact = 0.1;
    sc->clients.referral_expiry_months = 3;
    sc->clients.upgrade_per_contact = 0.2;
    sc->clients.need_per_contact = 0.1;
    sc->clients.orphan_policy = KPI_ORPHAN_REASSIGN;

    sc->premium.mean = 5000;
    sc->premium.cv = 0.8;
    sc->premium.repeat_multiplier = 1.0;

    sc->economics.commission_first_year = 0.5;
    sc->economics.commission_renewal = 0.05;
    sc->economics.cost_per_new_client = 800;
    sc->economics.cost_per_contact = 75;
    sc->economics.cost_per_agent_month = 2000;
    sc->economics.agent_commission = 0.3;

    sc->assessment.enabled = 0;
    sc->assessment.min_cases = 1;
    sc->assessment.grace_months = 3;
    sc->assessment.exempt_months = 3;

    sc->nevents = 0;
}

#define OFF(f) offsetof(kpi_scenario, f)
#define TEXT(p, f, e) {p, KPI_KT_TEXT, OFF(f), sizeof(((kpi_scenario *)0)->f), 0, 0, e}
#define NUM(p, t, f, lo, hi, e) {p, t, OFF(f), 0, lo, hi, e}
#define PROB(p, f) NUM(p, KPI_KT_REAL, f, 0, 1, "a probability in [0, 1]")

const kpi_key kpi_keys[] = {
    {"name", KPI_KT_NAME, OFF(name), sizeof(((kpi_scenario *)0)->name), 0, 0,
     "a name of letters, digits, '.', '_' or '-'"},
    TEXT("title", title, "a text"),
    TEXT("description", description, "a text"),
    NUM("months", KPI_KT_INT, months, 1, KPI_MAX_MONTHS, "a whole number of months in [1, 600]"),
    NUM("working_days", KPI_KT_INT, working_days, 1, KPI_MAX_WORKING_DAYS,
        "a whole number of days in [1, 31]"),
    NUM("replications", KPI_KT_LONG, replications, 1, (double)KPI_MAX_REPLICATIONS,
        "a whole number in [1, 10000000]"),
    NUM("seed", KPI_KT_U64, seed, 0, 18446744073709551615.0,
        "a whole number in [0, 18446744073709551615]"),

    NUM("team.headcount", KPI_KT_INT, team.headcount, 0, KPI_MAX_HEADCOUNT,
        "a whole number of agents in [0, 100000]"),
    NUM("team.initial_tenure_months", KPI_KT_REAL, team.initial_tenure_months, 0, 600,
        "a number of months in [0, 600]"),
    NUM("team.skill_sd", KPI_KT_REAL, team.skill_sd, 0, 2, "a standard deviation in [0, 2]"),
    PROB("team.ramp_start", team.ramp_start),
    NUM("team.ramp_months", KPI_KT_REAL, team.ramp_months, 0, 120, "a number of months in [0, 120]"),
    NUM("team.recruits_per_month", KPI_KT_REAL, team.recruits_per_month, 0, 10000,
        "a mean number of recruits in [0, 10000]"),
    NUM("team.recruits_per_agent", KPI_KT_REAL, team.recruits_per_agent, 0, 10,
        "a mean number of recruits per agent in [0, 10]"),
    PROB("team.attrition", team.attrition),
    NUM("team.income_floor", KPI_KT_REAL, team.income_floor, 0, 1e12, "an amount in [0, 1e12]"),
    PROB("team.attrition_below_floor", team.attrition_below_floor),

    NUM("activity.calls_per_day", KPI_KT_REAL, activity.calls_per_day, 0, 1000,
        "a mean number of calls in [0, 1000]"),
    NUM("activity.visits_per_day", KPI_KT_REAL, activity.visits_per_day, 0, 100,
        "a number of visits in [0, 100]"),
    PROB("activity.compliance", activity.compliance),
    NUM("activity.compliance_sd", KPI_KT_REAL, activity.compliance_sd, 0, 0.5,
        "a standard deviation in [0, 0.5]"),
    PROB("activity.off_plan_effort", activity.off_plan_effort),
    NUM("activity.mood_sd", KPI_KT_REAL, activity.mood_sd, 0, 2, "a standard deviation in [0, 2]"),
    NUM("activity.appointment_expiry_days", KPI_KT_INT, activity.appointment_expiry_days, 1,
        KPI_MAX_EXPIRY_DAYS, "a whole number of working days in [1, 66]"),

    {"funnel.cold", KPI_KT_FUNNEL, OFF(funnel.cold), 0, 0, 0,
     "a funnel \"prospects:contacts:meetings:sales\" that never grows"},
    {"funnel.referral", KPI_KT_FUNNEL, OFF(funnel.referral), 0, 0, 0,
     "a funnel \"prospects:contacts:meetings:sales\" that never grows"},
    {"funnel.old_client", KPI_KT_FUNNEL, OFF(funnel.old_client), 0, 0, 0,
     "a funnel \"prospects:contacts:meetings:sales\" that never grows"},

    PROB("clients.focus", clients.focus),
    {"clients.repeat_share", KPI_KT_OPTREAL, OFF(clients.repeat_share), 0, 0, 1,
     "a share of cases in [0, 1]"},
    NUM("clients.initial_per_agent", KPI_KT_REAL, clients.initial_per_agent, 0, 10000,
        "a number of clients in [0, 10000]"),
    {"clients.grade_mix", KPI_KT_GRADES, OFF(clients.grade_mix), 0, 0, 1,
     "a mapping of grades A, B, C, D, E, N to shares in [0, 1] that add up to 1"},
    {"clients.grade_rate", KPI_KT_GRADES, OFF(clients.grade_rate), 0, 0, 1,
     "a mapping of grades A, B, C, D, E, N to rates in [0, 1]"},
    {"clients.need_grade_mix", KPI_KT_GRADES, OFF(clients.need_grade_mix), 0, 0, 1,
     "a mapping of grades A, B, C, D, E, N to shares in [0, 1] that add up to 1"},
    PROB("clients.need_per_year", clients.need_per_year),
    NUM("clients.b_to_a_months", KPI_KT_REAL, clients.b_to_a_months, 0, 600,
        "a number of months in [0, 600]"),
    PROB("clients.lapse_per_year", clients.lapse_per_year),
    PROB("clients.lapse_if_unserved_per_year", clients.lapse_if_unserved_per_year),
    NUM("clients.service_gap_months", KPI_KT_REAL, clients.service_gap_months, 1, 600,
        "a number of months in [1, 600]"),
    PROB("clients.loss_if_unserved_per_year", clients.loss_if_unserved_per_year),
    NUM("clients.policy_term_years", KPI_KT_REAL, clients.policy_term_years, 1, 100,
        "a number of years in [1, 100]"),
    PROB("clients.matured_need", clients.matured_need),
    NUM("clients.max_policies", KPI_KT_REAL, clients.max_policies, 1, 100,
        "a number of policies in [1, 100]"),
    NUM("clients.referrals_per_sale", KPI_KT_REAL, clients.referrals_per_sale, 0, 100,
        "a mean number of referrals in [0, 100]"),
    NUM("clients.referrals_per_contact", KPI_KT_REAL, clients.referrals_per_contact, 0, 100,
        "a mean number of referrals in [0, 100]"),
    NUM("clients.referral_expiry_months", KPI_KT_REAL, clients.referral_expiry_months, 1, 600,
        "a number of months in [1, 600]"),
    PROB("clients.upgrade_per_contact", clients.upgrade_per_contact),
    PROB("clients.need_per_contact", clients.need_per_contact),
    {"clients.orphan_policy", KPI_KT_ORPHAN, OFF(clients.orphan_policy), 0, 0, 0,
     "reassign or lose"},

    NUM("premium.mean", KPI_KT_REAL, premium.mean, 0, 1e12, "an amount in [0, 1e12]"),
    NUM("premium.cv", KPI_KT_REAL, premium.cv, 0, 10, "a coefficient of variation in [0, 10]"),
    NUM("premium.repeat_multiplier", KPI_KT_REAL, premium.repeat_multiplier, 0, 100,
        "a multiplier in [0, 100]"),

    NUM("economics.commission_first_year", KPI_KT_REAL, economics.commission_first_year, 0, 10,
        "a rate in [0, 10]"),
    NUM("economics.commission_renewal", KPI_KT_REAL, economics.commission_renewal, 0, 10,
        "a rate in [0, 10]"),
    NUM("economics.cost_per_new_client", KPI_KT_REAL, economics.cost_per_new_client, 0, 1e12,
        "an amount in [0, 1e12]"),
    NUM("economics.cost_per_contact", KPI_KT_REAL, economics.cost_per_contact, 0, 1e12,
        "an amount in [0, 1e12]"),
    NUM("economics.cost_per_agent_month", KPI_KT_REAL, economics.cost_per_agent_month, 0, 1e12,
        "an amount in [0, 1e12]"),
    PROB("economics.agent_commission", economics.agent_commission),

    NUM("assessment.min_cases", KPI_KT_REAL, assessment.min_cases, 0, 1000,
        "a number of cases in [0, 1000]"),
    NUM("assessment.grace_months", KPI_KT_INT, assessment.grace_months, 1, 120,
        "a whole number of months in [1, 120]"),
    NUM("assessment.exempt_months", KPI_KT_INT, assessment.exempt_months, 0, 120,
        "a whole number of months in [0, 120]"),

    {NULL, 0, 0, 0, 0, 0, NULL}
};

const kpi_key *kpi_key_find(const char *path)
{
    for (const kpi_key *k = kpi_keys; k->path; k++)
        if (strcmp(k->path, path) == 0)
            return k;
    return NULL;
}

const char *const kpi_sections[] = {
    "team", "activity", "funnel", "clients", "premium", "economics",
    "assessment", "events", "extends", "sweep", NULL
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

#define EV(t) (1u << (t))
#define EV_ALL ((1u << KPI_EVENT_NTYPES) - 1)

const kpi_event_field kpi_event_fields[KPI_EVENT_NFIELDS] = {
    {"month", EV_ALL, 1, offsetof(kpi_event, month), 1, KPI_MAX_MONTHS,
     "a whole number month in [1, 600]"},
    {"days", EV(KPI_EVENT_CONTEST), 1, offsetof(kpi_event, days), 1, 31,
     "a whole number of working days in [1, 31]"},
    {"effort", EV(KPI_EVENT_CONTEST), 0, offsetof(kpi_event, effort), 0, 10,
     "an effort multiplier in [0, 10]"},
    {"slump", EV(KPI_EVENT_CONTEST), 0, offsetof(kpi_event, slump), 0, 10,
     "an effort multiplier in [0, 10]"},
    {"tier", EV(KPI_EVENT_SEMINAR), 0, offsetof(kpi_event, tier), 0, 10,
     "a premium multiplier in [0, 10]"},
    {"uplift", EV(KPI_EVENT_SEMINAR) | EV(KPI_EVENT_TRAINING), 0,
     offsetof(kpi_event, uplift), 0, 10, "a conversion multiplier in [0, 10]"},
    {"invited", EV(KPI_EVENT_SEMINAR) | EV(KPI_EVENT_THANK_YOU), 0,
     offsetof(kpi_event, invited), 0, 1, "a share of the client book in [0, 1]"},
    {"factor", EV(KPI_EVENT_RECRUITING_DRIVE), 0, offsetof(kpi_event, factor), 0, 100,
     "a recruits multiplier in [0, 100]"},
};

int kpi_event_field_find(const char *name)
{
    for (int f = 0; f < KPI_EVENT_NFIELDS; f++)
        if (strcmp(kpi_event_fields[f].name, name) == 0)
            return f;
    return -1;
}

static const char *const event_names[] = {
    "contest", "seminar", "thank_you_event", "recruiting_drive", "training"
};

const char *kpi_event_type_name(int type)
{
    if (type < 0 || type >= (int)(sizeof event_names / sizeof *event_names))
        return NULL;
    return event_names[type];
}

int kpi_event_type_find(const char *name)
{
    for (int i = 0; i < (int)(sizeof event_names / sizeof *event_names); i++)
        if (strcmp(event_names[i], name) == 0)
            return i;
    return -1;
}

void kpi_event_defaults(kpi_event *ev, int type)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->month = 0;       /* required: the loader insists on it */
    ev->days = 10;
    ev->effort = 1.3;
    ev->slump = 0.9;
    ev->tier = 1.2;
    ev->uplift = type == KPI_EVENT_TRAINING ? 1.05 : 1.1;
    ev->invited = type == KPI_EVENT_THANK_YOU ? 0.2 : 0.1;
    ev->factor = 2.0;
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
    if (rc != KPI_OK && err) {
        memset(err, 0, sizeof *err);
        err->status = rc;
        snprintf(err->key, sizeof err->key, "%s", key);
        snprintf(err->msg, sizeof err->msg, "%s", msg);
    }
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
    "meetings_referral", "meetings_clients"
};

static const char *const fig_names[KPI_NFIG] = {
    "total_premium", "total_cases", "final_headcount", "mean_headcount",
    "mean_activity_rate", "cases_per_active", "premium_per_case", "repeat_share",
    "repeat_share_last12", "total_calls", "total_meetings", "appointments_lost",
    "total_recruits", "total_exits", "final_clients", "clients_lost",
    "total_renewal_premium", "total_income", "total_cost", "profit",
    "top20_premium_share", "second_policy_36m_share", "premium_monthly_cv",
    "c1_cost_ratio"
};

const char *kpi_kpi_name(int kpi)
{
    return kpi >= 0 && kpi < KPI_NKPI ? kpi_names[kpi] : NULL;
}

const char *kpi_figure_name(int fig)
{
    return fig >= 0 && fig < KPI_NFIG ? fig_names[fig] : NULL;
}
