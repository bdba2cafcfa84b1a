#!/usr/bin/env bash
# `dealscore explain` on hostile names, titles and ids (big-list-of-naughty-strings,
# ../shared/data; skipped where absent): nothing a terminal obeys gets through, and
# no string adds a line to the report.
. "$(dirname "$0")/lib.sh"
need_data naughty-strings/blns.json
BLNS=$DATA/naughty-strings/blns.json
$PY - "$BLNS" >"$TMP/naughty.jsonl" <<'PYEOF'
import json, sys
strings = json.load(open(sys.argv[1]))
for k in range(0, len(strings), 8):
    chunk = strings[k:k + 8]
    people = [{"id": f"s{i}\x1b[2J{s}", "name": s, "title": s[::-1], "roles": ["champion"],
               "can_buy": i == 0, "function": "it" if i % 2 else "user"} for i, s in enumerate(chunk)]
    print(json.dumps({"id": f"naughty-{k}\x1b]0;x\x07", "name": chunk[0], "account": chunk[-1],
                      "stakeholders": people, "as_of": "2026-01-01"}))
PYEOF
for fmt in text markdown; do
    "$DS" explain --format $fmt "$TMP/naughty.jsonl" >"$TMP/naughty.$fmt" 2>"$TMP/naughty.err"
    check "naughty strings ($fmt): all deals explained" [ "$(grep -c 'erdict: ' "$TMP/naughty.$fmt")" -eq 65 ]
    check "naughty strings ($fmt): safe for a terminal" $PY - "$TMP/naughty.$fmt" <<'PYEOF'
import sys
text = open(sys.argv[1], "rb").read().decode("utf-8")  # valid UTF-8 throughout
bad = [c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
       or ord(c) in (0x200e, 0x200f, 0x2028, 0x2029, 0xfeff) or 0x202a <= ord(c) <= 0x202e
       or 0x2066 <= ord(c) <= 0x2069]
assert not bad, [hex(ord(c)) for c in bad[:10]]
PYEOF
done
check "naughty strings: one table row per stakeholder" [ "$(grep -cE '^  .* ([+-][0-9]\.[0-9][0-9]|\?) +[+-][0-9]\.[0-9][0-9]\*?$' "$TMP/naughty.text")" -eq 515 ]
finish
