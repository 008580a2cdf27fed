# nlb-scheduler: SQLite store, cJSON, OpenSSL
LIBS_nlb_scheduler += -lsqlite3 -lcjson -lssl -lcrypto
