#!/bin/sh
# Installing: `cmake --install` (what `make install` runs) staged under a DESTDIR
# puts the program, libdealscore.so (with its soname, exporting only the public
# API) and libdealscore.a, dealscore.h, dealscore.pc, the Lua module, the models
# and scripts and the man pages under the configured prefix. A small C program
# (tests/install/score_pipeline.c) is then built against the installed library
# alone, with `pkg-config --cflags --libs dealscore`, shared and static, and
# scores the example pipeline exactly as `dealscore score` does. The installed
# program, library and Lua module read the installed share/dealscore, even when
# the staged tree is moved.
. "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$DS")
EX="$SRC/models/examples/pipeline.jsonl"
DEST="$TMP/dest"

if ! DESTDIR="$DEST" cmake --install "$BUILD" >"$TMP/install.log" 2>&1; then
    fail "cmake --install: $(tail -n 5 "$TMP/install.log")"
    echo "install: $passed passed, $failed failed"
    exit 1
fi
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
ROOT="$DEST$PREFIX"
PC=$(find "$ROOT" -name dealscore.pc)
LIBDIR=$(dirname "$(dirname "$PC")")
LUAMOD=$(find "$ROOT" -path '*lua/5.4/dealscore.so')

# ---- what is installed ----
for f in bin/dealscore include/dealscore.h share/dealscore/models/default.json \
    share/dealscore/scripts/default.lua share/dealscore/scripts/examples/it_first.lua \
    share/dealscore/models/mappings/salesforce.json share/man/man1/dealscore.1; do
    check "installed: $f" [ -f "$ROOT/$f" ]
done
check "installed: dealscore.pc" [ -f "$PC" ]
check "installed: libdealscore.a" [ -f "$LIBDIR/libdealscore.a" ]
check "installed: libdealscore.so -> libdealscore.so.0" [ "$(readlink "$LIBDIR/libdealscore.so")" = libdealscore.so.0 ]
check "installed: the Lua module under lib/lua/5.4 of the prefix" [ -n "$LUAMOD" ]
check "the soname is libdealscore.so.0" sh -c "readelf -d '$LIBDIR/libdealscore.so' | grep -q 'SONAME.*\[libdealscore.so.0\]'"
nm -D --defined-only "$LIBDIR/libdealscore.so" | awk '{print $3}' >"$TMP/exported"
check "the .so exports the public API" grep -qx dealscore_score "$TMP/exported"
check "the .so exports nothing else (no ds_, dsl_, cJSON, lua names)" [ -z "$(grep -v '^dealscore_' "$TMP/exported")" ]
check "the Lua module exports luaopen_dealscore alone" [ "$(nm -D --defined-only "$LUAMOD" | awk '{print $3}')" = luaopen_dealscore ]
check "the Lua module does not bring its own liblua" sh -c "! readelf -d '$LUAMOD' | grep -q 'NEEDED.*liblua'"
while IFS="$(printf '\t')" read -r name summary; do
    check "man page dealscore-$name(1)" [ -f "$ROOT/share/man/man1/dealscore-$name.1" ]
done <<EOF
$("$DS" --commands)
EOF

# ---- pkg-config, and a program of a user built against the installed files ----
# a sanitizer build installs an instrumented library: its users are built alike
SAN=""
grep -q '^DEALSCORE_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt" && SAN="-fsanitize=address,undefined"
export PKG_CONFIG_PATH="$(dirname "$PC")" PKG_CONFIG_SYSROOT_DIR="$DEST"
check "pkg-config knows dealscore" pkg-config --exists dealscore
check "pkg-config: the version" [ "$(pkg-config --modversion dealscore)" = "$("$DS" --version | cut -d' ' -f2)" ]
CFLAGS_LIBS=$(pkg-config --cflags --libs dealscore)
check "pkg-config points into the staged tree" sh -c "echo '$CFLAGS_LIBS' | grep -q -- '-I$ROOT/include'"
if cc $SAN -std=c11 -Wall -Wextra -Werror -o "$TMP/shared" "$SRC/tests/install/score_pipeline.c" \
    $CFLAGS_LIBS 2>"$TMP/cc.err"; then
    ok
else
    fail "building against the installed library: $(head -c 600 "$TMP/cc.err")"
fi
STATIC_LIBS=$(pkg-config --static --libs dealscore | sed 's/-ldealscore/-l:libdealscore.a/')
if cc $SAN -std=c11 -Wall -Wextra -Werror -o "$TMP/static" "$SRC/tests/install/score_pipeline.c" \
    $(pkg-config --cflags dealscore) $STATIC_LIBS 2>"$TMP/cc.err"; then
    ok
else
    fail "building against libdealscore.a: $(head -c 600 "$TMP/cc.err")"
fi
export LD_LIBRARY_PATH="$LIBDIR"
check "the shared build uses the installed libdealscore.so" sh -c "ldd '$TMP/shared' | grep -q '$LIBDIR/libdealscore.so.0'"
check "the static build needs no libdealscore.so" sh -c "! ldd '$TMP/static' | grep -q libdealscore"

"$ROOT/bin/dealscore" score -q "$EX" >"$TMP/cli.jsonl"
check "the installed program scores the pipeline as the built one" sh -c "'$DS' score -q '$EX' | cmp -s - '$TMP/cli.jsonl'"
for build in shared static; do
    expect_exit "$build: scores the example pipeline" 0 "$TMP/$build" "$EX"
    check "$build: byte for byte what dealscore score writes" cmp -s "$TMP/out" "$TMP/cli.jsonl"
    check "$build: one line per deal" [ "$(wc -l <"$TMP/out")" -eq "$(grep -c . "$EX")" ]
done
# the typed result, read without JSON, says what the JSON line says
"$TMP/shared" -t "$EX" >"$TMP/typed" 2>/dev/null
$PY -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["id"], r["verdict"], "%.1f" % r["scores"]["viability"], *r["reasons"])' "$TMP/cli.jsonl" >"$TMP/typed.expected"
check "typed fields equal the JSON line's" cmp -s "$TMP/typed" "$TMP/typed.expected"

# ---- the CSV import through the public API (dealscore_csv_*) ----
# tests/install/csv_convert.c joins a CRM export as `dealscore convert` does: the
# same deal lines and the same messages, shared and static (libcsv linked in by
# pkg-config's Libs.private), and scores them as `dealscore score` does
DL="$SRC/tests/e2e/crm/salesforce_dataloader"
DL_FILES="$DL/Opportunity.csv $DL/OpportunityContactRole.csv $DL/Contact.csv"
SF="$SRC/tests/e2e/crm/salesforce_report"
cc $SAN -std=c11 -Wall -Wextra -Werror -o "$TMP/csv_shared" "$SRC/tests/install/csv_convert.c" \
    $CFLAGS_LIBS 2>"$TMP/cc.err" || fail "csv_convert against the installed library: $(head -c 600 "$TMP/cc.err")"
cc $SAN -std=c11 -Wall -Wextra -Werror -o "$TMP/csv_static" "$SRC/tests/install/csv_convert.c" \
    $(pkg-config --cflags dealscore) $STATIC_LIBS 2>"$TMP/cc.err" || fail "csv_convert against libdealscore.a: $(head -c 600 "$TMP/cc.err")"
# shellcheck disable=SC2086
"$DS" convert --mapping salesforce_api --csv $DL/Opportunity.csv --stakeholders $DL/OpportunityContactRole.csv \
    --contacts $DL/Contact.csv >"$TMP/dl.cli" 2>"$TMP/dl.cli.err"
"$DS" convert --mapping salesforce --csv "$SF/opportunities.csv" --stakeholders "$SF/contact_roles.csv" \
    >"$TMP/sf.cli" 2>"$TMP/sf.cli.err"
grep '^dealscore: ' "$TMP/dl.cli.err" >"$TMP/dl.cli.err.lines"
"$DS" score -q --jobs 1 --as-of 2026-06-30 --mapping salesforce --csv "$SF/opportunities.csv" \
    --stakeholders "$SF/contact_roles.csv" >"$TMP/sf.scored" 2>/dev/null
for build in shared static; do
    # shellcheck disable=SC2086
    expect_exit "csv $build: a Data Loader export" 0 "$TMP/csv_$build" salesforce_api $DL_FILES
    check "csv $build: the deals dealscore convert writes" cmp -s "$TMP/out" "$TMP/dl.cli"
    check "csv $build: the messages dealscore says" sh -c "grep '^dealscore: ' '$TMP/err' | cmp -s - '$TMP/dl.cli.err.lines'"
    check "csv $build: the contact missing from Contact.csv is a note" contains "$TMP/err" 'a contact that is not in'
    expect_exit "csv $build: a report export with footers" 0 "$TMP/csv_$build" salesforce "$SF/opportunities.csv" "$SF/contact_roles.csv"
    check "csv $build: report deals as dealscore convert" cmp -s "$TMP/out" "$TMP/sf.cli"
    check "csv $build: six deals, no row lost" contains "$TMP/err" '^6 deals, 0 rows could not be deals'
    expect_exit "csv $build: scores the export" 0 "$TMP/csv_$build" -s salesforce "$SF/opportunities.csv" "$SF/contact_roles.csv"
    check "csv $build: scored as dealscore score --csv" cmp -s "$TMP/out" "$TMP/sf.scored"
done

# ---- the installed data is what the installed files read ----
sed 's/"name": "default"/"name": "installed-copy"/' "$ROOT/share/dealscore/models/default.json" >"$TMP/m"
cp "$TMP/m" "$ROOT/share/dealscore/models/default.json"
"$TMP/shared" "$EX" >/dev/null 2>"$TMP/err"
check "the library reads the installed model" contains "$TMP/err" "model installed-copy@"
# a program linked with libdealscore.a is not in the tree: it reads the configured
# data folder ($PREFIX/share/dealscore, not staged here) or $DEALSCORE_HOME
DEALSCORE_HOME="$ROOT/share/dealscore" "$TMP/static" "$EX" >/dev/null 2>"$TMP/err"
check "a static program reads DEALSCORE_HOME" contains "$TMP/err" "model installed-copy@"
"$ROOT/bin/dealscore" score -q "$EX" | head -n 1 >"$TMP/one"
check "the installed program reads the installed model" contains "$TMP/one" '"model":"installed-copy@'
PRELOAD="" # an instrumented module needs the sanitizer runtimes loaded first
[ -n "$SAN" ] && PRELOAD="$(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
LD_PRELOAD="$PRELOAD" ASAN_OPTIONS=detect_leaks=0 LUA_CPATH="$(dirname "$LUAMOD")/?.so" lua5.4 -e 'print(require("dealscore").model().name)' >"$TMP/lua" 2>&1
check "the installed Lua module reads the installed model" [ "$(cat "$TMP/lua")" = installed-copy ]
# moved elsewhere (a relocated staging tree), everything still finds its data
mv "$DEST" "$TMP/moved"
MOVED="$TMP/moved$PREFIX"
LD_LIBRARY_PATH="$MOVED/${LIBDIR#"$ROOT"/}" "$TMP/shared" "$EX" >"$TMP/out" 2>"$TMP/err"
check "moved: the library finds its data" contains "$TMP/err" "model installed-copy@"
"$MOVED/bin/dealscore" score -q "$EX" | head -n 1 >"$TMP/one"
check "moved: the program finds its data" contains "$TMP/one" '"model":"installed-copy@'

# ---- the man pages say what --help says ----
if command -v groff >/dev/null; then
    for page in "$MOVED"/share/man/man1/*.1; do
        check "$(basename "$page") renders without warnings" sh -c "[ -z \"\$(groff -man -Tutf8 -ww -z '$page' 2>&1)\" ]"
    done
fi
"$DS" score --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$TMP/options"
while read -r option; do
    check "dealscore-score(1) documents $option" grep -q -- "$(echo "$option" | sed 's/-/\\\\-/g')" "$MOVED/share/man/man1/dealscore-score.1"
done <"$TMP/options"

echo "install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
