#include "cli.h"
int cli_diff(int argc, char **argv) {
    (void)argc;
    (void)argv;
    return 2;
}
