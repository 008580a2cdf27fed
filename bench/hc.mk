# bench-hc: nlb-hc against HAProxy and a bare epoll loop at 1,000 and 10,000
# backends every second, TCP, HTTP and HTTPS, plus the client handshake cost
# of each TLS library. See bench/hc/run.sh; figures go to docs/benchmarks.md.
BENCH_TARGETS += bench-hc
.PHONY: bench-hc

HC_BENCH := $(BUILD)/bench/hc
HC_BENCH_CFLAGS := -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wno-missing-field-initializers

$(HC_BENCH)/httpd: bench/hc/httpd.c
	@mkdir -p $(@D)
	$(CC) $(HC_BENCH_CFLAGS) -o $@ $< -lssl -lcrypto

$(HC_BENCH)/epoll_ref: bench/hc/epoll_ref.c
	@mkdir -p $(@D)
	$(CC) $(HC_BENCH_CFLAGS) -o $@ $<

HC_TLS_BENCH_SRCS := $(wildcard bench/hc/tls_bench*.c)
$(HC_BENCH)/tls_bench: $(HC_TLS_BENCH_SRCS) bench/hc/tls_bench.h
	@mkdir -p $(@D)
	$(CC) $(HC_BENCH_CFLAGS) -o $@ $(HC_TLS_BENCH_SRCS) -lssl -lcrypto \
		-lgnutls -lwolfssl

bench-hc: $(BUILD)/bin/nlb-hc $(HC_BENCH)/httpd $(HC_BENCH)/epoll_ref $(HC_BENCH)/tls_bench
	bench/hc/run.sh $(BUILD)
