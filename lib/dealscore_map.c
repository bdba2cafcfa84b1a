/* dealscore_map.c: a scored deal's stakeholder map as Graphviz DOT
 * (dealscore_map_dot of dealscore.h; `dealscore map`).
 *
 * Nodes are coloured by predicted stance (red against, grey neutral, green for)
 * and sized by effective influence; decision makers are boxes, champions have a
 * thick blue border; IT and users are grouped in clusters; edges are drawn by
 * relationship type, conflict in red; the strongest champion-to-buyer path (the
 * widest path of tie strengths, as the policy's reach uses it) is highlighted in
 * orange. Every string from the deal is made safe for a DOT quoted string. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dealscore_internal.h"
#include "dealscore_text.h"

static void quoted(ds_buf *b, const char *s) {
    ds_buf_putc(b, '"');
    dealscore_text_safe(b, s, DEALSCORE_TEXT_DOT);
    ds_buf_putc(b, '"');
}

/* A node's name: the stakeholder id when it is plain (letters, digits, "_-.:@"),
 * so the DOT reads naturally; otherwise "#<index>", which no plain id can be
 * (Graphviz takes node names verbatim, escapes and all). The id itself is
 * always in the node's tooltip. */
static void node_name(ds_buf *b, const ds_deal *d, int i) {
    const char *id = d->stakeholders[i].id;
    bool plain = *id != '\0';
    for (const char *c = id; *c && plain; c++)
        plain = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                strchr("_-.:@", *c);
    if (plain)
        ds_buf_printf(b, "\"%s\"", id);
    else
        ds_buf_printf(b, "\"#%d\"", i);
}

/* red (-1) through light grey (0) to green (+1) */
static void stance_colour(ds_buf *b, double x) {
    static const double red[3] = {215, 48, 39}, grey[3] = {240, 240, 240}, green[3] = {26, 152, 80};
    const double *to = x < 0 ? red : green;
    double t = fmin(1, fabs(x));
    int c[3];
    for (int k = 0; k < 3; k++) c[k] = (int)lround(grey[k] + (to[k] - grey[k]) * t);
    ds_buf_printf(b, "\"#%02x%02x%02x\"", c[0], c[1], c[2]);
}

static void roles_line(ds_buf *b, const ds_stakeholder *s) {
    const char *sep = "";
    if (s->can_buy && !(s->roles & DS_ROLE_ECONOMIC_BUYER)) ds_buf_puts(b, "can buy"), sep = ", ";
    for (int k = 0; k < DS_NROLES; k++)
        if (s->roles & (1u << k)) {
            ds_buf_printf(b, "%s", sep);
            for (const char *c = ds_role_names[k]; *c; c++) ds_buf_putc(b, *c == '_' ? ' ' : *c);
            sep = ", ";
        }
}

static void node(ds_buf *b, const ds_analysis *an, int i, const char *indent) {
    const ds_stakeholder *s = &an->deal->stakeholders[i];
    double x = an->graph.predicted[i], w = an->graph.effective[i];
    ds_buf_puts(b, indent);
    node_name(b, an->deal, i);
    ds_buf_puts(b, " [tooltip=");
    quoted(b, s->id);
    ds_buf_puts(b, ", label=\"");
    dealscore_text_safe(b, s->name ? s->name : s->id, DEALSCORE_TEXT_DOT);
    if (s->title) {
        ds_buf_puts(b, "\\n");
        dealscore_text_safe(b, s->title, DEALSCORE_TEXT_DOT);
    }
    if (s->roles || s->can_buy) {
        ds_buf_puts(b, "\\n");
        roles_line(b, s);
    }
    /* a value the input never gave is not shown as one (F10) */
    if (s->has_stance)
        ds_buf_printf(b, "\\nstance %+.2f, predicted %+.2f", s->stance, x);
    else
        ds_buf_printf(b, "\\nstance not given, predicted %+.2f", x);
    ds_buf_printf(b, "\\ninfluence %.2f%s\", fillcolor=", w, s->has_influence ? "" : " (default)");
    stance_colour(b, x);
    ds_buf_printf(b, ", fontcolor=\"%s\", width=%.2f, height=%.2f, fontsize=%.1f",
                  fabs(x) > 0.6 ? "white" : "black", 1.2 + 1.6 * w, 0.5 + 0.6 * w, 9 + 6 * w);
    const char *dashed = s->has_stance ? "" : ",dashed"; /* where they stand is not known */
    if (s->sets & DS_SET_DECIDERS)
        ds_buf_printf(b, ", shape=box, style=\"filled,rounded%s\"", dashed);
    else if (!s->has_stance)
        ds_buf_puts(b, ", style=\"filled,dashed\"");
    if (s->roles & DS_ROLE_CHAMPION) ds_buf_puts(b, ", penwidth=4, color=\"#1f4e9c\"");
    ds_buf_puts(b, "];\n");
}

static void cluster(ds_buf *b, const ds_analysis *an, const char *name, const char *label,
                    unsigned set, unsigned except) {
    const ds_deal *d = an->deal;
    bool any = false;
    for (int i = 0; i < d->n_stakeholders; i++)
        any |= (d->stakeholders[i].sets & set) && !(d->stakeholders[i].sets & except);
    if (!any) return;
    ds_buf_printf(b,
                  "  subgraph %s {\n    label=\"%s\"; style=\"rounded,dashed\"; "
                  "color=\"#7f8c8d\"; fontcolor=\"#555555\";\n",
                  name, label);
    for (int i = 0; i < d->n_stakeholders; i++)
        if ((d->stakeholders[i].sets & set) && !(d->stakeholders[i].sets & except))
            node(b, an, i, "    ");
    ds_buf_puts(b, "  }\n");
}

/* The strongest champion-to-buyer path: the widest path from a champion to a
 * decision maker other than themselves. Returns its length in nodes (0: none). */
static int strongest_path(ds_analysis *an, int *path, double *reach) {
    const ds_deal *d = an->deal;
    int from = -1, to = -1;
    *reach = 0;
    for (int h = 0; h < d->n_stakeholders; h++) {
        if (!(d->stakeholders[h].roles & DS_ROLE_CHAMPION)) continue;
        for (int t = 0; t < d->n_stakeholders; t++) {
            if (t == h || !(d->stakeholders[t].sets & DS_SET_DECIDERS)) continue;
            double r = ds_graph_reach_to(&an->graph, h, t);
            if (r > *reach) *reach = r, from = h, to = t;
        }
    }
    if (from < 0) return 0;
    int n = ds_graph_widest_path(&an->graph, from, to, path);
    return n > 1 ? n : 0;
}

/* The relationship that carries the tie between a and b on the path: the
 * strongest non-conflict one, either way. */
static int path_edge(const ds_deal *d, int a, int b) {
    int best = -1;
    for (int k = 0; k < d->n_relationships; k++) {
        const ds_relationship *r = &d->relationships[k];
        if (r->type == DS_REL_CONFLICT) continue;
        if (!((r->from == a && r->to == b) || (r->from == b && r->to == a))) continue;
        if (best < 0 || r->strength > d->relationships[best].strength) best = k;
    }
    return best;
}

static void edge(ds_buf *b, const ds_deal *d, int k, bool on_path) {
    static const char *const colours[] = {"#444444", "#7f8c8d", "#2c7fb8", "#7f8c8d", "#d7301f"};
    static const char *const shapes[] = {
        /* influences */ "style=solid",
        /* reports_to */ "style=solid, arrowhead=empty",
        /* trusts */ "style=dashed",
        /* peer */ "style=dotted, dir=none",
        /* conflict */ "style=bold, dir=none",
    };
    const ds_relationship *r = &d->relationships[k];
    const char *colour = on_path ? "#ff7f00" : colours[r->type];
    ds_buf_puts(b, "  ");
    node_name(b, d, r->from);
    ds_buf_puts(b, " -> ");
    node_name(b, d, r->to);
    ds_buf_printf(b, " [label=\"%s %.1f\", %s, color=\"%s\", fontcolor=\"%s\", penwidth=%.1f",
                  ds_rel_type_names[r->type], r->strength, shapes[r->type], colour,
                  r->type == DS_REL_CONFLICT || on_path ? colour : "#333333",
                  on_path ? 5 : 1 + 2 * r->strength);
    if (on_path) ds_buf_puts(b, ", class=\"champion_path\"");
    ds_buf_puts(b, "];\n");
}

static void draw(ds_buf *b, ds_analysis *an, const ds_outcome *o) {
    const ds_deal *d = an->deal;
    int *path = ds_arena_alloc(an->arena, sizeof(int) * (size_t)(d->n_stakeholders + 1));
    bool *highlight = ds_arena_alloc(an->arena, sizeof(bool) * (size_t)(d->n_relationships + 1));
    double reach = 0;
    int n_path = path && highlight ? strongest_path(an, path, &reach) : 0;
    for (int i = 0; i + 1 < n_path; i++) {
        int k = path_edge(d, path[i], path[i + 1]);
        if (k >= 0) highlight[k] = true;
    }
    ds_buf_puts(b, "digraph ");
    quoted(b, d->id);
    ds_buf_puts(b, " {\n  graph [labelloc=t, fontname=\"Helvetica\", rankdir=LR, nodesep=0.35, "
                   "ranksep=0.9, label=\"");
    dealscore_text_safe(b, d->name ? d->name : d->id, DEALSCORE_TEXT_DOT);
    ds_buf_printf(b, "\\nviability %.1f: %s", ds_round(o->viability, 1), o->verdict);
    if (n_path) {
        ds_buf_puts(b, "\\nstrongest champion-to-buyer path (orange): ");
        for (int i = 0; i < n_path; i++) {
            const ds_stakeholder *s = &d->stakeholders[path[i]];
            if (i) ds_buf_puts(b, " - ");
            dealscore_text_safe(b, s->name ? s->name : s->id, DEALSCORE_TEXT_DOT);
        }
        ds_buf_printf(b, ", reach %.2f", reach);
    }
    ds_buf_puts(b, "\\nfill: predicted stance (green for, red against); size: effective "
                   "influence; box: can buy; blue border: champion; dashed: stance not given\"];\n"
                   "  node [fontname=\"Helvetica\", style=filled, shape=ellipse];\n"
                   "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    cluster(b, an, "cluster_it", "IT", DS_SET_IT, 0);
    cluster(b, an, "cluster_users", "Users", DS_SET_USERS, DS_SET_IT);
    for (int i = 0; i < d->n_stakeholders; i++)
        if (!(d->stakeholders[i].sets & (DS_SET_IT | DS_SET_USERS))) node(b, an, i, "  ");
    for (int k = 0; k < d->n_relationships; k++) edge(b, d, k, highlight && highlight[k]);
    ds_buf_puts(b, "}\n");
}

char *dealscore_map_dot(dealscore_engine *e, const dealscore_result *r, size_t *len) {
    if (!e || !r || r != &e->result || r->error.code) return NULL;
    ds_buf b;
    ds_buf_init(&b);
    draw(&b, &e->scorer.analysis, &e->scorer.outcome);
    return ds_buf_take(&b, len);
}
