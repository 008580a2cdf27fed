# bench-maglev: the Maglev builder alone (one table at N = 10, 100, 1000; a
# batch of 1,000 VIPs on all cores), then a mass flap against the
# forwarder's maps (10% of 100,000 backends down) and the maps' memory.
# Figures, not assertions; docs/maglev.md says how they are taken.
BENCH_TARGETS += bench-maglev
.PHONY: bench-maglev

MAGLEV_BENCH := $(BUILD)/bench/maglev
MAGLEV_BENCH_UTIL := bench/maglev/bench_util.c bench/maglev/bench_util.h
MAGLEV_FLAP_SRCS := bench/maglev/bench_flap.c bench/maglev/flap_world.c \
	bench/maglev/flap_traffic.c bench/maglev/bench_util.c

# The builder benchmark needs only maglev.o, so it builds even while other
# parts of libnlb do not.
$(MAGLEV_BENCH)/build: bench/maglev/bench_build.c $(MAGLEV_BENCH_UTIL) $(BUILD)/obj/lib/maglev.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibench/maglev -o $@ bench/maglev/bench_build.c \
		bench/maglev/bench_util.c $(BUILD)/obj/lib/maglev.o -lpthread

$(MAGLEV_BENCH)/flap: $(MAGLEV_FLAP_SRCS) $(wildcard bench/maglev/*.h) $(BUILD)/bpf/nlb_xdp.skel.h $(LIBNLB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibench/maglev -o $@ $(MAGLEV_FLAP_SRCS) $(LIBNLB) $(LIBS)

bench-maglev: $(MAGLEV_BENCH)/build $(MAGLEV_BENCH)/flap
	$(MAGLEV_BENCH)/build
	$(MAGLEV_BENCH)/flap
