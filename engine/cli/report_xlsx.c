/*
 * report_xlsx.c - DIR/report.xlsx of `kpisim report --xlsx` (docs/report.md).
 */
#include "cli.h"
#include "report.h"

int rpt_xlsx(rpt_doc *d)
{
    (void)d;
    fprintf(stderr, "kpisim: report: --xlsx is not implemented yet\n");
    return KPI_EINTERNAL;
}
