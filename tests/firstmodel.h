/*
 * firstmodel.h - the first model's law for the statistical tests that
 * check it (test_model.c, test_book.c, test_compare.c, test_explain.c):
 * the second wave's mechanisms switched off as docs/model.md "Switching
 * off" says (sales_cycle: ~, engagement: ~), the mature-market funnel of
 * F2 the tests' expectations are worked out for, and a flat lapse rate by
 * policy year.  What they check then is exactly the first model's law.
 */
#ifndef KPI_TEST_FIRSTMODEL_H
#define KPI_TEST_FIRSTMODEL_H

#include "kpisim.h"

static inline void first_model(kpi_scenario *sc)
{
    sc->sales_cycle.enabled = 0;
    sc->engagement.enabled = 0;
    sc->funnel.cold = (kpi_funnel){{10, 7, 3, 1}};
    sc->clients.lapse_first_year = sc->clients.lapse_per_year;
}

#endif /* KPI_TEST_FIRSTMODEL_H */
