# nlbctl: cJSON, libyaml (manifests and -o yaml)
LIBS_nlbctl += -lcjson -lyaml
