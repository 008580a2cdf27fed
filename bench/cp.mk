# Control-plane benchmark (bench/cp/cp_bench.c): real nlb-gateway and
# nlb-scheduler on SQLite with simulated node agents. Figures as
# "name: value unit" lines. CP_BENCH_LBS / CP_BENCH_NODES scale it.
CP_BENCH_LBS ?= 10000
CP_BENCH_NODES ?= 200
BENCH_TARGETS += bench-cp

$(BUILD)/bench/cp_bench: bench/cp/cp_bench.c $(LIBNLB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(filter %.c %.a,$^) -lsqlite3 -lcjson -lssl -lcrypto $(LIBS)

.PHONY: bench-cp
bench-cp: $(BUILD)/bench/cp_bench $(BUILD)/bin/nlb-gateway $(BUILD)/bin/nlb-scheduler
	$(BUILD)/bench/cp_bench --bin $(BUILD)/bin --lbs $(CP_BENCH_LBS) \
		--nodes $(CP_BENCH_NODES) --store sqlite
	@if command -v etcd >/dev/null; then \
		$(BUILD)/bench/cp_bench --bin $(BUILD)/bin --lbs $(CP_BENCH_LBS) \
			--nodes $(CP_BENCH_NODES) --store etcd; \
	else echo "etcd_*: skipped (no etcd; apt-get install etcd-server)"; fi
