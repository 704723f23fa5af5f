# The mmap workbook: one non-recursive Makefile.  `make help` lists the targets.
#
# Every program is found by wildcard and built by one pattern rule:
#   chapters/NN-slug/prog.c  ->  $(BUILD)/chapters/NN-slug/prog
#   exercises/NN-slug/ex.c   ->  $(BUILD)/exercises/NN-slug/ex
#   solutions/NN-slug/ex.c   ->  $(BUILD)/solutions/NN-slug/ex
#   examples/NAME/main.c + examples/NAME/*.c  ->  $(BUILD)/examples/NAME/NAME
#     (every .c file of the example but bench_*.c is linked into it; a
#     benchmark driver bench_X.c links the same files less main.c, plus the
#     libraries its header names on a ` * bench-libs:` line, and is built
#     only by `make bench`, which runs examples/NAME/bench.sh)
# Adding a demo, an exercise or an example needs no edit here.

CC      ?= cc
CFLAGS  ?= -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wshadow -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes -Wvla
CPPFLAGS += -Ilib -D_GNU_SOURCE
LDLIBS  += -pthread -lrt
BUILD   ?= build

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB      := $(BUILD)/lib/libwb.a

DEMO_SRCS := $(sort $(wildcard chapters/*/*.c))
EX_SRCS   := $(sort $(wildcard exercises/*/*.c))
SOL_SRCS  := $(sort $(wildcard solutions/*/*.c))
# The examples: one program per directory with a main.c.
EXAMPLE_DIRS  := $(sort $(patsubst %/main.c,%,$(wildcard examples/*/main.c)))
EXAMPLE_PROGS := $(foreach d,$(EXAMPLE_DIRS),$(BUILD)/$(d)/$(notdir $(d)))
ex_srcs        = $(filter-out $(1)/bench_%.c,$(wildcard $(1)/*.c))
ex_objs        = $(patsubst %.c,$(BUILD)/%.o,$(call ex_srcs,$(1)))
EXAMPLE_OBJS  := $(foreach d,$(EXAMPLE_DIRS),$(call ex_objs,$(d)))
# The objects of the example that built file $(1) belongs to; less main.o.
ex_objs_of     = $(call ex_objs,$(patsubst $(BUILD)/%/,%,$(dir $(1))))
ex_lib_objs_of = $(filter-out %/main.o,$(call ex_objs_of,$(1)))
PROGS     := $(patsubst %.c,$(BUILD)/%,$(DEMO_SRCS) $(EX_SRCS) $(SOL_SRCS)) $(EXAMPLE_PROGS)
# The demos some exercise tests run beside the student's program (chapter 14's
# reader reads a region perfvm writes): `make grade` builds them first.
DEMO_PROGS  := $(patsubst %.c,$(BUILD)/%,$(DEMO_SRCS))
GRADE_DEMOS := $(if $(CH),$(filter $(BUILD)/chapters/$(CH)%,$(DEMO_PROGS)),$(DEMO_PROGS))
# CH=NN narrows test, memcheck and demo to one chapter (and builds only it).
SELECTED  := $(if $(CH),$(filter $(foreach t,chapters exercises solutions examples,$(BUILD)/$(t)/$(CH)%),$(PROGS)),$(PROGS))
# The machine facts (scripts/doctor.c): always the plain build's doctor, run
# natively, even when the tests run an instrumented build (make sanitize).
DOCTOR    := $(BUILD)/doctor
# The launcher make grade runs every student program through (scripts/sandbox.c).
SANDBOX   := $(BUILD)/sandbox

# The runner used by test, grade and memcheck; see scripts/run-tests.sh.
RUN_TESTS = WB_BUILD='$(BUILD)' WB_DOCTOR='$(DOCTOR)' scripts/run-tests.sh
GRADE_ENV = CC='$(CC)' CFLAGS='$(CFLAGS)' CPPFLAGS='$(CPPFLAGS)' \
        LDFLAGS='$(LDFLAGS)' LDLIBS='$(LDLIBS)' WB_BUILD='$(BUILD)' WB_DOCTOR='$(DOCTOR)'
GRADE = $(GRADE_ENV) scripts/grade.sh
# make watch's tool (scripts/setup.sh's WB_SETUP_EXTRA syntax); make test
# installs it too, for the watch test of tests/grading.bats.
WATCH_TOOLS := inotifywait:inotify-tools
MEMCHECK = valgrind -q --leak-check=full --errors-for-leak-kinds=definite \
           --error-exitcode=99 --child-silent-after-fork=yes --vgdb=no

# The book's pages in reading order: the front page, the chapters, the
# examples, the appendix on the helper library; then its header, whose API
# the appendix links to.
BOOK_MD    := book/mainpage.md $(sort $(wildcard chapters/*/README.md)) $(sort $(wildcard examples/*/README.md)) book/appendix.md
BOOK_PAGES := $(BOOK_MD) lib/wb.h

.PHONY: all lib doctor setup demo run test check grade grade-all autograder watch progress reset prairielearn memcheck test-matrix sanitize sanitize-build book book-pdf lint fuzz bench bench-setup clean help
.DEFAULT_GOAL := all

all: $(PROGS) $(DOCTOR) $(SANDBOX) ## build lib/, every demo, every exercise stub and every solution

lib: $(LIB) ## build the helper library only

$(BUILD)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(BUILD)/%: %.c $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP $< $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

# An example's objects, then its program from all of them (second expansion:
# the prerequisites are the objects of the target's own directory).
$(BUILD)/examples/%.o: examples/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

.SECONDEXPANSION:
$(EXAMPLE_PROGS): $$(call ex_objs_of,$$@) $(LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(DOCTOR): scripts/doctor.c $(LIB)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP $< $(LIB) $(LDFLAGS) $(LDLIBS) -o $@

$(SANDBOX): scripts/sandbox.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP $< $(LDFLAGS) -o $@

doctor: $(DOCTOR) ## the facts about this machine that the lessons and tests depend on
	$(Q)$(DOCTOR)

setup: ## check for (and install) gcc, bats and its libraries, valgrind
	$(Q)scripts/setup.sh

demo: setup $(SELECTED) ## the guided tour: every chapter's demos in order (CH=02 for one)
	$(Q)WB_BUILD='$(BUILD)' scripts/demo.sh $(CH)

run: all ## run one demo: make run P=02-private-anonymous/cow_fork ARGS='...'
	@test -n "$(P)" || { echo "make run: say which demo, e.g. P=01-basics/pagesize" >&2; exit 2; }
	@test -x "$(BUILD)/chapters/$(P)" || { echo "make run: no demo '$(P)' (see chapters/*/*.c)" >&2; exit 2; }
	$(Q)cd "$${TMPDIR:-/tmp}" && "$(CURDIR)/$(BUILD)/chapters/$(P)" $(ARGS)

test: setup $(SELECTED) $(DOCTOR) $(SANDBOX) $(if $(CH),,book) ## the project's gate: demo tests, solutions, and proof every stub fails
	$(Q)$(if $(CH),,WB_SETUP_EXTRA='$(WATCH_TOOLS)' scripts/setup.sh)
	$(Q)$(RUN_TESTS) --demos --solutions --stubs --extras $(if $(CH),--chapter $(CH))

check: test ## same as test

grade: setup lib $(DOCTOR) $(SANDBOX) $(GRADE_DEMOS) ## grade exercises/ (or SUBMISSION=DIR); CH=NN or EX=NN-slug/exK_name narrows it
	$(Q)$(GRADE) $(if $(CH),-c '$(CH)') $(if $(EX),-e '$(EX)') '$(or $(SUBMISSION),exercises)'

watch: setup lib $(DOCTOR) $(SANDBOX) $(GRADE_DEMOS) ## grade EX=NN-slug/exK_name (or CH=NN) again each time you save it; Ctrl-C ends
	$(Q)WB_SETUP_EXTRA='$(WATCH_TOOLS)' scripts/setup.sh
	$(Q)$(GRADE_ENV) scripts/watch.sh $(if $(CH),-c '$(CH)') $(if $(EX),-e '$(EX)') '$(or $(SUBMISSION),exercises)'

progress: ## per chapter: exercises passed, points and a bar, from the last grade run (no re-run)
	$(Q)WB_BUILD='$(BUILD)' scripts/progress.sh

reset: ## give EX=NN-slug/exK_name's pristine stub back (yours is kept as exK_name.c.bak-DATE)
	$(Q)scripts/reset.sh '$(EX)'

grade-all: setup lib $(DOCTOR) $(SANDBOX) ## grade a class: every subdirectory of SUBMISSIONS=DIR; writes build/grade-all/grades.csv
	$(Q)CC='$(CC)' CFLAGS='$(CFLAGS)' CPPFLAGS='$(CPPFLAGS)' LDFLAGS='$(LDFLAGS)' LDLIBS='$(LDLIBS)' \
	  WB_BUILD='$(BUILD)' scripts/grade-all.sh '$(SUBMISSIONS)'

autograder: ## the Gradescope bundle: build/autograder.zip (setup.sh, run_autograder)
	$(Q)scripts/autograder.sh $(BUILD)/autograder.zip

prairielearn: ## PrairieLearn's external grader: build/prairielearn/ (Dockerfile, the grader, an info.json example)
	$(Q)scripts/prairielearn.sh $(BUILD)/prairielearn

# Every test file but the bad-input matrix, whose thousand short runs of
# error paths took a quarter of memcheck's time (294 s of 1393 s here):
# make sanitize runs them with ASan, LeakSanitizer and UBSan instead.
MEMCHECK_FILES := $(filter-out tests/badinput.bats,$(wildcard tests/*.bats))
memcheck: setup $(SELECTED) $(DOCTOR) ## demo and solution tests with every program under Valgrind (bad input: make sanitize)
	$(Q)WB_WRAPPER='$(MEMCHECK)' WB_TIMEOUT=300 $(RUN_TESTS) --demos --solutions $(if $(CH),--chapter $(CH),$(addprefix --file ,$(MEMCHECK_FILES)))

# The environment matrix: the tests of `make test` (less the book and the
# grader) on this machine as root and as a user, under Debian's 6.1 and 6.12
# kernels (QEMU; 6.1 also as a user), and in a container-like cell (Docker's default capabilities
# and seccomp profile, through $(BUILD)/matrix/cell, which needs libseccomp).
# MATRIX_CELLS=a,b,e chooses cells; CH=NN (or CH=02,10) the chapters.
MATRIX_CELL := $(BUILD)/matrix/cell
$(MATRIX_CELL): scripts/matrix/cell.c
	$(Q)WB_SETUP_EXTRA='/usr/include/seccomp.h:libseccomp-dev' scripts/setup.sh
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LDFLAGS) -lseccomp -o $@

test-matrix: setup all $(MATRIX_CELL) ## the tests in every environment of the matrix, and a table (README: Supported environments)
	$(Q)WB_BUILD='$(BUILD)' CH='$(CH)' MATRIX_CELLS='$(MATRIX_CELLS)' scripts/matrix/matrix.sh

# The book replays the transcripts recorded under a machine fact (`<!--
# transcript: when FACT=VALUE -->`; all of them with WB_BOOK_REPLAY=all) and
# shows this machine's output beside any that differ (scripts/transcripts.sh,
# book/md-filter.sh); it needs those demos and the doctor. Then it runs
# chapter 13's measuring demos once each (reusing the replay's output where
# it has one) and draws their results with gnuplot, with the examples'
# recorded benchmark tables (scripts/book-figures.sh). The theme is
# doxygen-awesome-css (book/Doxyfile).
BOOK_DEMOS   := $(shell scripts/transcripts.sh --demos '$(BUILD)' $(wildcard chapters/*/README.md))
BOOK_FIGURE_DEMOS := $(patsubst %,$(BUILD)/chapters/13-performance/%,fault_cost fault_around populate thp_faults scan_file)
BOOK_AWESOME ?= /usr/share/doxygen-awesome-css
BOOK_TOOLS   := doxygen dot:graphviz gnuplot:gnuplot-nox $(BOOK_AWESOME)/doxygen-awesome.css:doxygen-awesome-css

book: $(DOCTOR) $(BOOK_DEMOS) $(BOOK_FIGURE_DEMOS) ## the HTML book from the write-ups, with Doxygen: build/book/html/index.html
	$(Q)WB_SETUP_EXTRA='$(BOOK_TOOLS) ?chromium ?pdfunite:poppler-utils' scripts/setup.sh
	$(Q)rm -rf $(BUILD)/book && mkdir -p $(BUILD)/book
	$(Q)WB_BOOK_RUNS='$(BUILD)/book/runs' scripts/transcripts.sh --replay '$(BUILD)' '$(BUILD)/book/replay' $(wildcard chapters/*/README.md)
	$(Q)scripts/book-figures.sh '$(BUILD)' '$(BUILD)/book'
	$(Q)book/header.sh '$(BUILD)/book/header.html'
	$(Q)WB_ROOT='$(CURDIR)' WB_BOOK_OUT='$(CURDIR)/$(BUILD)/book' WB_AWESOME='$(BOOK_AWESOME)' \
	  WB_BOOK_INPUT='$(addprefix $(CURDIR)/,$(BOOK_PAGES))' WB_BOOK_ORDER='$(addprefix $(CURDIR)/,$(BOOK_MD))' \
	  WB_DOT_DIRS='$(addprefix $(CURDIR)/,$(wildcard chapters/*))' doxygen book/Doxyfile \
	  || { cat $(BUILD)/book/warnings.log >&2; echo "book: doxygen failed (warnings are errors)" >&2; exit 1; }
	$(Q)python3 scripts/book-search.py '$(BUILD)/book/html'
	@echo "book: $(BUILD)/book/html/index.html"

# The whole book as one PDF: the pages of BOOK_MD and the API page of wb.h,
# in reading order, printed by headless Chromium with the print style of
# book/book.css and joined with pdfunite (scripts/book-browser.py pdf).
book-pdf: book ## the book as one PDF, printed by headless Chromium: build/book/book.pdf
	$(Q)WB_SETUP_EXTRA='chromium pdfunite:poppler-utils' scripts/setup.sh
	$(Q)python3 scripts/book-browser.py pdf '$(BUILD)/book/html' . '$(BUILD)/book/book.pdf'

# The sanitizer build: the same sources in their own build directory, and the
# same tests. ASan leaves SIGSEGV/SIGBUS to the programs, whose lessons catch
# them; any ASan or UBSan report fails the program.
SAN_BUILD  := $(BUILD)/sanitize
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_ENV    := ASAN_OPTIONS=handle_segv=0:handle_sigbus=0:allow_user_segv_handler=1:detect_leaks=1:abort_on_error=0 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

sanitize: setup $(DOCTOR) ## the demo and solution tests with every program built with ASan and UBSan
	$(Q)$(MAKE) --no-print-directory BUILD='$(SAN_BUILD)' CFLAGS='$(CFLAGS) $(SAN_FLAGS)' \
	  LDFLAGS='$(LDFLAGS) $(SAN_FLAGS)' $(if $(CH),CH=$(CH) sanitize-build,all)
	$(Q)$(SAN_ENV) WB_SANITIZE=1 WB_BUILD='$(SAN_BUILD)' WB_DOCTOR='$(DOCTOR)' WB_TIMEOUT=120 scripts/run-tests.sh --demos --solutions $(if $(CH),--chapter $(CH))

sanitize-build: $(SELECTED)

# The chapter 14 parser and the mmkv store's open path under libFuzzer,
# FUZZ_SECONDS each; EX=mmkv runs only mmkv's. The seed corpora: a region a
# perfvm run saved, a store the mmkv tool wrote.
FUZZ_SECONDS ?= 30
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CC       = clang -std=gnu11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Ilib
fuzz: $(BUILD)/chapters/14-perfdata/perfvm $(BUILD)/examples/mmkv/mmkv ## fuzz the PerfData parser and mmkv's open/check path for FUZZ_SECONDS each (default 30) with libFuzzer
	$(Q)WB_SETUP_EXTRA='clang' scripts/setup.sh
	$(Q)ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || \
	  WB_SETUP_EXTRA='libFuzzer:libclang-rt-14-dev' scripts/setup.sh
	$(Q)mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/seedrun $(FUZZ_DIR)/mmkv-corpus
ifneq ($(EX),mmkv)
	$(Q)$(FUZZ_CC) -Ichapters/14-perfdata chapters/14-perfdata/fuzz/perfdata_fuzz.c -o $(FUZZ_DIR)/perfdata_fuzz
	$(Q)test -s $(FUZZ_DIR)/corpus/perfvm.data || \
	  (cd $(FUZZ_DIR)/seedrun && $(CURDIR)/$(BUILD)/chapters/14-perfdata/perfvm -d . -t 50 -s ../corpus/perfvm.data >/dev/null)
	$(Q)rm -rf $(FUZZ_DIR)/seedrun
	$(Q)$(FUZZ_DIR)/perfdata_fuzz -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus
endif
	$(Q)$(FUZZ_CC) -Iexamples/mmkv examples/mmkv/fuzz/mmkv_fuzz.c examples/mmkv/mmkv.c -o $(FUZZ_DIR)/mmkv_fuzz
	$(Q)test -s $(FUZZ_DIR)/mmkv-corpus/seed.mmkv || \
	  { $(BUILD)/examples/mmkv/mmkv put $(FUZZ_DIR)/mmkv-corpus/seed.mmkv a 1 bb 22 && \
	    $(BUILD)/examples/mmkv/mmkv del $(FUZZ_DIR)/mmkv-corpus/seed.mmkv a && \
	    $(BUILD)/examples/mmkv/mmkv put $(FUZZ_DIR)/mmkv-corpus/seed.mmkv ccc 333; }
	$(Q)$(FUZZ_DIR)/mmkv_fuzz -max_len=65536 -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=$(FUZZ_DIR)/mmkv- $(FUZZ_DIR)/mmkv-corpus

# The examples' benchmarks: examples/NAME/bench.sh DIR runs the example and
# what people use instead on one workload, in one run, and prints a table
# with ratios (README: make bench). Its C drivers, examples/NAME/bench_*.c,
# are built first, into $(BENCH_BIN)/examples/NAME/ (apart from the programs
# the tests run); the script finds them through $$BENCH_BIN and runs in DIR,
# $(BUILD)/bench/run-NAME, removed afterwards. What a benchmark needs from
# Debian it names on a `# setup:` line (scripts/setup.sh's WB_SETUP_EXTRA
# syntax), installed by bench-setup. EX=NAME runs one example's.
# mmkv: BENCH_N keys, BENCH_M durable commits.
BENCH_N   ?= 1000000
BENCH_M   ?= 100000
export BENCH_N BENCH_M
BENCH_DIRS := $(patsubst %/bench.sh,%,$(wildcard $(if $(EX),examples/$(EX),examples/*)/bench.sh))
BENCH_BIN  := $(BUILD)/bench/bin
BENCH_PROGS := $(patsubst %.c,$(BENCH_BIN)/%,$(foreach d,$(BENCH_DIRS),$(wildcard $(d)/bench_*.c)))
bench_objs_of = $(call ex_lib_objs_of,$(patsubst $(BENCH_BIN)/%,$(BUILD)/%,$(1)))

bench-setup:
	$(Q)WB_SETUP_EXTRA='$(strip $(foreach d,$(BENCH_DIRS),$(shell sed -n 's/^# setup: *//p' $(d)/bench.sh)))' \
	  scripts/setup.sh

$(BENCH_PROGS): $(BENCH_BIN)/%: %.c $$(call bench_objs_of,$$@) $(LIB) | bench-setup
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP $(filter %.c %.o %.a,$^) $(LDFLAGS) $(LDLIBS) \
	  $(shell sed -n 's/^ \* bench-libs: *//p' $<) -o $@

bench: all $(BENCH_PROGS) | bench-setup ## the examples against what people use instead (mmkv: LMDB), side by side; EX=NAME
	@test -n "$(BENCH_DIRS)" || { echo "make bench: no example '$(EX)' with a bench.sh" >&2; exit 2; }
	$(Q)for d in $(BENCH_DIRS); do n=$${d#examples/}; r=$(BUILD)/bench/run-$$n; \
	  rm -rf $$r && mkdir -p $$r && \
	  WB_BUILD=$(abspath $(BUILD)) BENCH_BIN=$(abspath $(BENCH_BIN))/$$d bash $$d/bench.sh $$r || exit 1; \
	  rm -rf $$r; done

lint: ## static checks: cppcheck, shellcheck, clang-format (tools installed by setup)
	$(Q)WB_SETUP_EXTRA='cppcheck shellcheck clang-format' scripts/setup.sh
	$(Q)scripts/lint.sh

compile_commands.json: $(LIB_SRCS) $(DEMO_SRCS) $(EX_SRCS) $(SOL_SRCS) $(foreach d,$(EXAMPLE_DIRS),$(call ex_srcs,$(d))) Makefile ## for editors (clangd): how each C file is compiled
	$(Q)printf '%s\n' $(filter %.c,$^) | jq -R -s --arg dir '$(CURDIR)' \
	  --arg cmd '$(CC) $(CPPFLAGS) $(CFLAGS)' \
	  '[split("\n")[] | select(length > 0) | {directory: $$dir, file: ., command: ($$cmd + " -c " + .)}]' >$@
	@echo "compile_commands.json: $$(jq length $@) files"

clean: ## remove build/
	rm -rf $(BUILD)

help: ## list the targets
	@grep -hE '^[a-z_.-]+:.*## ' Makefile | \
	  sed -E 's/^([a-z_.-]+):.*## (.*)/  make \1\t\2/' | expand -t 24

-include $(PROGS:=.d) $(DOCTOR).d $(SANDBOX).d $(LIB_OBJS:.o=.d) $(EXAMPLE_OBJS:.o=.d) $(BENCH_PROGS:=.d)
