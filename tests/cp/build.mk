# Control-plane test extras: the libFuzzer harnesses for request JSON and
# manifest YAML (tests/fuzz/fuzz_cp_*.c). `make fuzz-cp` runs each for
# FUZZ_CP_SECONDS; tests/fuzz/test_fuzz_smoke.sh runs them briefly in make test.
FUZZ_CP_SECONDS ?= 60
FUZZ_CP_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_cp_*.c))
FUZZ_CP_LIBSRC := src/lib/gw_lb.c src/lib/gw_addr.c src/lib/cp_json.c src/lib/cp_yaml.c

$(BUILD)/fuzz/fuzz_cp_%: tests/fuzz/fuzz_cp_%.c $(FUZZ_CP_LIBSRC) $(wildcard src/lib/gw_lb.h src/lib/cp_json.h src/lib/cp_yaml.h src/lib/gw_addr.h)
	@mkdir -p $(@D)
	$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-Isrc/lib -Iinclude -o $@ $< $(FUZZ_CP_LIBSRC) -lcjson -lyaml

all: $(FUZZ_CP_BINS)

.PHONY: fuzz-cp
fuzz-cp: $(FUZZ_CP_BINS)
	@for f in $(FUZZ_CP_BINS); do \
		d=$$(mktemp -d /tmp/nlbt-cp-fuzz.XXXXXX); \
		cp examples/*.yaml $$d/ 2>/dev/null; \
		echo "== $$f ($(FUZZ_CP_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_CP_SECONDS) -max_len=8192 \
			-print_final_stats=1 $$d || { rm -rf $$d; exit 1; }; \
		rm -rf $$d; \
	done

fuzz: fuzz-cp
