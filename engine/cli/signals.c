/*
 * signals.c - Ctrl-C and SIGTERM: the handler sets a flag that the commands poll
 * (cli_interrupted) and that the library reads through kpi_run_opts, so a
 * run stops within a simulated month.  This file depends on no other part
 * of the CLI (mpi.c polls it while handing out sweep points).
 */
#include "cli.h"

#include <signal.h>
#include <string.h>

/* The only mutable global of the program, as a signal handler needs: the
 * library itself has none. */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

void cli_signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

int cli_interrupted(void)
{
    return interrupted != 0;
}

const volatile sig_atomic_t *cli_cancel_flag(void)
{
    return &interrupted;
}
