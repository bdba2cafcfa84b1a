#!/usr/bin/python3
"""check_map.py DEAL_JSON GRAPH_JSON: checks `dealscore map` output, as laid out by
Graphviz (`dot -Tjson`), against the deal: one node per stakeholder, decision makers
as boxes, champions with a thick border, IT and users in their clusters, one edge
per relationship with conflicts in red, and the highlighted path equal to the
widest champion-to-buyer path computed here from the deal (SCORING.md section 2)."""
import json
import sys

deal = json.loads(open(sys.argv[1]).read())
graph = json.load(open(sys.argv[2]))
people = deal.get("stakeholders", [])
objects = graph.get("objects", [])
nodes = {o["name"]: (i, o) for i, o in enumerate(objects) if "nodes" not in o}
clusters = {o["name"]: {objects[i]["name"] for i in o.get("nodes", [])}
            for o in objects if "nodes" in o}


def sets(s):
    roles = set(s.get("roles", []))
    return (s.get("function") == "it" or bool(roles & {"it_strategic", "it_operations"}),
            s.get("function") == "user" or "end_user" in roles,
            s.get("can_buy", False) or "economic_buyer" in roles,
            "champion" in roles)


PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@")


def node_name(i, s):
    """dealscore names a node by its id when the id is plain, else #index."""
    return s["id"] if s["id"] and set(s["id"]) <= PLAIN else f"#{i}"


def unescape(raw):
    """A DOT escString as Graphviz shows it: \\ is a backslash, \" a quote."""
    return raw.replace('\\\\', '\0').replace('\\"', '"').replace('\0', '\\')


def visible(text):
    return all(32 <= ord(c) < 127 or (ord(c) >= 0xa0 and ord(c) not in (0x2028, 0x2029, 0xfeff)
               and not 0x202a <= ord(c) <= 0x202e and not 0x2066 <= ord(c) <= 0x2069
               and ord(c) not in (0x200e, 0x200f)) for c in text)


by_id = {s["id"]: node_name(i, s) for i, s in enumerate(people)}
assert set(nodes) == set(by_id.values()), (sorted(nodes), by_id)
for s in people:
    it, user, buyer, champion = sets(s)
    node = nodes[by_id[s["id"]]][1]
    if visible(s["id"]):
        assert unescape(node["tooltip"]) == s["id"], (node["tooltip"], s["id"])
    assert (node["shape"] == "box") == buyer, (s["id"], node["shape"])
    assert (node.get("penwidth") == "4") == champion, (s["id"], node.get("penwidth"))
    assert (by_id[s["id"]] in clusters.get("cluster_it", set())) == it, s["id"]
    assert (by_id[s["id"]] in clusters.get("cluster_users", set())) == (user and not it), s["id"]
    name = s.get("name", s["id"])
    if visible(name):
        assert unescape(node["label"]).startswith(name + "\\n"), (name, node["label"])

edges = graph.get("edges", [])
rels = deal.get("relationships", [])
assert len(edges) == len(rels), (len(edges), len(rels))
names = {i: o["name"] for i, o in enumerate(objects)}
drawn = sorted((names[e["tail"]], names[e["head"]], e["label"].split()[0]) for e in edges)
given = sorted((by_id[r["from"]], by_id[r["to"]], r["type"]) for r in rels)
assert drawn == given, (drawn, given)
for e in edges:
    if e["label"].startswith("conflict"):
        assert e["color"] == "#d7301f" and e.get("dir") == "none", e

# the widest champion-to-buyer path, independently
ids = [s["id"] for s in people]
tie = {}
for r in rels:
    if r["type"] != "conflict":
        key = frozenset((r["from"], r["to"]))
        tie[key] = max(tie.get(key, 0), r.get("strength", 0.5))


def widest(a):
    best, prev, done = {a: 1.0}, {}, set()
    while True:
        cand = [v for v in best if v not in done and best[v] > 0]
        if not cand:
            return best, prev
        u = max(cand, key=lambda v: best[v])
        done.add(u)
        for v in ids:
            w = best[u] * tie.get(frozenset((u, v)), 0)
            if v not in done and w > best.get(v, 0):
                best[v], prev[v] = w, u


top, path = 0, []
for h in people:
    if not sets(h)[3]:
        continue
    best, prev = widest(h["id"])
    for d in people:
        if d["id"] != h["id"] and sets(d)[2] and best.get(d["id"], 0) > top + 1e-12:
            top, path = best[d["id"]], [d["id"]]
            while path[-1] != h["id"]:
                path.append(prev[path[-1]])
highlighted = [e for e in edges if e.get("class") == "champion_path"]
pairs = {frozenset((names[e["tail"]], names[e["head"]])) for e in highlighted}
expected = {frozenset((by_id[a], by_id[b])) for a, b in zip(path, path[1:])}
assert pairs == expected, (pairs, expected)
assert all(e["color"] == "#ff7f00" for e in highlighted)
print(f"{deal['id']}: {len(nodes)} nodes, {len(edges)} edges, path {path[::-1]}")
