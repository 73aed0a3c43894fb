/*
 * suggest.c - did-you-mean: the known word or scenario key closest to one
 * that was mistyped, by edit distance (see suggest.h).  The loader and the
 * sweep file reader word their "unknown key" messages with it.
 */
#include "suggest.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "scenario.h"

#define SUGGEST_MAX_LEN 64

/* Optimal string alignment distance (Levenshtein plus swaps of two
 * neighbours, the commonest typo).  Strings longer than SUGGEST_MAX_LEN
 * bytes are never close to anything: INT_MAX / 2.  (The check is here, not
 * only in the callers: a section and a leaf of 64 bytes each once made a
 * 129-byte path that overran the table; tests/regression/.) */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > SUGGEST_MAX_LEN || lb > SUGGEST_MAX_LEN)
        return INT_MAX / 2;
    int d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

/* Close enough to suggest: at most a third of the word's letters wrong. */
static int close_enough(int dist, const char *word)
{
    int limit = (int)strlen(word) / 3;
    return dist <= (limit < 1 ? 1 : limit);
}

/* The closest of the NULL-terminated words to word, or NULL. */
const char *kpi_suggest_word(const char *word, const char *const *words)
{
    const char *best = NULL;
    int bestd = INT_MAX;
    if (strlen(word) > SUGGEST_MAX_LEN)
        return NULL;
    for (; *words; words++) {
        if (strlen(*words) > SUGGEST_MAX_LEN)
            continue;
        int d = edit_distance(word, *words);
        if (d < bestd) {
            bestd = d;
            best = *words;
        }
    }
    return best && close_enough(bestd, word) ? best : NULL;
}

/* Whether path lies in section ("" = top level). */
static int in_section(const char *path, const char *section)
{
    size_t n = strlen(section);
    if (n == 0)
        return strchr(path, '.') == NULL;
    return strncmp(path, section, n) == 0 && path[n] == '.' && !strchr(path + n + 1, '.');
}

/* The known key closest to leaf written in section ("" = top level):
 * compares the full path with every key path and section name, and the
 * leaf with every key's leaf (so that calls_per_day at the top level finds
 * activity.calls_per_day).  Ties go to the same section.  NULL when
 * nothing is close. */
const char *kpi_suggest_key(const char *section, const char *leaf)
{
    char typed[SUGGEST_MAX_LEN * 2 + 2];
    const char *best = NULL;
    int bestd = INT_MAX, best_same = 0;
    if (strlen(leaf) > SUGGEST_MAX_LEN || strlen(section) > SUGGEST_MAX_LEN)
        return NULL;
    snprintf(typed, sizeof typed, "%s%s%s", section, *section ? "." : "", leaf);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0;; i++) {
            const char *cand = pass == 0 ? kpi_keys[i].path : kpi_sections[i];
            if (!cand)
                break;
            if (strlen(cand) > SUGGEST_MAX_LEN)
                continue;
            int d = edit_distance(typed, cand);
            int dl = edit_distance(leaf, kpi_key_leaf(cand));
            if (dl < d)
                d = dl;
            int same = pass == 0 ? in_section(cand, section) : *section == '\0';
            if (d < bestd || (d == bestd && same && !best_same)) {
                bestd = d;
                best = cand;
                best_same = same;
            }
        }
    }
    return best && close_enough(bestd, leaf) ? best : NULL;
}


/* Words a manager tries for a key, and the key they mean.  Checked
 * against kpi_keys[] when used: a key renamed in the table is simply not
 * suggested. */
static const struct synonym {
    const char *word, *key;
} synonyms[] = {
    {"agents", "team.headcount"},
    {"agent", "team.headcount"},
    {"team_size", "team.headcount"},
    {"size", "team.headcount"},
    {"people", "team.headcount"},
    {"staff", "team.headcount"},
    {"hires", "team.recruits_per_month"},
    {"hires_per_month", "team.recruits_per_month"},
    {"recruits", "team.recruits_per_month"},
    {"new_agents", "team.recruits_per_month"},
    {"recruitment", "team.recruits_per_month"},
    {"turnover", "team.attrition"},
    {"churn", "team.attrition"},
    {"quits", "team.attrition"},
    {"calls", "activity.calls_per_day"},
    {"dials", "activity.calls_per_day"},
    {"phone_calls", "activity.calls_per_day"},
    {"calls_per_agent", "activity.calls_per_day"},
    {"visits", "activity.visits_per_day"},
    {"meetings", "activity.visits_per_day"},
    {"meetings_per_day", "activity.visits_per_day"},
    {"appointments", "activity.visits_per_day"},
    {"appointments_per_day", "activity.visits_per_day"},
    {"discipline", "activity.compliance"},
    {"average_premium", "premium.mean"},
    {"avg_premium", "premium.mean"},
    {"ticket", "premium.mean"},
    {"policy_size", "premium.mean"},
    {"commission", "economics.commission_first_year"},
    {"cost", "economics.cost_per_agent_month"},
    {"costs", "economics.cost_per_agent_month"},
    {"salary", "economics.cost_per_agent_month"},
    {"clients_per_agent", "clients.initial_per_agent"},
    {"book", "clients.initial_per_agent"},
    {"lapse", "clients.lapse_per_year"},
    {"lapse_rate", "clients.lapse_per_year"},
    {"referrals", "clients.referrals_per_sale"},
    {"training_months", "team.ramp_months"},
    {"ramp", "team.ramp_months"},
    {"horizon", "months"},
    {"duration", "months"},
    {"runs", "replications"},
    {"simulations", "replications"},
    {"iterations", "replications"},
    {"random_seed", "seed"},
};

const char *kpi_suggest_synonym(const char *leaf)
{
    char low[SUGGEST_MAX_LEN + 1];
    size_t n = strlen(leaf);
    if (n > SUGGEST_MAX_LEN)
        return NULL;
    /* "Agents", "hires-per-month", "Calls Per Day" are the same word. */
    for (size_t i = 0; i <= n; i++) {
        char c = leaf[i];
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c == '-' || c == ' ' ? '_' : c);
    }
    for (size_t i = 0; i < sizeof synonyms / sizeof *synonyms; i++)
        if (strcmp(low, synonyms[i].word) == 0 && kpi_key_find(synonyms[i].key))
            return synonyms[i].key;
    return NULL;
}

void kpi_suggest_list(const char *section, char *buf, size_t size)
{
    size_t o = 0;
    int first = 1;
    if (size == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; kpi_keys[i].path && o + 1 < size; i++) {
        const char *p = kpi_keys[i].path;
        if (!in_section(p, section))
            continue;
        int w = snprintf(buf + o, size - o, "%s%s", first ? "" : ", ", kpi_key_leaf(p));
        if (w < 0 || (size_t)w >= size - o) {
            buf[o] = '\0';
            return;
        }
        o += (size_t)w;
        first = 0;
    }
    if (*section == '\0')
        for (size_t i = 0; kpi_sections[i] && o + 1 < size; i++) {
            int w = snprintf(buf + o, size - o, "%s%s:", first ? "" : ", ", kpi_sections[i]);
            if (w < 0 || (size_t)w >= size - o) {
                buf[o] = '\0';
                return;
            }
            o += (size_t)w;
            first = 0;
        }
}
