/*
 * suggest.h - did-you-mean for mistyped words and keys (private to the
 * library).
 */
#ifndef KPI_SUGGEST_H
#define KPI_SUGGEST_H

#include <stddef.h>

/* The closest of the NULL-terminated words to word, or NULL when none is
 * close (at most a third of the word's letters wrong). */
const char *kpi_suggest_word(const char *word, const char *const *words);

/* The known scenario key closest to leaf written in section ("" = top
 * level): the full path is compared with every key path and top-level
 * name, and the leaf with every key's leaf (so that calls_per_day at the
 * top level finds activity.calls_per_day).  Ties go to the same section.
 * NULL when nothing is close. */
const char *kpi_suggest_key(const char *section, const char *leaf);

/* The key a manager's word means ("agents" -> "team.headcount", "hires"
 * -> "team.recruits_per_month", "calls" -> "activity.calls_per_day"), case
 * and '-' ignored; NULL when the word is not in the table. */
const char *kpi_suggest_synonym(const char *leaf);

/* The keys of section, comma-separated leaves ("" = the top level: its
 * keys, then the sections as "team:", ...), cut to fit buf. */
void kpi_suggest_list(const char *section, char *buf, size_t size);

#endif /* KPI_SUGGEST_H */
