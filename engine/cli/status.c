/*
 * status.c - how the commands end: errors printed once for the whole job (rank 0 of
 * an MPI job, after the ranks agreed) and the status returned as the exit
 * code.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_fail(const kpi_error *err)
{
    char buf[4096];
    if (cli_mpi_rank() == 0)
        fprintf(stderr, "kpisim: %s\n", kpi_error_format(err, buf, sizeof buf));
    return err->status ? err->status : KPI_EINTERNAL;
}

int cli_agreed(int rc, kpi_error *err)
{
    rc = cli_mpi_agree(rc, err);
    return rc == KPI_OK ? rc : cli_fail(err);
}

int cli_out_of_memory(void)
{
    fputs("kpisim: out of memory\n", stderr);
    return KPI_EINTERNAL;
}

int cli_oom_error(kpi_error *err)
{
    memset(err, 0, sizeof *err);
    err->status = KPI_EINTERNAL;
    strcpy(err->msg, "out of memory");
    return KPI_EINTERNAL;
}

void cli_say_interrupted(const char *outdir)
{
    fprintf(stderr, "kpisim: interrupted; nothing was written to %s "
                    "(its earlier files, if any, are intact)\n", outdir);
}

int cli_run_outcome(int rc, const char *outdir, const kpi_error *err)
{
    if (rc == KPI_ECANCEL) {
        if (cli_mpi_rank() == 0)
            cli_say_interrupted(outdir);
        return rc;
    }
    return rc == KPI_OK ? rc : cli_fail(err);
}
