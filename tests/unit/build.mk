LIBS_tests_unit += -lcjson
LIBS_tests_unit += -lsqlite3 -lssl -lcrypto
LIBS_tests_unit += -lyaml
