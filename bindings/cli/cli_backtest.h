/* cli_backtest.h: what `dealscore backtest` collects, computes and reports.
 *
 * cli_backtest.c scores the closed deals with each policy and fills one
 * bt_policy per policy (viability and outcome per deal, firing counts per rule
 * and factor); cli_backtest_stats.c turns them into statistics (with
 * core/ds_stats.c) and performs --calibrate; cli_backtest_report.c prints the
 * text or JSON report. */
#ifndef CLI_BACKTEST_H
#define CLI_BACKTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_csv.h"
#include "dealscore.h"
#include "ds_idset.h"
#include "ds_stats.h"
#include "dsl.h"

/* A rule (from "reasons") or a factor (from the explain factors) and how often it
 * fired among won and among lost deals, each deal counted once. */
typedef struct bt_feature {
    char *name; /* "no_champion", or "it_resistance.m1_it_champion" */
    bool is_rule;
    long fired_won, fired_lost;
    long last_deal; /* the deal that last counted it, so a deal counts once */
} bt_feature;

typedef struct bt_policy {
    char name[64];            /* the NAME of --policy NAME=FILE */
    const char *path;         /* FILE, or NULL for the bundled default */
    dealscore_engine *engine; /* its own policy set; ids checked per policy */
    const char *label;        /* "name@version", the engine's */
    /* per scored closed deal */
    double *viability;
    unsigned char *won;
    long *deal; /* which closed deal (0, 1, ...), to pair policies on the same deals */
    size_t n, cap;
    long n_won, n_lost, errors;
    /* closed deals the policy gave insufficient_data (too little known to judge):
     * not measured unless --measure-insufficient (docs/backtest.md) */
    long insufficient_won, insufficient_lost;
    bt_feature *features;
    size_t n_features, cap_features;
} bt_policy;

#define BT_MAX_VALUES 16
#define BT_MAX_POLICIES 16

typedef struct bt_options {
    const char *model, *output, *calibrate, *calibrate_policy;
    int as_of_day;                     /* --as-of, or DS_NO_DATE */
    const char *instructions, *memory; /* --policy-instructions, --policy-memory */
    const char *outcome_field;
    const char *won[BT_MAX_VALUES], *lost[BT_MAX_VALUES];
    int n_won_values, n_lost_values;
    bool json, quiet;
    bool measure_insufficient; /* --measure-insufficient */
    uint64_t seed;
    int bootstrap, bins;
    double holdout;
    cli_csv_options csv; /* CSV deals: --csv, --mapping, ... */
} bt_options;

typedef struct bt_run {
    bt_options opt;
    const ds_params *params;
    bt_policy *policies;
    int n_policies;
    long read, closed, open, no_outcome, unreadable;
    long errors_shown;
} bt_run;

/* ---- statistics (cli_backtest_stats.c) ---- */

typedef struct bt_stats {
    double auc, auc_se;
    ds_interval auc_ci;
    size_t paired;           /* deals the first policy scored too */
    double auc_diff;         /* AUC minus the first policy's, on those deals */
    ds_interval auc_diff_ci; /* paired bootstrap */
    bool from_model;         /* win probability from the model's calibration */
    ds_platt platt;          /* else the in-sample fit */
    double rate, brier, brier_base, log_loss;
    ds_bin *bins;
} bt_stats;

/* --calibrate: the held-out check and the fit written to the model file */
typedef struct bt_calibration {
    bt_policy *bp;
    bool refused;
    size_t train, test, test_won;
    ds_platt train_fit, fit;
    double auc, brier, brier_base, log_loss, mean_p, rate, rate_lo, rate_hi;
    ds_interval auc_ci;
    ds_bin *bins;
} bt_calibration;

/* The policy named NAME, or NULL. */
bt_policy *bt_find_policy(bt_run *run, const char *name);

/* Minimum won and lost deals for --calibrate. */
enum { BT_MIN_CLASS = 40 };

/* AUC, its intervals, the win probability and its scores, the reliability table. */
int bt_policy_stats(const bt_run *run, bt_policy *bp, bt_stats *st);
/* The AUC difference to the first policy, on the deals both scored. */
int bt_compare_with_first(const bt_run *run, const bt_policy *bp, bt_stats *st);
/* --calibrate: picks the policy; refuses below BT_MIN_CLASS; else the held-out
 * check and the final fit. Returns -1 when memory runs out. */
int bt_prepare_calibration(bt_run *run, bt_calibration *c);
/* Writes --calibrate's file: the model in use with its calibration section. */
int bt_write_model(const bt_run *run, const bt_calibration *c);
/* A rounded JSON number, or null when not finite. */
cJSON *bt_num(double x, int decimals);

/* ---- the report (cli_backtest_report.c) ---- */

/* Writes the report; performs --calibrate (writes OUT.json). Returns the exit
 * status: CLI_OK, or CLI_USAGE when calibration is refused or cannot be written. */
int bt_report(bt_run *run, FILE *out);

#endif
