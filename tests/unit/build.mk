LIBS_tests_unit += -lcjson
