/*
 * fuzz_dict.c - prints the libFuzzer dictionary of the scenario loader
 * (`make fuzz` writes it to build-fuzz/fuzz/scenario.dict): every part of
 * every scenario key and event field from the tables the loader reads
 * (kpi_keys[], kpi_event_fields[]), the event types, orphan policies and
 * grades, the loader's own keys, and the YAML tokens that matter.  From
 * the tables, so that the dictionary never falls behind the schema.
 */
#include <stdio.h>
#include <string.h>

#include "load.h"
#include "scenario.h"

/* Prints the n bytes of s as a dictionary entry ("..." with \\, \" and
 * \xNN escapes), unless it was printed before. */
static void word(const char *s, size_t n)
{
    static char seen[512][64];
    static int nseen;
    if (n == 0 || n >= sizeof seen[0])
        return;
    for (int i = 0; i < nseen; i++)
        if (strlen(seen[i]) == n && memcmp(seen[i], s, n) == 0)
            return;
    if (nseen < (int)(sizeof seen / sizeof seen[0])) {
        memcpy(seen[nseen], s, n);
        seen[nseen++][n] = '\0';
    }
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            printf("\\x%02X", c);
        else
            putchar(c);
    }
    puts("\"");
}

static void words(const char *s)
{
    word(s, strlen(s));
}

int main(void)
{
    /* Words of the loader that no table holds: an event's type, a sweep
     * range's fields. */
    static const char *const loader_keys[] = {"type", "from", "to", "step", NULL};
    static const char *const yaml[] = {
        ": ", "- ", "---", "...", "{", "}", "[", "]", ", ", "&a ", "*a", "<<: ", "!!str ",
        "!!int ", "!!float ", "!!map", "!!seq", "%YAML 1.1", "%TAG ", "? ", "|", ">", "'",
        "\"", "#", "~", "null", "true", "false", ".inf", "-.inf", ".nan", "0x", "0o", "1e308",
        "-0", "\\u00e9", "\\t", "\r\n", "\xef\xbb\xbf", NULL};
    for (const kpi_key *k = kpi_keys; k->path; k++) {
        const char *p = k->path, *dot;
        words(p);
        while ((dot = strchr(p, '.')) != NULL) {
            word(p, (size_t)(dot - p));
            p = dot + 1;
        }
        words(p);
    }
    for (int i = 0; i < KPI_EVENT_NFIELDS; i++)
        words(kpi_event_fields[i].name);
    for (int t = 0; t < KPI_EVENT_NTYPES; t++)
        words(kpi_event_type_name(t));
    for (int i = 0; kpi_sections[i]; i++)
        words(kpi_sections[i]);
    for (int i = 0; kpi_orphan_words[i]; i++)
        words(kpi_orphan_words[i]);
    for (const char *g = KPI_GRADES; *g; g++)
        word(g, 1);
    for (int i = 0; loader_keys[i]; i++)
        words(loader_keys[i]);
    for (int i = 0; yaml[i]; i++)
        words(yaml[i]);
    return 0;
}
