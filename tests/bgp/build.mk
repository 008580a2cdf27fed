# BGP tests: bgp-driver, the C helper that tests/bgp/test_bgp.sh runs to
# drive libnlb's BGP modules (render, apply, sessions) against real FRR.
# tests/bgp holds no test_*.c, so it is no C suite and this rule is its own.
BGP_DRIVER := $(BUILD)/tests/bgp/bgp-driver

$(BGP_DRIVER): $(BUILD)/obj/tests/bgp/bgp_driver.o $(LIBNLB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $^ -lcjson $(LIBS)

all: $(BGP_DRIVER)
