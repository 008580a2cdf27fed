# bench-veth: packets per second that nlb's XDP forwarder forwards live
# between two network namespaces over a veth pair, offered by a generator
# that is itself an XDP program run in live-frames mode (bench/veth/gen.c;
# Debian's xdp-trafficgen does not run on every kernel). Figures as
# "name: value unit" lines; bench/veth/run.sh says how they are taken.
BENCH_TARGETS += bench-veth
.PHONY: bench-veth

VETH_BENCH := $(BUILD)/bench/veth

$(VETH_BENCH)/%.bpf.o: bench/veth/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(VETH_BENCH)/gen.skel.h: $(VETH_BENCH)/gen.bpf.o
	$(BPFTOOL) gen skeleton $< name gen_bpf > $@.tmp && mv $@.tmp $@

$(VETH_BENCH)/gen: bench/veth/gen.c $(VETH_BENCH)/gen.skel.h
	$(CC) $(CFLAGS) -I$(VETH_BENCH) -o $@ $< $(LIBS)

bench-veth: $(VETH_BENCH)/gen $(VETH_BENCH)/reflect.bpf.o $(BUILD)/bin/nlb-node
	bench/veth/run.sh $(BUILD)
