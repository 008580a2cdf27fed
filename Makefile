# nlb: top-level build. `make help` lists the targets.
#   make            build everything (BPF objects, skeletons, libnlb, binaries, tests)
#   make test       the whole test suite (tests/run), what CI runs
#   make bench      every benchmark; figures go to docs/benchmarks.md by hand
#   make demo       the all-in-one demo in network namespaces
#   make deps       install the Debian packages the build, tests and demo need
#   make check      format and static checks
# Components add rules in their own <dir>/build.mk.

BUILD ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH_INC := /usr/include/$(shell gcc -print-multiarch)

WARN := -Wall -Wextra -Werror -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
CFLAGS += $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Isrc/lib -I$(BUILD)/bpf -Itests/lib -MMD -MP
LIBS := -lbpf -lelf -lz -lpthread -lm
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude -Ibpf -I$(ARCH_INC)

.PHONY: all test check bench demo deps clean help fuzz
# objects of chained rules are kept, so a second make rebuilds nothing
.SECONDARY:
.SECONDEXPANSION:
all:

# --- BPF: every bpf/*.bpf.c becomes an object and a skeleton ----------------
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.bpf.o)
BPF_SKELS := $(BPF_SRCS:bpf/%.bpf.c=$(BUILD)/bpf/%.skel.h)
BPF_HDRS := $(wildcard bpf/*.h bpf/lib/*.h include/nlb/*.h)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# --- libnlb -----------------------------------------------------------------
LIB_SRCS := $(wildcard src/lib/*.c)
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
LIB_ASAN_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/asan/obj/%.o)
LIBNLB := $(BUILD)/libnlb.a
LIBNLB_ASAN := $(BUILD)/asan/libnlb.a

$(BUILD)/obj/%.o: src/%.c | $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/obj/%.o: src/%.c | $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -c $< -o $@

$(LIBNLB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIBNLB_ASAN): $(LIB_ASAN_OBJS)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# --- binaries: src/<name>/*.c -> build/bin/<name>; extra libs in LIBS_<name>
BIN_DIRS := $(filter-out lib,$(sort $(notdir $(patsubst %/,%,$(dir $(wildcard src/*/*.c))))))
BINS := $(BIN_DIRS:%=$(BUILD)/bin/%)
-include $(wildcard src/*/build.mk)

define bin_rule
$(BUILD)/bin/$(1): $$(patsubst src/%.c,$(BUILD)/obj/%.o,$$(wildcard src/$(1)/*.c)) $(LIBNLB)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -o $$@ $$^ $$(LIBS_$(subst -,_,$(1))) $(LIBS)
endef
$(foreach b,$(BIN_DIRS),$(eval $(call bin_rule,$(b))))

# --- tests: tests/<suite>/test_*.c, each linked with the suite's other .c files
# every tests/<dir> holding test_*.c is a suite (e2e and fuzz have their own rules)
TEST_SUITES := $(filter-out lib fuzz,$(notdir $(patsubst %/,%,$(dir $(wildcard tests/*/test_*.c)))))
NLBTEST_OBJ := $(BUILD)/obj/tests/lib/nlbtest.o
$(BUILD)/obj/tests/%.o: tests/%.c | $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@
$(BUILD)/asan/obj/tests/%.o: tests/%.c | $(BPF_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -c $< -o $@

define suite_rules
$(1)_MAINS := $$(wildcard tests/$(1)/test_*.c)
$(1)_HELPERS := $$(filter-out $$($(1)_MAINS),$$(wildcard tests/$(1)/*.c))
$(1)_BINS := $$($(1)_MAINS:tests/$(1)/%.c=$(BUILD)/tests/$(1)/%)
$(BUILD)/tests/$(1)/%: $(BUILD)/obj/tests/$(1)/%.o $$($(1)_HELPERS:%.c=$(BUILD)/obj/%.o) $(NLBTEST_OBJ) $(LIBNLB)
	@mkdir -p $$(@D)
	$$(CC) $$(CFLAGS) -o $$@ $$^ $$(LIBS_tests_$(1)) $(LIBS)
TEST_BINS += $$($(1)_BINS)
endef
$(foreach s,$(TEST_SUITES),$(eval $(call suite_rules,$(s))))

# unit tests again under ASan/UBSan
UNIT_ASAN_BINS := $(unit_MAINS:tests/unit/%.c=$(BUILD)/asan/tests/unit/%)
$(BUILD)/asan/tests/unit/%: $(BUILD)/asan/obj/tests/unit/%.o $(unit_HELPERS:%.c=$(BUILD)/asan/obj/%.o) $(BUILD)/asan/obj/tests/lib/nlbtest.o $(LIBNLB_ASAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LIBS_tests_unit) $(LIBS)

# --- fuzzing: tests/fuzz/fuzz_<name>.c with clang's libFuzzer, built together
# with the library sources it covers (FUZZ_SRCS_fuzz_<name>), instrumented
FUZZ_SRCS_fuzz_addr := src/lib/addr.c
# components with their own fuzz rules (tests/*/build.mk) are left out here
FUZZ_MAINS := $(filter-out tests/fuzz/fuzz_hc_% tests/fuzz/fuzz_cp_%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_MAINS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc/lib -D_GNU_SOURCE
FUZZ_SECONDS ?= 60
$(BUILD)/fuzz/%: tests/fuzz/%.c $$(FUZZ_SRCS_%)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(FUZZ_LIBS_$*)

# long runs on demand; tests/fuzz/test_fuzz_smoke.sh runs each briefly in make test
fuzz: $(FUZZ_BINS)
	@for f in $(FUZZ_BINS); do echo "== $$f ($(FUZZ_SECONDS)s)"; \
		mkdir -p $(BUILD)/fuzz/corpus-$$(basename $$f); \
		$$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$(basename $$f) || exit 1; done

-include $(wildcard tests/*/build.mk bench/*.mk)

all: $(BPF_OBJS) $(BPF_SKELS) $(LIBNLB) $(BINS) $(TEST_BINS) $(UNIT_ASAN_BINS) $(FUZZ_BINS)

test: all
	tests/run $(T)

check:
	@scripts/check.sh

deps:
	scripts/deps.sh

demo:
	scripts/demo.sh

bench: $(BENCH_TARGETS)

clean:
	rm -rf $(BUILD)

help:
	@sed -n '1,/^$$/p' Makefile | sed 's/^# \{0,1\}//'

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
