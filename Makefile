# Makefile - build, test, demo and install kpisim (GNU make).
#
#   make                 install missing Debian packages (once), then build
#                        build/libkpisim.a and ./kpisim
#   make test            ... and run the whole test suite (tests/run.sh)
#   make test TESTS="test_stats test_write"     a subset
#   make SANITIZE=address,undefined test        everything again in build-san/
#   make fault           the whole fault-injection loop (tests/test_fault.sh)
#   make fuzz [FUZZ_SECONDS=60]  libFuzzer on the scenario loader (build-fuzz/)
#   make valgrind [VALGRIND_TESTS="test_a ..."]   the CLI and the unit tests under valgrind
#   make demo            build, compare two strategies, draw their charts
#   make calibrate-coverage [COVERAGE_TRIALS=50]  how often calibrate's 90%
#                        intervals cover the truth (tests/calibrate_coverage.sh)
#   make bench           the speed benchmarks and the NumPy yardstick
#                        (bench/run.sh, bench/results.csv)
#   make install PREFIX=/usr/local [DESTDIR=...]    make uninstall    make clean
#   make MPI=1           the MPI build: build-mpi/kpisim (Open MPI installed
#                        first); run it under mpirun or srun (docs/cluster.md)
#   make deps [MPI=1]    only the package step (MPI=1: Open MPI too)
#   V=1                  show full command lines
#
# Every engine/*.c goes into the library, every engine/cli/*.c into the
# program, every tests/test_*.c becomes a test program and every
# tests/test_*.sh a test script: adding a file needs no edit here.

# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------

SANITIZE ?=
MPI ?=
ifneq ($(SANITIZE),)
BUILD ?= build-san
else ifeq ($(MPI),1)
BUILD ?= build-mpi
else
BUILD ?= build
endif

# The program of the default build is ./kpisim; any other build keeps its
# own in its directory, so a sanitizer build never replaces ./kpisim.
ifeq ($(BUILD),build)
BIN := kpisim
else
BIN := $(BUILD)/kpisim
endif

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
LIBDIR = $(PREFIX)/lib
INCLUDEDIR = $(PREFIX)/include
MANDIR = $(PREFIX)/share/man
DATADIR = $(PREFIX)/share/kpisim

CC ?= cc
# MPI=1: Open MPI's compiler wrapper and the MPI driver of the CLI
# (engine/cli/mpi.c); the program is $(BUILD)/kpisim = build-mpi/kpisim.
ifeq ($(MPI),1)
CC := mpicc
MPIFLAGS := -DKPI_MPI
endif
AR ?= ar
CFLAGS = -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -g \
         -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes \
         -Wmissing-prototypes -Werror -Iengine -I$(BUILD)/gen
LDFLAGS ?=

ifneq ($(SANITIZE),)
SANFLAGS := -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif
# Source-based coverage (clang), for the fuzzer's coverage report.
ifeq ($(COVERAGE),1)
SANFLAGS += -fprofile-instr-generate -fcoverage-mapping
endif

PKGS := gsl yaml-0.1
# Asked once, when first used: after the deps step, so that a machine that
# has just got pkg-config and the -dev packages finds them.
PC_CFLAGS = $(eval PC_CFLAGS := $$(shell pkg-config --cflags $(PKGS) 2>/dev/null))$(PC_CFLAGS)
PC_LIBS = $(eval PC_LIBS := $$(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lgsl -lgslcblas -lyaml))$(PC_LIBS)

ALL_CFLAGS = $(CFLAGS) $(MPIFLAGS) $(PC_CFLAGS) -pthread $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) -pthread $(SANFLAGS)
LDLIBS = $(PC_LIBS) -lm
# The program alone writes workbooks (kpisim report --xlsx, libxlsxwriter);
# the library and the test programs do not link it.
XLSX_LIBS = $(eval XLSX_LIBS := $$(shell pkg-config --libs xlsxwriter 2>/dev/null || echo -lxlsxwriter -lz))$(XLSX_LIBS)

ifeq ($(V),1)
Q :=
SAY := @:
else
Q := @
SAY := @printf '  %-8s %s\n'
endif

# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

LIB_SRC := $(sort $(wildcard engine/*.c))
CLI_SRC := $(sort $(wildcard engine/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
TEST_SH := $(sort $(wildcard tests/test_*.sh))

GEN_SRC := $(BUILD)/gen/default_scenario.c
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/default_scenario.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
LIB := $(BUILD)/libkpisim.a
OBJ_LIST := $(BUILD)/objects.list

ALL_TEST_NAMES := $(basename $(notdir $(TEST_SRC) $(TEST_SH)))
TESTS ?= $(ALL_TEST_NAMES)
TEST_NAMES := $(basename $(notdir $(TESTS)))
UNKNOWN_TESTS := $(filter-out $(ALL_TEST_NAMES),$(TEST_NAMES))
TEST_PROGS := $(addprefix $(BUILD)/tests/,$(filter $(basename $(notdir $(TEST_SRC))),$(TEST_NAMES)))
TEST_SCRIPTS := $(addprefix tests/,$(addsuffix .sh,$(filter $(basename $(notdir $(TEST_SH))),$(TEST_NAMES))))
ALL_TEST_PROGS := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

# Until engine/cli/ has a main, there is no program to build.
PROGRAM := $(if $(CLI_SRC),$(BIN))

# ---------------------------------------------------------------------------
# Packages (Debian)
# ---------------------------------------------------------------------------

APT_LISTS ?= /var/lib/apt/lists
# Two install steps may run at once under make -j (the package step and a
# test's own stamp, or the MPI sub-make's): each apt-get waits for the other
# (one lock file of ours, and dpkg's own lock for any other apt on the machine).
APT_LOCK ?= /tmp/kpisim-apt.lock
APT_WAIT := -o DPkg::Lock::Timeout=900
DEPS_PKGS := libgsl-dev libyaml-dev librandom123-dev gnuplot-nox fonts-noto-cjk pkg-config locales time \
             python3-fonttools libxlsxwriter-dev
ifeq ($(MPI),1)
DEPS_PKGS += openmpi-bin libopenmpi-dev
DEPS_STAMP := $(BUILD)/.deps-mpi.stamp
else
DEPS_STAMP := $(BUILD)/.deps.stamp
endif

.PHONY: all deps test fault fuzz mpi-program valgrind demo bench install uninstall clean FORCE \
        calibrate-coverage
.DELETE_ON_ERROR:

all: deps $(LIB) $(PROGRAM)

deps: $(DEPS_STAMP)
	@:

# $(call apt_install,PACKAGES): a shell command that installs the packages
# dpkg does not report as installed, says which, refreshes the package
# lists first when they are missing or older than a day, and uses sudo only
# when not root.  The stamps make the next make do nothing at all; each is
# redone when this Makefile (the lists) changes.
define apt_install
set -e; \
if ! command -v dpkg-query >/dev/null 2>&1; then \
    echo "make: not a Debian system; make sure these (or your system's" \
         "equivalents) are installed: $(1)"; \
else \
    missing=; \
    for p in $(1); do \
        case "$$(dpkg-query -W -f='$${Status}' $$p 2>/dev/null)" in \
            *" ok installed") ;; \
            *) missing="$$missing $$p" ;; \
        esac; \
    done; \
    if [ -n "$$missing" ]; then \
        if [ "$$(id -u)" -eq 0 ]; then sudo=; \
        elif command -v sudo >/dev/null 2>&1; then sudo=sudo; \
        else echo "make: missing packages:$$missing; run 'make deps' as root" >&2; exit 1; \
        fi; \
        echo "make: installing missing packages:$$missing"; \
        lock=; if command -v flock >/dev/null 2>&1; then lock="flock $(APT_LOCK)"; fi; \
        if [ -z "$$(find $(APT_LISTS) -maxdepth 1 -name '*_Packages*' -mtime -1 2>/dev/null | head -n 1)" ]; then \
            $$sudo $$lock env DEBIAN_FRONTEND=noninteractive apt-get -q $(APT_WAIT) update; \
        fi; \
        $$sudo $$lock env DEBIAN_FRONTEND=noninteractive apt-get -q $(APT_WAIT) install -y --no-install-recommends $$missing; \
    fi; \
fi
endef

$(DEPS_STAMP): Makefile
	$(Q)$(call apt_install,$(DEPS_PKGS)); \
	mkdir -p $(@D); touch $@

# ---------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------

# Rebuild the archive and relink when the set of objects changes (a source
# file removed), not only when an object is newer.
$(OBJ_LIST): FORCE
	@mkdir -p $(@D); echo '$(LIB_OBJ) $(CLI_OBJ)' > $@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi

# The library exports the functions of engine/kpisim.h alone (KPI_API);
# its internal kpi_ functions are hidden from a shared build of it.
$(LIB_OBJ): ALL_CFLAGS += -fvisibility=hidden

$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	$(SAY) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c | $(DEPS_STAMP)
	$(SAY) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The built-in default scenario: the bytes of scenarios/default.yaml as a C
# array (od and awk, no xxd), NUL-terminated; the length leaves the NUL out.
# Unsigned char, so that bytes above 127 (UTF-8 titles) need no conversion.
$(GEN_SRC): scenarios/default.yaml Makefile
	$(SAY) GEN $@
	@mkdir -p $(@D)
	$(Q){ \
	    echo '/* Generated by the Makefile from $<: do not edit. */'; \
	    echo '#include "kpisim.h"'; \
	    echo ''; \
	    echo 'static const unsigned char text[] = {'; \
	    od -An -v -tu1 $< | awk '{ for (i = 1; i <= NF; i++) printf "%s,", $$i; printf "\n" }'; \
	    echo '0'; \
	    echo '};'; \
	    echo ''; \
	    echo 'const char *kpi_default_scenario_text(size_t *len)'; \
	    echo '{'; \
	    echo '    if (len)'; \
	    echo '        *len = sizeof text - 1;'; \
	    echo '    return (const char *)text;'; \
	    echo '}'; \
	} > $@.tmp && mv -f $@.tmp $@

# The meanings of the scenario keys for the workbook's scenario sheet
# (kpisim report --xlsx): the rows "| `KEY` | ... | MEANING |" of the key
# tables of docs/model.md as a C table (the program's, not the library's).
KEYDOC_SRC := $(BUILD)/gen/key_meanings.c
KEYDOC_OBJ := $(BUILD)/obj/gen/key_meanings.o
$(KEYDOC_SRC): docs/model.md Makefile
	$(SAY) GEN $@
	@mkdir -p $(@D)
	$(Q){ \
	    echo '/* Generated by the Makefile from $<: do not edit. */'; \
	    echo '#include <string.h>'; \
	    echo '#include "cli/report.h"'; \
	    echo ''; \
	    echo 'static const char *const table[][2] = {'; \
	    awk -F' [|] ' '/^[|] `[A-Za-z_.]+` [|]/ { \
	        k = $$1; sub(/^[|] `/, "", k); sub(/`.*/, "", k); \
	        m = $$NF; sub(/ *[|] *$$/, "", m); gsub(/`/, "", m); \
	        gsub(/\\/, "\\\\", m); gsub(/"/, "\\\"", m); \
	        if (!(k in seen)) { seen[k] = 1; printf "    {\"%s\", \"%s\"},\n", k, m } }' $<; \
	    echo '};'; \
	    echo ''; \
	    echo 'const char *rpt_key_meaning(const char *key)'; \
	    echo '{'; \
	    echo '    for (size_t i = 0; i < sizeof table / sizeof *table; i++)'; \
	    echo '        if (strcmp(table[i][0], key) == 0)'; \
	    echo '            return table[i][1];'; \
	    echo '    return NULL;'; \
	    echo '}'; \
	} > $@.tmp && mv -f $@.tmp $@

$(LIB): $(LIB_OBJ) $(OBJ_LIST)
	$(SAY) AR $@
	@rm -f $@
	$(Q)$(AR) rcs $@ $(LIB_OBJ)

$(BIN): $(CLI_OBJ) $(KEYDOC_OBJ) $(LIB) $(OBJ_LIST)
	$(SAY) LINK $@
	$(Q)$(CC) $(ALL_LDFLAGS) $(CLI_OBJ) $(KEYDOC_OBJ) $(LIB) $(LDLIBS) $(XLSX_LIBS) -o $@

# Test programs may include the library's private headers (-Iengine).
$(BUILD)/tests/%: tests/%.c $(LIB) | $(DEPS_STAMP)
	$(SAY) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -MF $@.d -MT $@ -Itests $< $(LIB) $(ALL_LDFLAGS) $(LDLIBS) -o $@

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(ALL_TEST_PROGS:=.d)

# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

# Test scripts find the program of this build through KPISIM.
ifneq ($(filter test,$(MAKECMDGOALS)),)
ifneq ($(UNKNOWN_TESTS),)
$(error no test named $(UNKNOWN_TESTS); the tests are: $(ALL_TEST_NAMES))
endif
endif

# A decimal-comma locale for the locale-independence tests, compiled into the
# build directory (nothing is installed; LOCPATH points the tests at it).
# Without the locale sources (Debian's locales package) the tests say so.
TEST_LOCALE := $(BUILD)/locale/de_DE.UTF-8
$(TEST_LOCALE): | $(DEPS_STAMP)
	$(Q)mkdir -p $(@D); \
	if [ -r /usr/share/i18n/locales/de_DE ]; then \
	    localedef -c -i de_DE -f UTF-8 $@ >/dev/null 2>&1 || true; fi; \
	mkdir -p $@

# Fault injection (tests/test_fault.sh, docs/hardening.md): a shim loaded
# with LD_PRELOAD in front of the C library, and a probe program the test
# checks the shim with.  Test helpers only: never linked into the program.
# The shim is built without the sanitizers (it runs before their runtime is
# ready and forwards to it).
FAULT_SHIM := $(BUILD)/tests/libfaultshim.so
FAULT_PROBE := $(BUILD)/tests/faultprobe
FAULT_HELPERS := $(if $(filter test_fault,$(TEST_NAMES)),$(FAULT_SHIM) $(FAULT_PROBE))

$(FAULT_SHIM): tests/faultshim.c | $(DEPS_STAMP)
	$(SAY) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -fPIC -shared $< -o $@ -ldl

# The library stands alone (tests/test_standalone.sh): a program that only
# runs links without libyaml, nor anything else the loader or the writers need.
STANDALONE := $(BUILD)/tests/standalone
STANDALONE_HELPERS := $(if $(filter test_standalone,$(TEST_NAMES)),$(STANDALONE))
-include $(STANDALONE).d

$(STANDALONE): tests/standalone.c $(LIB) | $(DEPS_STAMP)
	$(SAY) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -MF $@.d -MT $@ $< $(LIB) $(LDFLAGS) $(SANFLAGS) -lgsl -lgslcblas -lm -pthread -o $@


# tests/test_report.sh loads the report in a real browser (Debian's
# chromium), renders the workbook with LibreOffice and reads the PDFs with
# poppler-utils: installed by make test when that test is selected and they
# are missing (their own stamp: not part of make deps or make demo).
REPORT_TEST_PKGS := chromium poppler-utils libreoffice-calc-nogui
REPORT_TEST_STAMP := $(BUILD)/.deps-report-test.stamp
REPORT_TEST_DEPS := $(if $(filter test_report,$(TEST_NAMES)),$(REPORT_TEST_STAMP))

$(REPORT_TEST_STAMP): Makefile | $(DEPS_STAMP)
	$(Q)$(call apt_install,$(REPORT_TEST_PKGS)); \
	mkdir -p $(@D); touch $@

test: deps $(PROGRAM) $(TEST_PROGS) $(TEST_LOCALE) $(FAULT_HELPERS) $(STANDALONE_HELPERS) \
      $(REPORT_TEST_DEPS) mpi-program
	$(Q)KPISIM='$(abspath $(BIN))' KPI_BUILD='$(BUILD)' LOCPATH='$(abspath $(BUILD)/locale)' \
	    KPISIM_MPI='$(abspath build-mpi/kpisim)' \
	    bash tests/run.sh $(TEST_PROGS) $(TEST_SCRIPTS)

# The MPI build that tests/test_mpi.sh runs under mpirun (docs/cluster.md):
# Open MPI installed by its deps step, the program in build-mpi/.  Where
# there is no mpicc even after that step (not Debian), the MPI tests report
# themselves skipped.
mpi-program: deps
	$(Q)$(MAKE) --no-print-directory MPI=1 SANITIZE= BUILD=build-mpi deps
	$(Q)if command -v mpicc >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory MPI=1 SANITIZE= BUILD=build-mpi all; \
	else \
	    echo "make: no mpicc here: tests/test_mpi.sh will be skipped"; \
	fi

# The whole fault-injection loop: every command, every class of call, one
# failure and persistent failures (make test runs the shorter loop).
fault: deps $(PROGRAM) $(FAULT_SHIM) $(FAULT_PROBE)
	$(Q)KPISIM='$(abspath $(BIN))' KPI_BUILD='$(BUILD)' FAULT_FULL=1 \
	    bash tests/run.sh tests/test_fault.sh

# The coverage study of kpisim calibrate's 90% intervals (docs/calibration.md):
# COVERAGE_TRIALS fits of histories made at known keys; minutes, not in make test.
COVERAGE_TRIALS ?= 50
calibrate-coverage: all
	bash tests/calibrate_coverage.sh ./$(BIN) $(COVERAGE_TRIALS)

# ---------------------------------------------------------------------------
# Fuzzing (docs/hardening.md "Fuzzing")
# ---------------------------------------------------------------------------

# make fuzz [FUZZ_SECONDS=60]: libFuzzer on the scenario loader
# (tests/fuzz_scenario.c), everything built with clang, ASan and UBSan into
# build-fuzz/ (FUZZ_CC, the compiler; its libFuzzer runtime and llvm-cov come
# with Debian's libclang-rt-N-dev and llvm-N, installed here when missing).
# tests/fuzz.sh seeds it, runs it, reports executions and coverage (edges,
# and the lines of the loader's files from a second, coverage build in
# build-fuzz/cov/ run over the corpus); the target fails when it finds
# anything, which goes to build-fuzz/findings/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_DIR := build-fuzz
FUZZ_STAMP := $(FUZZ_DIR)/.deps-fuzz.stamp

$(FUZZ_STAMP): Makefile
	$(Q)$(call apt_install,$(FUZZ_CC)); \
	v=$$($(FUZZ_CC) --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -n 1); \
	if [ -n "$$v" ] && ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' | \
	    $(FUZZ_CC) -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then \
	    $(call apt_install,libclang-rt-$$v-dev); \
	fi; \
	if [ -n "$$v" ] && ! command -v llvm-cov-$$v >/dev/null 2>&1; then \
	    $(call apt_install,llvm-$$v); \
	fi; \
	mkdir -p $(@D); touch $@

fuzz: $(FUZZ_STAMP)
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=$(FUZZ_CC) \
	    SANITIZE=address,undefined,fuzzer-no-link \
	    $(FUZZ_DIR)/fuzz/fuzz_scenario $(FUZZ_DIR)/fuzz/scenario.dict
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR)/cov CC=$(FUZZ_CC) \
	    SANITIZE=fuzzer-no-link COVERAGE=1 $(FUZZ_DIR)/cov/fuzz/fuzz_scenario
	$(Q)bash tests/fuzz.sh $(FUZZ_DIR)/fuzz/fuzz_scenario $(FUZZ_DIR)/fuzz/scenario.dict \
	    $(FUZZ_SECONDS) $(FUZZ_DIR) $(FUZZ_DIR)/cov/fuzz/fuzz_scenario

# In the fuzz build (make fuzz calls make again with BUILD=build-fuzz).
$(BUILD)/fuzz/fuzz_scenario: tests/fuzz_scenario.c tests/fuzzcheck.h $(LIB) | $(DEPS_STAMP)
	$(SAY) CC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -MF $@.d -MT $@ -Itests $< $(LIB) \
	    $(ALL_LDFLAGS) -fsanitize=fuzzer $(LDLIBS) -o $@

$(BUILD)/fuzz/scenario.dict: tests/fuzz_dict.c $(LIB) | $(DEPS_STAMP)
	$(SAY) GEN $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -MF $@.d -MT $@ $< $(LIB) $(ALL_LDFLAGS) $(LDLIBS) -o $@.gen && \
	    ./$@.gen > $@.tmp && mv -f $@.tmp $@

# make valgrind: small runs of every command of the CLI (two threads for
# run), then the unit tests, under valgrind's memcheck; any error or leak
# fails.  Every unit test by default, which takes long (the statistical
# tests run thousands of replications); VALGRIND_TESTS="test_a test_b"
# picks some (CI: the quick ones, about half a minute in all).
VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect
VALGRIND_TESTS ?= $(basename $(notdir $(TEST_SRC)))
VALGRIND_PROGS := $(addprefix $(BUILD)/tests/,$(VALGRIND_TESTS))
VALGRIND_STAMP := $(BUILD)/.deps-valgrind.stamp
FAULT_DATA := tests/data/fault

ifneq ($(filter valgrind,$(MAKECMDGOALS)),)
ifneq ($(SANITIZE),)
$(error make valgrind needs a build without SANITIZE)
endif
endif

$(VALGRIND_STAMP): Makefile
	$(Q)$(call apt_install,valgrind); \
	mkdir -p $(@D); touch $@

valgrind: deps $(VALGRIND_STAMP) $(PROGRAM) $(VALGRIND_PROGS)
	$(Q)set -e; failed=0; \
	vg() { echo "valgrind $$*"; $(VALGRIND) "$$@" >/dev/null || failed=$$((failed + 1)); }; \
	if [ -n "$(PROGRAM)" ]; then \
	    rm -rf $(BUILD)/vg; \
	    vg ./$(BIN) run -n 20 --threads 2 -o $(BUILD)/vg/run --quiet; \
	    vg ./$(BIN) run $(FAULT_DATA)/tiny.yaml --per-replication --threads 1 -o $(BUILD)/vg/tiny --quiet; \
	    vg ./$(BIN) validate $(FAULT_DATA)/tiny.yaml $(FAULT_DATA)/sweep.yaml; \
	    vg ./$(BIN) compare $(FAULT_DATA)/tiny.yaml $(FAULT_DATA)/other.yaml --threads 1 \
	        -o $(BUILD)/vg/compare --quiet; \
	    vg ./$(BIN) sweep $(FAULT_DATA)/sweep.yaml --threads 1 -o $(BUILD)/vg/sweep --quiet; \
	    vg ./$(BIN) explain $(FAULT_DATA)/tiny.yaml $(BUILD)/vg/tiny; \
	    vg ./$(BIN) report $(BUILD)/vg/compare --xlsx; \
	    vg ./$(BIN) calibrate tests/data/calibrate/tiny-history.csv --scenario $(FAULT_DATA)/tiny.yaml \
	        --fit activity.compliance -n 3 --threads 1 --project 2 -o $(BUILD)/vg/calibrate --quiet; \
	fi; \
	for t in $(VALGRIND_PROGS); do vg $$t; done; \
	if [ $$failed -ne 0 ]; then echo "valgrind: $$failed program(s) failed" >&2; exit 1; fi; \
	echo "valgrind: no errors"

# ---------------------------------------------------------------------------
# Demo, install, clean
# ---------------------------------------------------------------------------

# The headline lesson (M1 against M2): traditional against activity-centred
# management on common random numbers, its charts, and where they are.
DEMO_DIR := runs/demo
demo: all
	@echo "kpisim demo: traditional management (M1) against activity-centred management (M2-M4),"
	@echo "20 agents over two years, 1000 replications on common random numbers."
	@echo ""
	./$(BIN) compare scenarios/strategies/traditional.yaml scenarios/strategies/activity.yaml \
	    -n 1000 -o $(DEMO_DIR)
	@echo ""
	./$(BIN) plot $(DEMO_DIR) > $(DEMO_DIR)/charts.txt
	@echo ""
	@echo "The two files differ only in what the manager does (management:, assessment:);"
	@echo "compliance, activity rate, headcount and volatility are outcomes. Activity-centred"
	@echo "management raises mean_activity_rate and steadies premium around its trend"
	@echo "(premium_volatility: the sd of log monthly premium around each replication's own"
	@echo "trend line after the first three months), a small effect; its strict assessment"
	@echo "shrinks the team (final_headcount). docs/compare.md has the figures and why."
	@echo ""
	@echo "The four KPIs (K3) are the rows final_headcount, mean_activity_rate,"
	@echo "cases_per_active and premium_per_case above; the charts are:"
	@sed 's/^/  /' $(DEMO_DIR)/charts.txt
	@echo "and the numbers in $(DEMO_DIR)/comparison.csv (docs/compare.md, docs/charts.md)."
	@echo ""
	./$(BIN) report $(DEMO_DIR) --xlsx > $(DEMO_DIR)/report.txt
	@echo "The report for the meeting, one page with everything (docs/report.md), and its workbook:"
	@sed 's/^/  /' $(DEMO_DIR)/report.txt

# Speed benchmarks (issue 7): scenarios/bench/, figures in bench/results.csv.
# BENCH_REPS=N shortens the full runs; BENCH_SMALL=N the small ones.  The
# NumPy yardstick (bench/peer_numpy.py, issue 18) needs Debian's
# python3-numpy, installed here like the build's packages (its own stamp:
# not part of make deps).
BENCH_PKGS := python3-numpy
BENCH_STAMP := $(BUILD)/.deps-bench.stamp

$(BENCH_STAMP): Makefile
	$(Q)$(call apt_install,$(BENCH_PKGS)); \
	mkdir -p $(@D); touch $@

bench: all $(BENCH_STAMP)
	bash bench/run.sh ./$(BIN)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DATADIR)/plots $(DESTDIR)$(DATADIR)/scenarios
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/kpisim
	install -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/libkpisim.a
	install -m 644 engine/kpisim.h $(DESTDIR)$(INCLUDEDIR)/kpisim.h
	install -m 644 docs/kpisim.1 $(DESTDIR)$(MANDIR)/man1/kpisim.1
	@set -e; for f in plots/*.gp plots/*.gpi; do \
	    [ -f "$$f" ] || continue; \
	    echo "install -m 644 $$f $(DESTDIR)$(DATADIR)/plots/"; \
	    install -m 644 "$$f" "$(DESTDIR)$(DATADIR)/plots/"; \
	done
	@set -e; cd scenarios; \
	find . -type d | while IFS= read -r d; do install -d "$(DESTDIR)$(DATADIR)/scenarios/$$d"; done; \
	find . -type f | while IFS= read -r f; do \
	    install -m 644 "$$f" "$(DESTDIR)$(DATADIR)/scenarios/$$f"; \
	done; \
	echo "installed scenarios/ into $(DESTDIR)$(DATADIR)/scenarios"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kpisim $(DESTDIR)$(LIBDIR)/libkpisim.a \
	    $(DESTDIR)$(INCLUDEDIR)/kpisim.h $(DESTDIR)$(MANDIR)/man1/kpisim.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(sort build build-san build-fuzz build-mpi $(BUILD)) kpisim
