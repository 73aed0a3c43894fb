/*
 * suggest.h - did-you-mean for mistyped words and keys (private to the
 * library).
 */
#ifndef KPI_SUGGEST_H
#define KPI_SUGGEST_H

/* The closest of the NULL-terminated words to word, or NULL when none is
 * close (at most a third of the word's letters wrong). */
const char *kpi_suggest_word(const char *word, const char *const *words);

/* The known scenario key closest to leaf written in section ("" = top
 * level): the full path is compared with every key path and top-level
 * name, and the leaf with every key's leaf (so that calls_per_day at the
 * top level finds activity.calls_per_day).  Ties go to the same section.
 * NULL when nothing is close. */
const char *kpi_suggest_key(const char *section, const char *leaf);

#endif /* KPI_SUGGEST_H */
