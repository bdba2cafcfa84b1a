/* cli_backtest.h: what `dealscore backtest` reads, measures and reports.
 *
 * cli_backtest.c reads the options and the deals and scores each closed deal
 * with every policy (one engine each); the library's backtest
 * (dealscore_backtest in lib/dealscore.h) reads outcomes, measures the results
 * and computes the statistics and --calibrate's fit; cli_backtest_report.c
 * prints the text or JSON report and writes the calibrated model file. */
#ifndef CLI_BACKTEST_H
#define CLI_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_csv.h"
#include "dealscore.h"

typedef struct bt_policy {
    char name[64];            /* the NAME of --policy NAME=FILE */
    const char *path;         /* FILE, or NULL for the bundled default */
    dealscore_engine *engine; /* its own policy set; ids checked per policy */
    const char *label;        /* "name@version", the engine's */
    long added[4];            /* closed deals by what dealscore_backtest_add did */
} bt_policy;

#define BT_MAX_POLICIES 16

typedef struct bt_options {
    const char *model, *output, *calibrate, *calibrate_policy;
    const char *as_of;                  /* --as-of: "YYYY-MM-DD", or "" */
    const char *instructions, *memory;  /* --policy-instructions, --policy-memory */
    dealscore_backtest_options measure; /* outcome mapping, bootstrap, seed, bins, holdout */
    bool json, quiet;
    cli_csv_options csv; /* CSV deals: --csv, --mapping, ... */
} bt_options;

typedef struct bt_run {
    bt_options opt;
    const dealscore_model *model;
    dealscore_backtest *measured; /* the library's: counts, measurements, statistics */
    bt_policy *policies;
    int n_policies;
    long errors;       /* closed deals a policy could not score */
    long errors_shown; /* of them, named on standard error */
} bt_run;

/* The policy named NAME, or NULL. */
bt_policy *bt_find_policy(bt_run *run, const char *name);

/* ---- the report (cli_backtest_report.c) ---- */

/* Writes the report; performs --calibrate (writes OUT.json). Returns the exit
 * status: CLI_OK, or CLI_USAGE when calibration is refused or cannot be written. */
int bt_report(bt_run *run, FILE *out);

#endif
