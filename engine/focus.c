/*
 * focus.c - the client focus that yields a target repeat-sale share
 * (kpi_scenario_resolve_focus).  Not `calibrate`: that name is kept for
 * fitting a scenario to a team's history.
 *
 * Managers speak of the share of sales that come from old clients (R2:
 * 40%, R3: 70%), the model of the share of calls made to the book
 * (clients.focus).  Given clients.repeat_share, this finds the focus whose
 * realised share of repeat cases over the horizon, pooled over a pilot of
 * replications, is the target: a one-dimensional root search.  The pilot
 * replications are the run's own first replications, so every evaluation
 * uses the same random streams (common random numbers) and the realised
 * share is a smooth, increasing function of the focus rather than a noisy
 * one.  docs/model.md "Repeat share as an input" states the tolerance.
 */
#include "error.h"
#include "kpisim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pilot size, absolute tolerance on the share, and the smallest bracket. */
#define PILOT_MAX 500
#define SHARE_TOL 0.002
#define FOCUS_TOL 1e-4
#define MAX_ITER 60

typedef struct pilot {
    kpi_scenario sc;
    kpi_run_opts opts;
    long n;
    double *monthly, *figures;
} pilot;

/* Realised repeat share at focus f: repeat cases / cases, pooled over the
 * pilot replications and months. */
static int share_at(pilot *p, double f, double *share, kpi_error *err)
{
    p->sc.clients.focus = f;
    int rc = kpi_run_range(&p->sc, &p->opts, 0, p->n, p->monthly, p->figures, err);
    if (rc != KPI_OK)
        return rc;
    double rep = 0, cases = 0;
    size_t rows = (size_t)p->n * (size_t)p->sc.months;
    for (size_t i = 0; i < rows; i++) {
        rep += p->monthly[i * KPI_NKPI + KPI_CASES_REPEAT];
        cases += p->monthly[i * KPI_NKPI + KPI_CASES];
    }
    *share = cases > 0 ? rep / cases : 0;
    return KPI_OK;
}

int kpi_scenario_resolve_focus(kpi_scenario *sc, const kpi_run_opts *opts,
                               kpi_focus_report *report, kpi_error *err)
{
    if (report)
        memset(report, 0, sizeof *report);
    if (sc->clients.repeat_share < 0)
        return KPI_OK;
    const double target = sc->clients.repeat_share;
    pilot p;
    p.sc = *sc;
    p.sc.clients.repeat_share = -1;
    p.opts = *opts;
    p.n = opts->replications < PILOT_MAX ? opts->replications : PILOT_MAX;
    size_t mrows = (size_t)p.n * (size_t)sc->months;
    p.monthly = malloc(mrows * KPI_NKPI * sizeof *p.monthly);
    p.figures = malloc((size_t)p.n * KPI_NFIG * sizeof *p.figures);
    if (!p.monthly || !p.figures) {
        free(p.monthly);
        free(p.figures);
        return kpi_error_oom(err, "for the pilot runs");
    }

    /* The share is 0 at focus 0 and largest at focus 1 (more calls to the
     * book, more repeat cases): bracket [0, 1], then the Illinois variant
     * of regula falsi, which keeps the bracket and converges superlinearly
     * on a monotone function. */
    int rc;
    int iters = 0;
    double lo = 0, hi = 1, slo, shi, f = 0, s = 0;
    if ((rc = share_at(&p, lo, &slo, err)) != KPI_OK ||
        (rc = share_at(&p, hi, &shi, err)) != KPI_OK)
        goto done;
    iters = 2;
    if (target > shi + SHARE_TOL) {
        rc = kpi_error_set(err, KPI_EDATA, "clients.repeat_share",
                  "no client focus in [0, 1] reaches a repeat share of %g: even with every "
                  "call to the book the share is %.4g (the book is too small or converts too "
                  "little; grow clients.initial_per_agent or the old-client funnel)",
                  target, shi);
        goto done;
    }
    if (target < slo - SHARE_TOL) {
        rc = kpi_error_set(err, KPI_EDATA, "clients.repeat_share",
                  "no client focus in [0, 1] gives a repeat share as low as %g: at focus 0 "
                  "it is %.4g", target, slo);
        goto done;
    }
    if (fabs(slo - target) <= SHARE_TOL) {
        f = lo;
        s = slo;
    } else if (fabs(shi - target) <= SHARE_TOL) {
        f = hi;
        s = shi;
    } else {
        double glo = slo - target, ghi = shi - target;
        int side = 0;
        for (;;) {
            f = (lo * ghi - hi * glo) / (ghi - glo);
            if (!(f > lo && f < hi))
                f = 0.5 * (lo + hi);
            if ((rc = share_at(&p, f, &s, err)) != KPI_OK)
                goto done;
            iters++;
            double g = s - target;
            if (fabs(g) <= SHARE_TOL || hi - lo <= FOCUS_TOL || iters >= MAX_ITER)
                break;
            if ((g > 0) == (ghi > 0)) {
                hi = f;
                ghi = g;
                if (side == 1)
                    glo /= 2;
                side = 1;
            } else {
                lo = f;
                glo = g;
                if (side == -1)
                    ghi /= 2;
                side = -1;
            }
        }
    }
    sc->clients.focus = f;
    sc->clients.repeat_share = -1;
    if (report) {
        report->target = target;
        report->focus = f;
        report->achieved = s;
        report->pilot = p.n;
        report->evaluations = iters;
    }
    rc = KPI_OK;
done:
    free(p.monthly);
    free(p.figures);
    return rc;
}
