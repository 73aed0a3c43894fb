/*
 * management.h - the laws of the manager's levers (private to the
 * library): docs/model.md "Management levers".  Pure functions of the
 * scenario and of the month, shared by model.c, explain.c and the tests;
 * the state they carry from month to month (tracking strength, log mood)
 * lives in the model's workspace.
 *
 * Every lever is neutral when the management block is off or the lever
 * is not switched on, and the model then skips it, so that the law
 * without levers is reproduced bit for bit.
 */
#ifndef KPI_MANAGEMENT_H
#define KPI_MANAGEMENT_H

#include "scenario.h"

#include <math.h>

/* The tracking strength of month mo (0-based) from last month's prev and
 * the renewal uniform u (M4): 1 in month 1 and whenever the manager
 * renews tracking (u < resolve), else last month's strength less
 * tracking_decay of it.  0 when tracking is off. */
static inline double kpi_mgmt_strength(const kpi_scenario *sc, int mo, double prev, double u)
{
    if (!sc->management.enabled || !sc->management.tracking)
        return 0;
    if (mo == 0 || u < sc->management.resolve)
        return 1;
    return prev * (1 - sc->management.tracking_decay);
}

/* The odds multiplier of an on-plan day at tracking strength s:
 * tracking_odds^s (1 at strength 0). */
static inline double kpi_mgmt_odds(const kpi_scenario *sc, double s)
{
    return s > 0 ? pow(sc->management.tracking_odds, s) : 1.0;
}

/* An agent's compliance c with its odds multiplied by k:
 * c k / (1 - c + c k). */
static inline double kpi_mgmt_compliance(double c, double k)
{
    if (k == 1.0)
        return c;
    double d = 1 - c + c * k;
    return d > 0 ? c * k / d : 1.0;
}

/* The atmosphere that reaches the calls: the mood moved toward 1 by
 * tracking_mood x s (the standard is worked whatever the mood). */
static inline double kpi_mgmt_felt_mood(const kpi_scenario *sc, double mood, double s)
{
    if (!(s > 0) || sc->management.tracking_mood == 0)
        return mood;
    return 1 + (1 - sc->management.tracking_mood * s) * (mood - 1);
}

/* The multipliers of the engagement chain's downward and upward moves
 * this month (the daily meeting, K5). */
static inline void kpi_mgmt_chain(const kpi_scenario *sc, double *down, double *up)
{
    *down = *up = 1.0;
    if (sc->management.enabled && sc->management.daily_meeting) {
        *down = sc->management.meeting_down;
        *up = sc->management.meeting_up;
    }
}

/* The calendar month (0 = January) of month mo of the horizon. */
static inline int kpi_mgmt_calendar(const kpi_scenario *sc, int mo)
{
    return (sc->start_month - 1 + mo) % 12;
}

/* Whether the lever schedules a contest in month mo: k contests a year at
 * the calendar months c with (c k) mod 12 < k (k = 4: January, April,
 * July, October). */
static inline int kpi_mgmt_contest(const kpi_scenario *sc, int mo)
{
    int k = sc->management.enabled ? sc->management.contests_per_year : 0;
    return k > 0 && (kpi_mgmt_calendar(sc, mo) * k) % 12 < k;
}

/* The campaign's effort multiplier on calls in month mo:
 * 1 + (campaign_effort - 1) x the month's campaign share. */
static inline double kpi_mgmt_campaign(const kpi_scenario *sc, int mo)
{
    if (!sc->management.enabled)
        return 1.0;
    double w = sc->management.campaign_months[kpi_mgmt_calendar(sc, mo)];
    return w > 0 ? 1 + (sc->management.campaign_effort - 1) * w : 1.0;
}

/* Coaching's skill multiplier after k months of coaching (K4): the skill
 * rises toward (1 + coaching_gain) x its own, closing coaching_rate of the
 * gap every month: 1 + gain (1 - (1 - rate)^k). */
static inline double kpi_mgmt_coaching(const kpi_scenario *sc, double k)
{
    if (!sc->management.enabled || !sc->management.coaching || !(k > 0))
        return 1.0;
    return 1 + sc->management.coaching_gain * (1 - pow(1 - sc->management.coaching_rate, k));
}

/* The recruits multiplier (K4). */
static inline double kpi_mgmt_recruiting(const kpi_scenario *sc)
{
    return sc->management.enabled ? sc->management.recruiting_effort : 1.0;
}

/* The persistence of log mood (M1): 0 without the lever. */
static inline double kpi_mgmt_persistence(const kpi_scenario *sc)
{
    return sc->management.enabled ? sc->management.mood_persistence : 0.0;
}

#endif /* KPI_MANAGEMENT_H */
