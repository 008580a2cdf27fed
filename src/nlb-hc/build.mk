# nlb-hc: config on cJSON; TLS on GnuTLS (default, the fastest client we
# measured, see docs/nlb-hc.md) or OpenSSL: make HC_TLS=openssl. Both
# backends are compiled; the one not chosen compiles to nothing.
HC_TLS ?= gnutls
ifeq ($(HC_TLS),openssl)
LIBS_nlb_hc := -lssl -lcrypto -lcjson
$(BUILD)/obj/nlb-hc/%.o: CFLAGS += -DHC_TLS_OPENSSL
else
LIBS_nlb_hc := -lgnutls -lcjson
$(BUILD)/obj/nlb-hc/%.o: CFLAGS += -DHC_TLS_GNUTLS
endif
