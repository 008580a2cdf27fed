# bench-e2e: the whole system on one machine (scripts/system.sh): apply to
# first TCP connection, update propagation, how soon a dead backend is
# avoided, LB node failover. Root, FRR. See bench/e2e/run.sh; figures go to
# docs/benchmarks.md.
BENCH_TARGETS += bench-e2e
.PHONY: bench-e2e

bench-e2e: $(addprefix $(BUILD)/bin/,nlblet nlb-hc nlb-controlplane nlbctl nlb-node)
	NLB_BUILD=$(BUILD) bench/e2e/run.sh
