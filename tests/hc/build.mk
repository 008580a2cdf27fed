# nlb-hc fuzzing: libFuzzer harnesses of the config parser and the HTTP
# reader, built with clang. `make fuzz-hc` runs each for FUZZ_HC_SECONDS;
# `make all` builds them so that tests/fuzz/test_fuzz_smoke.sh can give them a
# short run.
FUZZ_HC_SECONDS ?= 60
FUZZ_HC_FLAGS := -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -std=gnu11 -D_GNU_SOURCE -Isrc/lib \
	-Wall -Wextra -Werror -Wno-missing-field-initializers
FUZZ_HC_LIB := src/lib/hc_config.c src/lib/hc_http.c
FUZZ_HC_BINS := $(BUILD)/fuzz/fuzz_hc_config $(BUILD)/fuzz/fuzz_hc_http

$(BUILD)/fuzz/fuzz_hc_%: tests/fuzz/fuzz_hc_%.c $(FUZZ_HC_LIB) src/lib/hc_config.h src/lib/hc_http.h
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_HC_FLAGS) -o $@ $< $(FUZZ_HC_LIB) -lcjson

all: $(FUZZ_HC_BINS)
fuzz: fuzz-hc

.PHONY: fuzz-hc
fuzz-hc: $(FUZZ_HC_BINS)
	@mkdir -p $(BUILD)/fuzz/corpus/hc_config $(BUILD)/fuzz/corpus/hc_http
	$(BUILD)/fuzz/fuzz_hc_config -max_total_time=$(FUZZ_HC_SECONDS) \
		$(BUILD)/fuzz/corpus/hc_config tests/fuzz/corpus/hc_config
	$(BUILD)/fuzz/fuzz_hc_http -max_total_time=$(FUZZ_HC_SECONDS) \
		$(BUILD)/fuzz/corpus/hc_http
