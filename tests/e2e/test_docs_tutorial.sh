#!/usr/bin/env bash
# docs/policies.md's tutorial works as written: its final platform.lua passes
# `dealscore check`, and its platform_test.lua passes on stock lua5.4 with the
# dealscore module, run from a folder laid out like the dealscore tree.
. "$(dirname "$0")/lib.sh"
DS=$(realpath "$DS")
SRC=$(realpath "$SRC")
# the last ```lua block starting with "-- NAME" from the page
extract() {
    $PY - "$SRC/docs/policies.md" "$1" <<'PYEOF'
import re, sys
blocks = re.findall(r"```lua\n(.*?)```", open(sys.argv[1]).read(), re.S)
mine = [b for b in blocks if b.startswith("-- " + sys.argv[2] + ":")]
sys.stdout.write(mine[-1])
PYEOF
}
cd "$TMP" || exit 1
extract platform.lua >platform.lua
extract platform_test.lua >platform_test.lua
ln -s "$SRC/models" models
mkdir build && ln -s "$(dirname "$DS")/lua" build/lua
expect_exit "tutorial policy checks" 0 "$DS" check platform.lua
check "buyer_gone_quiet shows" contains "$TMP/out" "buyer_gone_quiet"
# an instrumented build needs the sanitizer runtimes loaded first
preload=
if ldd "$DS" | grep -q libasan; then
    preload="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
fi
expect_exit "tutorial test" 0 env LD_PRELOAD="$preload" lua5.4 platform_test.lua
check "tutorial test prints ok" contains "$TMP/out" "^ok$"
finish
