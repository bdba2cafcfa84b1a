/* cli_csv.c: placeholder */
#include "cli_csv.h"
cli_csv *cli_csv_open(const score_options *o) {
    (void)o;
    fprintf(stderr, "dealscore: CSV input is not built yet\n");
    return NULL;
}
long long cli_csv_size(const cli_csv *c) {
    (void)c;
    return 0;
}
int cli_csv_run(cli_csv *c, cli_pipeline *p, long *e) {
    (void)c;
    (void)p;
    (void)e;
    return -1;
}
void cli_csv_close(cli_csv *c) {
    (void)c;
}
