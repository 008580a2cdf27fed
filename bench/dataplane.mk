# bench-dataplane: the XDP forwarder's ns per packet against the empty and
# floor reference programs of ../shared/bench (compiled here, never copied
# into the repository). Figures, not assertions; see bench/dataplane/main.c.
BENCH_TARGETS += bench-dataplane
.PHONY: bench-dataplane

DP_REF_SRC ?= ../shared/bench
DP_REF := $(BUILD)/bench/ref
DP_BENCH := $(BUILD)/bench/dataplane
DP_BENCH_SRCS := $(wildcard bench/dataplane/*.c) tests/bpf/pkt.c

$(DP_REF)/%.bpf.o: $(DP_REF_SRC)/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) -O2 -g -target bpf -I$(ARCH_INC) -c $< -o $@

$(DP_BENCH): $(DP_BENCH_SRCS) bench/dataplane/bench.h $(BUILD)/bpf/nlb_xdp.skel.h $(LIBNLB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(DP_BENCH_SRCS) $(LIBNLB) $(LIBS)

bench-dataplane: $(DP_BENCH) $(DP_REF)/empty.bpf.o $(DP_REF)/floor_lb.bpf.o
	$(DP_BENCH) --ref-dir $(DP_REF)
