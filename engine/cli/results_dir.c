/*
 * results_dir.c - what a results directory holds, for `kpisim plot` and
 * `kpisim report` alike: the kind of command that wrote it, told by the
 * file only that command writes (docs/charts.md, docs/report.md).
 */
#include "cli.h"

#include <stdio.h>
#include <sys/stat.h>

int cli_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cli_has_file(const char *dir, const char *name)
{
    char p[4096];
    return (size_t)snprintf(p, sizeof p, "%s/%s", dir, name) < sizeof p && cli_is_file(p);
}

/* The studies first: a sensitivity or calibration directory may hold
 * runs of its own. */
static const struct {
    const char *file, *main_csv;
    enum cli_dir_kind kind;
} kinds[] = {
    {"sensitivity.csv", "sensitivity.csv", CLI_DIR_SENSITIVITY},
    {"fit.csv", "fit.csv", CLI_DIR_CALIBRATE},
    {"sweep.csv", "sweep.csv", CLI_DIR_SWEEP},
    {"comparison.csv", "comparison.csv", CLI_DIR_COMPARE},
    {"monthly.csv", "summary.csv", CLI_DIR_RUN},
};

int cli_dir_kind(const char *dir, const char **main_csv)
{
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (cli_has_file(dir, kinds[i].file)) {
            if (main_csv)
                *main_csv = kinds[i].main_csv;
            return kinds[i].kind;
        }
    return CLI_DIR_NONE;
}
