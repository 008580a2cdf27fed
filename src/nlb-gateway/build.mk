# nlb-gateway: SQLite store, cJSON, OpenSSL (token hashes, HTTPS)
LIBS_nlb_gateway += -lsqlite3 -lcjson -lssl -lcrypto
