# nlb-controlplane: gateway + scheduler libraries
LIBS_nlb_controlplane += -lsqlite3 -lcjson -lssl -lcrypto
