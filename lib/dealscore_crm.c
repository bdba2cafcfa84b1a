/* dealscore_crm.c: CRM export specifics of the CSV import; see dealscore_crm.h.
 *
 * Kept apart from the column translation (dealscore_mapping.c) and the join
 * (dealscore_csv.c): those read any CSV; this knows what CRM exports are like. The
 * mapping keys read here ("titles", "report_footer", and per section
 * "inferred", "lookups", "evidence") are checked when the run starts, so a typo
 * is a setup error naming the key. */
#include "dealscore_crm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ds_home.h"
#include "ds_idset.h"
#include "ds_title.h"

#define MAX_NAMED 8 /* absent columns named one by one */

typedef struct contact {
    char *id;
    uint64_t hash;
    cJSON *obj; /* NULL: the row could not be read */
    long line;  /* of its row in the contacts file */
} contact;

struct dscsv_crm {
    const dscsv_mapping *mapping;
    const cJSON *json;
    ds_titles *titles; /* NULL: no inference */
    bool report_footer;
    dscsv_say say; /* where messages go */
    /* --contacts */
    const char *contacts_file;
    contact *contacts; /* open addressing */
    size_t mask, n_contacts;
    long missing; /* stakeholder rows whose contact is not in the file */
    char first_missing[80];
    long errors;
    /* the file being read, for footers */
    const char *file;
    int width;
    long footer_rows, footer_line;
    /* a deal row's contact ids (deals.contact_ids): HubSpot's Associated Contact IDs */
    const char *ids_column;
    const char *ids_separators;
    int ids_index; /* in the deals file's header, or -1 */
    char ids_header[64];
};

static const char *const section_names[] = {"deals", "stakeholders", "relationships", "contacts"};

static const cJSON *section(const dscsv_crm *c, dscsv_table t) {
    return cJSON_GetObjectItemCaseSensitive(c->json, section_names[t]);
}

static const cJSON *section_key(const dscsv_crm *c, dscsv_table t, const char *key) {
    return cJSON_GetObjectItemCaseSensitive(section(c, t), key);
}

/* ---- checking the mapping's keys ---- */

static int check_inferred(const cJSON *sec, const char *name, char *err, size_t len) {
    const cJSON *inf = cJSON_GetObjectItemCaseSensitive(sec, "inferred");
    if (!inf) return 0;
    if (!cJSON_IsObject(inf)) {
        snprintf(err, len, "%s.inferred: must be an object of field: source", name);
        return -1;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, inf) {
        if (!cJSON_IsString(item)) {
            snprintf(err, len, "%s.inferred.%s: must be a string (what it is inferred from)", name,
                     item->string);
            return -1;
        }
        if (strcmp(name, "deals") == 0 && strncmp(item->string, "solution.", 9) != 0) {
            snprintf(err, len, "%s.inferred.%s: only solution fields are marked inferred", name,
                     item->string);
            return -1;
        }
    }
    return 0;
}

static int check_evidence(const cJSON *ev, char *err, size_t len) {
    if (!ev) return 0;
    if (!cJSON_IsObject(ev)) {
        snprintf(err, len, "deals.evidence: must be an object of column: {field, value|values}");
        return -1;
    }
    const cJSON *spec;
    cJSON_ArrayForEach(spec, ev) {
        const cJSON *field = cJSON_GetObjectItemCaseSensitive(spec, "field");
        const cJSON *item;
        static const char *const keys[] = {"field", "value", "values", NULL};
        if (!cJSON_IsObject(spec)) {
            snprintf(err, len, "deals.evidence.\"%s\": must be an object", spec->string);
            return -1;
        }
        cJSON_ArrayForEach(item, spec) if (ds_enum_lookup(keys, item->string) < 0) {
            snprintf(err, len, "deals.evidence.\"%s\".%s: unknown key", spec->string, item->string);
            return -1;
        }
        if (!cJSON_IsString(field) || strncmp(field->valuestring, "solution.", 9) != 0) {
            snprintf(err, len, "deals.evidence.\"%s\".field: must name a solution field",
                     spec->string);
            return -1;
        }
        const cJSON *values = cJSON_GetObjectItemCaseSensitive(spec, "values");
        if (!cJSON_GetObjectItemCaseSensitive(spec, "value") && !cJSON_IsObject(values)) {
            snprintf(err, len, "deals.evidence.\"%s\": needs a value or an object of values",
                     spec->string);
            return -1;
        }
    }
    return 0;
}

/* deals.contact_ids (a column listing the deal's contacts by id) and
 * contact_separator: strings, in the deals section only. */
static int check_contact_ids(const cJSON *json, char *err, size_t len) {
    static const char *const keys[] = {"contact_ids", "contact_separator"};
    for (int t = 0; t < 4; t++) {
        const cJSON *sec = cJSON_GetObjectItemCaseSensitive(json, section_names[t]);
        for (int k = 0; k < 2; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(sec, keys[k]);
            if (!v) continue;
            if (t != 0) {
                snprintf(err, len, "%s.%s: only deals name their contacts (deals.%s)",
                         section_names[t], keys[k], keys[k]);
                return -1;
            }
            if (!cJSON_IsString(v) || !v->valuestring[0]) {
                snprintf(err, len, "deals.%s: must be a non-empty string (%s)", keys[k],
                         k ? "the characters that separate ids" : "a column of contact ids");
                return -1;
            }
        }
    }
    return 0;
}

static int check_keys(const cJSON *json, char *err, size_t len) {
    static const char *const flags[] = {"titles", "report_footer"};
    if (check_contact_ids(json, err, len) < 0) return -1;
    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(json, flags[i]);
        if (v && !cJSON_IsBool(v)) {
            snprintf(err, len, "%s: must be true or false", flags[i]);
            return -1;
        }
    }
    for (int t = 0; t < 4; t++)
        if (check_inferred(cJSON_GetObjectItemCaseSensitive(json, section_names[t]),
                           section_names[t], err, len) < 0)
            return -1;
    const cJSON *deals = cJSON_GetObjectItemCaseSensitive(json, "deals");
    const cJSON *lookups = cJSON_GetObjectItemCaseSensitive(deals, "lookups");
    if (lookups) {
        const cJSON *item;
        if (!cJSON_IsObject(lookups)) {
            snprintf(err, len, "deals.lookups: must be an object of column: fields to set");
            return -1;
        }
        cJSON_ArrayForEach(item, lookups) if (!cJSON_IsObject(item)) {
            snprintf(err, len, "deals.lookups.\"%s\": must be an object of fields to set",
                     item->string);
            return -1;
        }
    }
    return check_evidence(cJSON_GetObjectItemCaseSensitive(deals, "evidence"), err, len);
}

/* ---- paths and marks ---- */

static cJSON *get_path(const cJSON *obj, const char *path) {
    char part[128];
    const char *dot;
    while ((dot = strchr(path, '.'))) {
        snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
        obj = cJSON_GetObjectItemCaseSensitive(obj, part);
        path = dot + 1;
    }
    return cJSON_GetObjectItemCaseSensitive(obj, path);
}

static cJSON *object_at(cJSON *obj, const char *key) {
    cJSON *o = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!o) o = cJSON_AddObjectToObject(obj, key);
    return cJSON_IsObject(o) ? o : NULL;
}

/* Sets a dotted path (creating objects on the way) to v, which it takes. */
static void set_path(cJSON *obj, const char *path, cJSON *v) {
    char part[128];
    const char *dot;
    while (obj && (dot = strchr(path, '.'))) {
        snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
        obj = object_at(obj, part);
        path = dot + 1;
    }
    if (!obj) {
        cJSON_Delete(v);
        return;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, path))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, path, v);
    else
        cJSON_AddItemToObject(obj, path, v);
}

/* Records field as inferred from source in owner's "inferred" (an input's own
 * mark is kept). */
static void mark(cJSON *owner, const char *field, const char *source) {
    cJSON *inf = object_at(owner, "inferred");
    if (inf && !cJSON_GetObjectItemCaseSensitive(inf, field))
        cJSON_AddStringToObject(inf, field, source);
}

/* A section's "inferred" map: each field the object holds is marked. On a deal
 * the fields are solution fields, marked in the solution. */
static void apply_marks(const cJSON *marks, cJSON *obj, bool deal) {
    const cJSON *m;
    cJSON_ArrayForEach(m, marks) {
        if (!get_path(obj, m->string)) continue;
        if (deal)
            mark(cJSON_GetObjectItemCaseSensitive(obj, "solution"), m->string + 9, m->valuestring);
        else
            mark(obj, m->string, m->valuestring);
    }
}

/* ---- absent columns and footers ---- */

/* Whether a header cell names a column, ignoring case and surrounding spaces. */
static bool names(const char *cell, const char *name) {
    while (*cell == ' ') cell++;
    size_t n = strlen(cell), k = strlen(name);
    while (n > 0 && cell[n - 1] == ' ') n--;
    return n == k && strncasecmp(cell, name, n) == 0;
}

static int header_index(const dscsv_row *header, const char *name) {
    for (int i = 0; i < header->n; i++)
        if (names(header->field[i], name)) return i;
    return -1;
}

static bool in_header(const dscsv_row *header, const char *name) {
    return header_index(header, name) >= 0;
}

/* Whether another column with the same spec is in the header: an alias ("Role"
 * and "Contact Role") need not be there. */
static bool alias_present(const cJSON *names, const cJSON *col, const dscsv_row *header) {
    const cJSON *other;
    cJSON_ArrayForEach(other, names) if (other != col && cJSON_Compare(other, col, 1) &&
                                         in_header(header, other->string)) return true;
    return false;
}

static void note_absent(const cJSON *names, const dscsv_row *header, ds_buf *list, int *absent,
                        int *read) {
    const cJSON *item;
    cJSON_ArrayForEach(item, names) {
        if (alias_present(names, item, header)) continue;
        (*read)++;
        if (in_header(header, item->string)) continue;
        if ((*absent)++ < MAX_NAMED)
            ds_buf_printf(list, "%s\"%s\"", *absent > 1 ? ", " : "", item->string);
    }
}

static void flush_footer(dscsv_crm *c) {
    if (c->footer_rows)
        dscsv_sayf(&c->say, DEALSCORE_CSV_NOTE,
                   "note: %s:%ld: %ld report footer line%s (one cell each) skipped", c->file,
                   c->footer_line, c->footer_rows, c->footer_rows == 1 ? "" : "s");
    c->footer_rows = 0;
}

void dscsv_crm_header(dscsv_crm *c, dscsv_table t, const dscsv_row *header, const char *file) {
    flush_footer(c);
    c->file = file;
    c->width = header->n;
    ds_buf list;
    ds_buf_init(&list);
    int absent = 0, read = 0;
    note_absent(section_key(c, t, "columns"), header, &list, &absent, &read);
    if (t == DSCSV_DEALS) {
        note_absent(section_key(c, t, "lookups"), header, &list, &absent, &read);
        note_absent(section_key(c, t, "evidence"), header, &list, &absent, &read);
        c->ids_index = c->ids_column ? header_index(header, c->ids_column) : -1;
        if (c->ids_index >= 0)
            snprintf(c->ids_header, sizeof c->ids_header, "%s", header->field[c->ids_index]);
        if (c->ids_index >= 0 && !c->contacts)
            dscsv_sayf(&c->say, DEALSCORE_CSV_NOTE,
                       "note: %s column %d (%s) lists each deal's contacts, but no --contacts "
                       "file was given to read them from: the deals' stakeholders come only "
                       "from --stakeholders",
                       file, c->ids_index + 1, header->field[c->ids_index]);
    }
    if (absent)
        dscsv_sayf(&c->say, DEALSCORE_CSV_NOTE,
                   "note: %s lacks %d of the %d columns the mapping reads (%s%s): their "
                   "fields are left to the model's defaults and count against coverage",
                   file, absent, read, list.data, absent > MAX_NAMED ? ", ..." : "");
    ds_buf_free(&list);
}

bool dscsv_crm_footer(dscsv_crm *c, const dscsv_row *row) {
    if (!c->report_footer || row->n != 1 || c->width < 2) return false;
    if (!c->footer_rows++) c->footer_line = row->line[0];
    return true;
}

/* ---- contacts ---- */

static contact *contact_slot(const dscsv_crm *c, const char *id, uint64_t h) {
    for (size_t j = h & c->mask;; j = (j + 1) & c->mask)
        if (!c->contacts[j].id || (c->contacts[j].hash == h && strcmp(c->contacts[j].id, id) == 0))
            return &c->contacts[j];
}

static const contact *contact_find(const dscsv_crm *c, const char *id) {
    if (!c->contacts || !id) return NULL;
    contact *k = contact_slot(c, id, ds_idset_hash(id));
    return k->id ? k : NULL;
}

static bool contacts_grow(dscsv_crm *c) {
    size_t cap = c->contacts ? (c->mask + 1) * 2 : 1024;
    contact *old = c->contacts;
    size_t old_cap = old ? c->mask + 1 : 0;
    if (!(c->contacts = calloc(cap, sizeof *c->contacts))) {
        c->contacts = old;
        return false;
    }
    c->mask = cap - 1;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].id) *contact_slot(c, old[i].id, old[i].hash) = old[i];
    free(old);
    return true;
}

typedef struct contact_read {
    dscsv_crm *crm;
    dscsv_columns *columns;
    bool failed;
} contact_read;

static int on_contact_row(void *ctx, const dscsv_row *row) {
    contact_read *r = ctx;
    dscsv_crm *c = r->crm;
    dscsv_note_utf8(&c->say, row, c->contacts_file,
                    dscsv_columns_header(r->columns, row->utf8_field));
    if (!r->columns) {
        char err[600];
        dscsv_note_bom(&c->say, row, c->contacts_file);
        r->columns =
            dscsv_columns_bind(c->mapping, DSCSV_CONTACTS, row, c->contacts_file, err, sizeof err);
        if (!r->columns) {
            dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s", err);
            r->failed = true;
            return 1;
        }
        dscsv_crm_header(c, DSCSV_CONTACTS, row, c->contacts_file);
        return 0;
    }
    if (dscsv_crm_footer(c, row)) return 0;
    int count;
    char **ids = dscsv_columns_deal_ids(r->columns, row, &count);
    if (count == 0) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s:%ld: no contact id in this row; row skipped",
                   c->contacts_file, row->line[0]);
        c->errors++;
        free(ids);
        return 0;
    }
    if ((c->n_contacts + 1) * 2 > (c->contacts ? c->mask + 1 : 0) && !contacts_grow(c)) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "out of memory reading %s", c->contacts_file);
        free(ids);
        r->failed = true;
        return 1;
    }
    uint64_t h = ds_idset_hash(ids[0]);
    contact *k = contact_slot(c, ids[0], h);
    if (k->id) { /* the first row of a contact counts */
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR,
                   "%s:%ld: contact \"%.60s\" again; this row is skipped", c->contacts_file,
                   row->line[0], ids[0]);
        c->errors++;
        free(ids);
        return 0;
    }
    k->id = strdup(ids[0]);
    k->hash = h;
    k->line = row->first_line;
    free(ids);
    if (!k->id) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "out of memory reading %s", c->contacts_file);
        r->failed = true;
        return 1;
    }
    ds_error err = {0};
    k->obj = dscsv_columns_row(r->columns, row, "$", &err);
    if (!k->obj) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s; the contact's fields are left out",
                   err.message);
        c->errors++;
    } else {
        apply_marks(section_key(c, DSCSV_CONTACTS, "inferred"), k->obj, false);
    }
    c->n_contacts++;
    return 0;
}

static int read_contacts(dscsv_crm *c, const dscsv_dialect *dialect) {
    if (!section(c, DSCSV_CONTACTS)) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR,
                   "--contacts: the mapping has no \"contacts\" section");
        return -1;
    }
    FILE *f = fopen(c->contacts_file, "rb");
    if (!f) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: %s", c->contacts_file, strerror(errno));
        return -1;
    }
    contact_read r = {c, NULL, false};
    long open_line = 0;
    int rc = dscsv_rows(f, dialect, on_contact_row, &r, &open_line, NULL);
    fclose(f);
    dscsv_columns_free(r.columns);
    if (rc == -1) dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "%s: read error", c->contacts_file);
    if (rc == -2) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR,
                   "%s:%ld: a quoted field opened after this line is never closed; "
                   "the rest of the file could not be read",
                   c->contacts_file, open_line);
        c->errors++;
    }
    flush_footer(c);
    if (!c->contacts) contacts_grow(c); /* an empty file: lookups still work */
    return rc == -1 || r.failed ? -1 : 0;
}

static bool has_role(const cJSON *roles, const char *role) {
    const cJSON *r;
    cJSON_ArrayForEach(r, roles) if (cJSON_IsString(r) &&
                                     strcmp(r->valuestring, role) == 0) return true;
    return false;
}

/* Adds the contact's fields the stakeholder row does not have; lists (roles)
 * are joined. */
static void merge_contact(cJSON *s, const cJSON *contact) {
    const cJSON *item;
    cJSON_ArrayForEach(item, contact) {
        cJSON *own = cJSON_GetObjectItemCaseSensitive(s, item->string);
        if (!own) {
            cJSON_AddItemToObject(s, item->string, cJSON_Duplicate(item, 1));
        } else if (cJSON_IsArray(own) && cJSON_IsArray(item)) { /* roles: both lists */
            const cJSON *r;
            cJSON_ArrayForEach(r, item) if (!cJSON_IsString(r) || !has_role(own, r->valuestring))
                cJSON_AddItemToArray(own, cJSON_Duplicate(r, 1));
        } else if (cJSON_IsObject(own) && cJSON_IsObject(item)) {
            const cJSON *sub;
            cJSON_ArrayForEach(sub, item) if (!cJSON_GetObjectItemCaseSensitive(own, sub->string))
                cJSON_AddItemToObject(own, sub->string, cJSON_Duplicate(sub, 1));
        }
    }
}

/* ---- open, close ---- */

dscsv_crm *dscsv_crm_open(const dscsv_mapping *m, const char *contacts_file,
                          const char *titles_file, const dscsv_dialect *dialect,
                          const dscsv_say *say) {
    dscsv_crm *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->say = *say;
    c->mapping = m;
    c->json = dscsv_mapping_json(m);
    char err[600];
    if (check_keys(c->json, err, sizeof err) < 0) {
        dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "mapping: %s", err);
        goto fail;
    }
    c->report_footer = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->json, "report_footer"));
    bool titles = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c->json, "titles"));
    if (titles || titles_file) {
        char path[4096];
        c->titles = ds_titles_new();
        snprintf(path, sizeof path, "%s/models/titles.json", ds_home());
        if (!c->titles || ds_titles_add_file(c->titles, path, err, sizeof err) < 0 ||
            (titles_file && ds_titles_add_file(c->titles, titles_file, err, sizeof err) < 0)) {
            dscsv_sayf(&c->say, DEALSCORE_CSV_ERROR, "titles: %s", err);
            goto fail;
        }
    }
    const cJSON *deals = section(c, DSCSV_DEALS);
    c->ids_column = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(deals, "contact_ids"));
    c->ids_separators =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(deals, "contact_separator"));
    if (!c->ids_separators) c->ids_separators = ";,";
    c->ids_index = -1;
    c->contacts_file = contacts_file;
    if (contacts_file && read_contacts(c, dialect) < 0) goto fail;
    return c;
fail:
    dscsv_crm_close(c);
    return NULL;
}

long dscsv_crm_errors(const dscsv_crm *c) {
    return c ? c->errors : 0;
}

void dscsv_crm_close(dscsv_crm *c) {
    if (!c) return;
    flush_footer(c);
    if (c->missing)
        dscsv_sayf(&c->say, DEALSCORE_CSV_NOTE,
                   "note: %ld stakeholder row%s a contact that is not in %s "
                   "(first: \"%s\"); only the row's own fields are used",
                   c->missing, c->missing == 1 ? " names" : "s name", c->contacts_file,
                   c->first_missing);
    for (size_t i = 0; c->contacts && i <= c->mask; i++) {
        free(c->contacts[i].id);
        cJSON_Delete(c->contacts[i].obj);
    }
    free(c->contacts);
    ds_titles_free(c->titles);
    free(c);
}

/* ---- stakeholders and deals ---- */

void dscsv_crm_stakeholder(dscsv_crm *c, cJSON *s) {
    if (c->contacts) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "id"));
        const contact *k = contact_find(c, id);
        if (k && k->obj) {
            merge_contact(s, k->obj);
        } else if (!k && id && !c->missing++) {
            snprintf(c->first_missing, sizeof c->first_missing, "%.60s", id);
        }
    }
    apply_marks(section_key(c, DSCSV_STAKEHOLDERS, "inferred"), s, false);
    ds_titles_infer(c->titles, s);
    cJSON *inf = cJSON_GetObjectItemCaseSensitive(s, "inferred");
    if (cJSON_IsObject(inf) && !inf->child) cJSON_DeleteItemFromObjectCaseSensitive(s, "inferred");
}

/* Text for an inferred mark: the column and its cell, cut short (never inside
 * a UTF-8 character). */
static void source_text(char *out, size_t len, const char *column, const char *cell) {
    size_t n = strlen(cell);
    if (n > 60)
        for (n = 60; n > 0 && ((unsigned char)cell[n] & 0xC0) == 0x80;) n--;
    snprintf(out, len, "%s \"%.*s%s\"", column, (int)n, cell, cell[n] ? "..." : "");
}

void dscsv_crm_deal(dscsv_crm *c, cJSON *deal) {
    const cJSON *spec;
    cJSON_ArrayForEach(spec, section_key(c, DSCSV_DEALS, "evidence")) {
        const char *cell = cJSON_GetStringValue(cJSON_GetObjectItem(deal, spec->string));
        const char *field = cJSON_GetObjectItemCaseSensitive(spec, "field")->valuestring;
        if (!cell || get_path(deal, field)) continue; /* what the export gives wins */
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(spec, "value");
        const cJSON *values = cJSON_GetObjectItemCaseSensitive(spec, "values");
        if (values) {
            v = cJSON_GetObjectItemCaseSensitive(values, cell);
            if (!v) v = cJSON_GetObjectItem(values, cell);
        }
        if (!v) continue;
        char source[200];
        source_text(source, sizeof source, spec->string, cell);
        set_path(deal, field, cJSON_Duplicate(v, 1));
        mark(cJSON_GetObjectItemCaseSensitive(deal, "solution"), field + 9, source);
    }
    apply_marks(section_key(c, DSCSV_DEALS, "inferred"), deal, true);
}

/* Sets a lookup's fields on a stakeholder; roles are added to. */
static void give(cJSON *s, const cJSON *fields) {
    const cJSON *f;
    cJSON_ArrayForEach(f, fields) {
        cJSON *own = cJSON_GetObjectItemCaseSensitive(s, f->string);
        if (cJSON_IsArray(f) && (!own || cJSON_IsArray(own))) {
            if (!own) own = cJSON_AddArrayToObject(s, f->string);
            const cJSON *r;
            cJSON_ArrayForEach(r, f) if (!cJSON_IsString(r) || !has_role(own, r->valuestring))
                cJSON_AddItemToArray(own, cJSON_Duplicate(r, 1));
        } else {
            set_path(s, f->string, cJSON_Duplicate(f, 1));
        }
    }
}

/* A stakeholder of the deal that only the deal names (a lookup, an associated
 * contact id): its contact's fields when the contacts file has them. */
static cJSON *contact_stakeholder(dscsv_crm *c, const char *id, const contact *k) {
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "id", id);
    if (k && k->obj) merge_contact(s, k->obj);
    apply_marks(section_key(c, DSCSV_STAKEHOLDERS, "inferred"), s, false);
    ds_titles_infer(c->titles, s);
    return s;
}

/* The stakeholder a lookup cell names: by id, else by name (any case). */
static cJSON *named(cJSON *stakeholders, const char *who) {
    cJSON *s;
    cJSON_ArrayForEach(s, stakeholders) {
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "id"));
        if (id && strcmp(id, who) == 0) return s;
    }
    cJSON_ArrayForEach(s, stakeholders) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "name"));
        if (name && strcasecmp(name, who) == 0) return s;
    }
    return NULL;
}

void dscsv_crm_lookups(dscsv_crm *c, const cJSON *deal, ds_buf *text) {
    const cJSON *lookups = section_key(c, DSCSV_DEALS, "lookups");
    const cJSON *l;
    bool any = false;
    cJSON_ArrayForEach(l, lookups) any |= cJSON_IsString(cJSON_GetObjectItem(deal, l->string));
    if (!any) return;
    cJSON *joined = cJSON_ParseWithLength(text->data, text->len);
    if (!joined) return;
    cJSON *stakeholders = cJSON_GetObjectItemCaseSensitive(joined, "stakeholders");
    if (!stakeholders) stakeholders = cJSON_AddArrayToObject(joined, "stakeholders");
    if (!cJSON_IsArray(stakeholders)) {
        cJSON_Delete(joined);
        return;
    }
    cJSON_ArrayForEach(l, lookups) {
        const char *who = cJSON_GetStringValue(cJSON_GetObjectItem(deal, l->string));
        if (!who) continue;
        cJSON *s = named(stakeholders, who);
        if (!s) { /* named on the deal only: a stakeholder of its own */
            const contact *k = contact_find(c, who);
            s = contact_stakeholder(c, who, k);
            if (!k) cJSON_AddStringToObject(s, "name", who);
            cJSON_AddItemToArray(stakeholders, s);
        }
        give(s, l);
    }
    char *out = cJSON_PrintUnformatted(joined);
    cJSON_Delete(joined);
    if (!out) return;
    ds_buf_clear(text);
    ds_buf_puts(text, out);
    free(out);
}

/* ---- contacts a deal names (HubSpot's Associated Contact IDs) ---- */

static cJSON *with_id(cJSON *stakeholders, const char *id) {
    cJSON *s;
    cJSON_ArrayForEach(s, stakeholders) {
        const char *own = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "id"));
        if (own && strcmp(own, id) == 0) return s;
    }
    return NULL;
}

/* The ids of a contact-ids cell, in place: separated by any of the separators,
 * blanks around each dropped, empty ones skipped. */
static int split_ids(char *cell, const char *separators, char **ids, int max) {
    int n = 0;
    for (char *p = cell; *p && n < max;) {
        size_t len = strcspn(p, separators);
        char *end = p + len, *next = *end ? end + 1 : end;
        while (len && (*p == ' ' || *p == '\t')) p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
        p[len] = '\0';
        if (len) ids[n++] = p;
        p = next;
    }
    return n;
}

int dscsv_crm_associated(dscsv_crm *c, const dscsv_row *row, const char *file, ds_buf *text,
                         ds_buf *lines, ds_error *err) {
    if (!c->contacts || c->ids_index < 0 || c->ids_index >= row->n) return 0;
    char *cell = strdup(row->field[c->ids_index]);
    enum { MAX_IDS = 5000 }; /* HubSpot exports 1,000 associations a row by default */
    char **ids = cell ? malloc(MAX_IDS * sizeof *ids) : NULL;
    int n = ids ? split_ids(cell, c->ids_separators, ids, MAX_IDS) : 0;
    cJSON *joined = n ? cJSON_ParseWithLength(text->data, text->len) : NULL;
    cJSON *stakeholders = cJSON_GetObjectItemCaseSensitive(joined, "stakeholders");
    if (joined && !stakeholders) stakeholders = cJSON_AddArrayToObject(joined, "stakeholders");
    ds_buf missing, unread;
    ds_buf_init(&missing);
    ds_buf_init(&unread);
    int n_missing = 0, n_unread = 0;
    for (int i = 0; cJSON_IsArray(stakeholders) && i < n; i++) {
        if (with_id(stakeholders, ids[i])) continue; /* from --stakeholders, or said twice */
        const contact *k = contact_find(c, ids[i]);
        if (!k) {
            if (n_missing++ < 5)
                ds_buf_printf(&missing, "%s\"%.40s\"", n_missing > 1 ? ", " : "", ids[i]);
        } else if (!k->obj) { /* its row's error was said when the file was read */
            if (n_unread++ < 3)
                ds_buf_printf(&unread, "%s\"%.40s\" (line %ld)", n_unread > 1 ? ", " : "", ids[i],
                              k->line);
        } else {
            cJSON_AddItemToArray(stakeholders, contact_stakeholder(c, ids[i], k));
            ds_buf_add(lines, (const char *)&k->line, sizeof k->line);
        }
    }
    int rc = 0;
    if (n_missing || n_unread) {
        ds_buf m;
        ds_buf_init(&m);
        ds_buf_printf(&m, "%s:%ld column %d (%.60s): ", file, row->line[c->ids_index],
                      c->ids_index + 1, c->ids_header);
        if (n_missing)
            ds_buf_printf(&m, "contact%s %s%s %s not in %s", n_missing == 1 ? "" : "s",
                          missing.data, n_missing > 5 ? ", ..." : "", n_missing == 1 ? "is" : "are",
                          c->contacts_file);
        if (n_unread)
            ds_buf_printf(&m, "%sthe row%s of contact%s %s%s in %s could not be read (see above)",
                          n_missing ? "; " : "", n_unread == 1 ? "" : "s", n_unread == 1 ? "" : "s",
                          unread.data, n_unread > 3 ? ", ..." : "", c->contacts_file);
        ds_buf_puts(&m, ": the deal's stakeholders would be incomplete");
        if (n_missing) ds_buf_puts(&m, " (is the contacts export filtered, or another portal's?)");
        ds_error_set(err, "unknown_id", "$.stakeholders", "%s", m.failed ? "" : m.data);
        ds_buf_free(&m);
        rc = -1;
    } else if (joined) {
        char *out = cJSON_PrintUnformatted(joined);
        if (out) {
            ds_buf_clear(text);
            ds_buf_puts(text, out);
            free(out);
        }
    }
    cJSON_Delete(joined);
    ds_buf_free(&missing);
    ds_buf_free(&unread);
    free(ids);
    free(cell);
    return rc;
}
