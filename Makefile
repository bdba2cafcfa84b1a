# dealscore: the front door. `make demo` and `make test` work on a fresh Debian 12
# machine: each target first installs the Debian packages it needs.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= 2
PREFIX     ?= /usr/local
DESTDIR    ?=
CMAKE_ARGS ?=

# Debian packages: to build, to test, to benchmark
BUILD_DEPS = gcc make cmake pkg-config liblua5.4-dev libcjson-dev libuv1-dev libcsv-dev libhttp-parser-dev libssl-dev help2man
TEST_DEPS  = $(BUILD_DEPS) libcmocka-dev python3 python3-jsonschema curl openssl systemd lua5.4 valgrind graphviz netcat-openbsd lua-socket
# the Python binding (bindings/python), its tests and the Dask example
BUILD_DEPS += python3-dev
TEST_DEPS  += python3-pytest python3-pandas python3-dask python3-distributed
BENCH_DEPS = $(BUILD_DEPS) jq bc python3 time redis-server redis-tools netcat-openbsd valgrind
FUZZ_DEPS  = $(BUILD_DEPS) clang-14 libclang-rt-14-dev python3
FRESH_DEPS = debootstrap git
RELIABILITY_DEPS = $(TEST_DEPS) $(FUZZ_DEPS)

.PHONY: all build demo test asan bench deps-build deps-test deps-bench format clean help install
.PHONY: fuzz reliability deps-fuzz deps-reliability fresh deps-fresh

all: build

help:
	@echo "make demo    build and score the bundled example pipeline"
	@echo "make test    build and run every test"
	@echo "make build   release build into $(BUILD)/ (program: $(BUILD)/dealscore)"
	@echo "             and the Python package $(BUILD)/python/dealscore (docs/python.md)"
	@echo "make asan    AddressSanitizer + UBSan build and the whole test suite"
	@echo "make bench   benchmarks, figures recorded in benchmarks/README.md"
	@echo "make fuzz    libFuzzer harnesses, FUZZ_SECONDS each (default $(FUZZ_SECONDS))"
	@echo "make reliability  long bad-input, memcheck, limits and fuzzing runs;"
	@echo "             figures written to docs/reliability.md"
	@echo "make fresh   make demo, then make test, on a fresh Debian 12 root (debootstrap;"
	@echo "             needs root; the committed HEAD only)"
	@echo "make format  clang-format every C file"
	@echo "make install install under PREFIX (default $(PREFIX)), staged under DESTDIR if"
	@echo "             given: program, libdealscore.so/.a, dealscore.h, dealscore.pc, the"
	@echo "             Lua module, models and scripts (share/dealscore), man pages"

deps-build:
	@scripts/install-deps $(BUILD_DEPS)
deps-test:
	@scripts/install-deps $(TEST_DEPS)
deps-bench:
	@scripts/install-deps $(BENCH_DEPS)
deps-fuzz:
	@scripts/install-deps $(FUZZ_DEPS)
deps-reliability:
	@scripts/install-deps $(RELIABILITY_DEPS)
deps-fresh:
	@scripts/install-deps $(FRESH_DEPS)

# Every target configures before it builds: cheap when nothing changed, and no cache
# left by a failed or interrupted configure can wedge a later target. The tests (and
# what only they need) are configured only by the targets that run them; switching
# BUILD_TESTING in one build directory regenerates, it recompiles nothing.
configure = cmake -S . -B $(1) -DBUILD_TESTING=$(2) $(3) $(CMAKE_ARGS)

# ctest names a skipped test (exit 77) but does not show why: the reason it printed
# ("SKIPPED: ...") is read back from ctest's log. Runs even when a test failed.
ctest = ctest --test-dir $(1) --output-on-failure -j$(JOBS); rc=$$?; \
	awk '/^[0-9]+\/[0-9]+ Test: /{t=$$3} /^SKIPPED: /{print "skipped " t ": " substr($$0, 10)}' \
		$(1)/Testing/Temporary/LastTest.log; exit $$rc

build: deps-build
	$(call configure,$(BUILD),OFF,-DCMAKE_BUILD_TYPE=Release)
	cmake --build $(BUILD) -j$(JOBS)

# The prefix is compiled in (the installed data folder) and written in dealscore.pc;
# DESTDIR only stages the files (packaging), as with autotools.
install: deps-build
	$(call configure,$(BUILD),OFF,-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX))
	cmake --build $(BUILD) -j$(JOBS)
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

demo: build
	@mkdir -p $(BUILD)/demo
	@echo
	@echo "Scoring the example pipeline models/examples/pipeline.jsonl:"
	@echo
	@$(BUILD)/dealscore score --quiet --format table models/examples/pipeline.jsonl
	@$(BUILD)/dealscore score --explain -o $(BUILD)/demo/results.jsonl models/examples/pipeline.jsonl
	@echo
	@echo "Full results, with every factor explained: $(BUILD)/demo/results.jsonl"

test: deps-test
	$(call configure,$(BUILD),ON,-DCMAKE_BUILD_TYPE=Release)
	cmake --build $(BUILD) -j$(JOBS)
	$(call ctest,$(BUILD))

asan: deps-test
	$(call configure,$(ASAN_BUILD),ON,-DCMAKE_BUILD_TYPE=Debug -DDEALSCORE_SANITIZE=ON)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:exitcode=86 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86 \
		$(call ctest,$(ASAN_BUILD))

bench: deps-bench build
	benchmarks/run.sh $(BUILD)/dealscore

# libFuzzer (clang-14) with ASan + UBSan; corpora grow in $(FUZZ_BUILD)/corpus/
fuzz: deps-fuzz
	$(call configure,$(FUZZ_BUILD),OFF,-DCMAKE_C_COMPILER=clang-14 \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEALSCORE_FUZZ=ON)
	cmake --build $(FUZZ_BUILD) -j$(JOBS)
	tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# the long versions of the reliability tests; rewrites the figures of docs/reliability.md
reliability: deps-reliability test
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
	tests/reliability/run.sh $(BUILD) $(FUZZ_BUILD) docs/reliability.md

# the README's two commands on a new Debian 12 minbase root, in a clone of HEAD
fresh: deps-fresh
	scripts/fresh

format:
	clang-format -i core/*.[ch] lib/*.[ch] bindings/*/*.[ch] tests/unit/*.[ch] tests/fuzz/*.c

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
