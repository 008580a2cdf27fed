# nlblet: cJSON (assignments, status, nlb-hc files)
LIBS_nlblet += -lcjson
LIBS_nlblet += -lpthread
