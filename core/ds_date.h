/* ds_date.h: calendar dates as day numbers, for contact ages and decay. */
#ifndef DS_DATE_H
#define DS_DATE_H

#include <limits.h>
#include <stdbool.h>

#define DS_NO_DATE INT_MIN

/* Parses exactly "YYYY-MM-DD" naming a real calendar day into days since
 * 1970-01-01. Returns false for anything else. */
bool ds_date_parse(const char *s, int *days);
/* Writes "YYYY-MM-DD" (11 bytes with the NUL) for a day number. */
void ds_date_format(int days, char out[11]);

#endif
