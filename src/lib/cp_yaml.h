/* SPDX-License-Identifier: GPL-2.0 */
/* YAML manifests to JSON and JSON to YAML for nlbctl: every document of a
 * stream becomes one cJSON value; plain scalars get JSON types. */
#ifndef NLB_CP_YAML_H
#define NLB_CP_YAML_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Returns a cJSON array with one element per YAML document, or NULL with
 * "line N column M: why" in err. Anchors/aliases and tags are rejected. */
cJSON *cp_yaml_parse(const char *text, size_t len, char *err, size_t errlen);

/* Appends j as block-style YAML to a malloc'ed string (NULL on ENOMEM). */
char *cp_yaml_emit(const cJSON *j);

#endif /* NLB_CP_YAML_H */
