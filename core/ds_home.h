/* ds_home.h: where the bundled data (models/, scripts/) is found.
 *
 * One lookup for the program, the library and the Lua module, so that an
 * installed copy (bin/, lib/, lib/lua/5.4/ under a prefix, even one moved or
 * staged under DESTDIR) reads its own share/dealscore, and a build reads the
 * source tree it was built from. */
#ifndef DS_HOME_H
#define DS_HOME_H

/* The data folder, in this order: $DEALSCORE_HOME; share/dealscore under the
 * nearest ancestor (up to six folders up) of the binary that holds this code
 * (the program, libdealscore.so, the Lua module); the folder above a program
 * whose sibling models/ holds default.json (an unpacked tree); the source tree
 * of the build (DEALSCORE_DATADIR); the configured installed data folder
 * (DEALSCORE_INSTALL_DATADIR). The first holding models/default.json wins; when
 * none does, the source tree. Computed once (thread-safe); the environment is
 * read on every call, so a test may set DEALSCORE_HOME at any time. */
const char *ds_home(void);

#endif
