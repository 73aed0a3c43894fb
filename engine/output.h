/*
 * output.h - atomic output files, directories and number formatting
 * (private to the library).
 *
 * The last stage of the pipeline: the writers (write.c, and later the
 * compare and sweep writers) never open a result file in place.  Each file
 * is written to a hidden temporary file in the same directory, flushed,
 * fsynced and closed with every result checked, and renamed over the final
 * name only when the caller decides that everything it writes succeeded:
 *
 *     kpi_outfile *of = kpi_outfile_open(dir, "monthly.csv", err);
 *     ... kpi_outfile_puts(of, ...) or fprintf(kpi_outfile_stream(of), ...)
 *     rc = kpi_outfile_finish(of, err);     (all writes done and on disk)
 *     rc = kpi_outfile_commit(of, err);     (renamed into place)
 *     ...or on any failure: kpi_outfile_discard(of);
 *
 * so a failed or interrupted run never leaves a half-written file and never
 * replaces a good file with a bad one.  Error messages name the final path:
 * "writing runs/x/monthly.csv failed: No space left on device".
 */
#ifndef KPI_OUTPUT_H
#define KPI_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "kpisim.h"
#include "num.h"   /* kpi_format_number, KPI_NUMBUF */

/* ------------------------------------------------------------------ */
/* Atomic output files                                                */
/* ------------------------------------------------------------------ */

typedef struct kpi_outfile kpi_outfile;

/* Creates a temporary file ".NAME.XXXXXX" in dir (which must exist), open
 * for writing, with the permissions of a newly created file (0666 less the
 * umask).  name is a plain file name, no '/'.  Returns the handle, or NULL
 * with err filled (KPI_ECREATE when the file cannot be created,
 * KPI_EINTERNAL when out of memory).  The caller owns the handle and ends
 * it with kpi_outfile_commit or kpi_outfile_discard. */
kpi_outfile *kpi_outfile_open(const char *dir, const char *name, kpi_error *err);

/* The open stream, for writers that want stdio (e.g. the YAML emitter).
 * NULL after kpi_outfile_finish.  Write errors on it are caught by
 * kpi_outfile_finish through the stream's error indicator. */
FILE *kpi_outfile_stream(kpi_outfile *of);

/* The final path, "DIR/NAME", for messages. */
const char *kpi_outfile_path(const kpi_outfile *of);

/* Writes s.  Returns 0, or -1 once any write to this file has failed (the
 * first failure's errno is kept for kpi_outfile_finish's message, and
 * nothing more is written), so long loops can stop early. */
int kpi_outfile_puts(kpi_outfile *of, const char *s);

/* Writes s as one RFC 4180 CSV field: as is, or in double quotes (inner
 * quotes doubled) when it holds a comma, a quote, CR or LF.  Returns as
 * kpi_outfile_puts. */
int kpi_outfile_csv_field(kpi_outfile *of, const char *s);

/* Notes that a write to the stream failed, with the errno it set (0: not
 * known), unless an earlier failure was already noted.  For writers that
 * use kpi_outfile_stream directly. */
void kpi_outfile_fail(kpi_outfile *of, int errnum);

/* Flushes, fsyncs and closes the temporary file, checking every step and
 * every earlier write.  Returns KPI_OK, or KPI_EIO with the message
 * "writing DIR/NAME failed: REASON".  Calling it twice is harmless. */
int kpi_outfile_finish(kpi_outfile *of, kpi_error *err);

/* Finishes the file if that was not done, renames it to its final name
 * (replacing any file there) and fsyncs the directory so that the rename
 * survives a crash: kpi_outset_commit of a set of this one file.  Always
 * frees of; on failure the temporary file is removed and any earlier file
 * is left in place.  Returns KPI_OK, KPI_EIO or KPI_EINTERNAL. */
int kpi_outfile_commit(kpi_outfile *of, kpi_error *err);

/* Closes and removes the temporary file and frees of.  Accepts NULL, and a
 * file already finished. */
void kpi_outfile_discard(kpi_outfile *of);

/* ------------------------------------------------------------------ */
/* Output sets (kpi_outset, kpisim.h): files committed together        */
/* ------------------------------------------------------------------ */

/* Finishes of (kpi_outfile_finish) and adds it to the set, which owns it
 * from now on, also when this fails (it is then discarded).  Returns
 * KPI_OK, KPI_EIO (the finish failed) or KPI_EINTERNAL. */
int kpi_outset_add(kpi_outset *set, kpi_outfile *of, kpi_error *err);

/* Adds the removal of DIR/NAME, if it is there, to the set: a stale file
 * of an earlier run that the new files must not sit beside.  Returns
 * KPI_OK or KPI_EINTERNAL. */
int kpi_outset_remove(kpi_outset *set, const char *dir, const char *name, kpi_error *err);

/* Adds the removal of the charts of DIR/plots (the files `kpisim plot`
 * writes there, nothing else; with compare, also the scenarios' run
 * charts NAME-CHART of a compare's DIR) to the set: a set that replaces
 * DIR's results must not leave charts of the earlier results beside them.
 * No DIR/plots is fine.  Returns KPI_OK, KPI_ECREATE (DIR/plots cannot be
 * read) or KPI_EINTERNAL. */
int kpi_outset_remove_charts(kpi_outset *set, const char *dir, int compare, kpi_error *err);

/* ------------------------------------------------------------------ */
/* Directories                                                        */
/* ------------------------------------------------------------------ */

/* Creates dir and any missing parents (mode 0777 less the umask, like
 * mkdir -p).  An existing directory is fine.  Returns KPI_OK, or
 * KPI_ECREATE with "cannot create directory DIR: REASON", or "cannot
 * create directory DIR: PARENT: REASON" when a parent failed;
 * KPI_EINTERNAL when out of memory. */
int kpi_mkdir_p(const char *dir, kpi_error *err);

/* A value of the given unit (kpisim.h enum kpi_unit) as the CSV files
 * write it: money rounded to whole cents (kpi_round_cents), any other
 * value as it is (write.c). */
double kpi_csv_value(double x, int unit);

/* The replications *n and the shortest horizon *months of the nsc results
 * of a comparison written to dir (compare.c, for comparison.csv and its
 * long form); with same_replications, results of different replications
 * are an internal error.  Returns KPI_OK, or KPI_EINTERNAL (no scenario,
 * different replications) set in err. */
int kpi_comparison_span(const char *dir, const kpi_results *const *res, int nsc,
                        int same_replications, size_t *n, int *months, kpi_error *err);

#endif /* KPI_OUTPUT_H */
