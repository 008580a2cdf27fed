// SPDX-License-Identifier: GPL-2.0
/* Bearer tokens: generation, hashing (only hashes are stored) and lookup. */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "gw.h"

void gw_token_hash(const char *token, char out[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	int i;

	EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[64] = 0;
}

int gw_token_new(char out[48])
{
	unsigned char rnd[20];
	int i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return -EIO;
	strcpy(out, "nlb_");
	for (i = 0; i < 20; i++)
		sprintf(out + 4 + 2 * i, "%02x", rnd[i]);
	return 0;
}

int gw_authenticate(struct gw *gw, const char *authorization,
		    struct gw_caller *c)
{
	char key[80], hash[65];
	const char *tok, *role, *who;
	cJSON *j, *t;
	int err;

	memset(c, 0, sizeof(*c));
	if (!authorization || strncmp(authorization, "Bearer ", 7))
		return -EACCES;
	tok = authorization + 7;
	if (strlen(tok) < 8 || strlen(tok) > 256)
		return -EACCES;
	gw_token_hash(tok, hash);
	snprintf(key, sizeof(key), "token/%s", hash);
	err = gw_get_json(gw, key, &j, NULL);
	if (err)
		return -EACCES;
	role = cJSON_GetStringValue(cJSON_GetObjectItem(j, "role"));
	err = -EACCES;
	if (role && !strcmp(role, "admin")) {
		c->role = GW_ADMIN;
		err = 0;
	} else if (role && !strcmp(role, "tenant")) {
		who = cJSON_GetStringValue(cJSON_GetObjectItem(j, "tenant"));
		snprintf(c->tenant, sizeof(c->tenant), "%s", who ? who : "");
		c->role = GW_TENANT;
		/* a deleted tenant's tokens die with it */
		snprintf(key, sizeof(key), "tenant/%s", c->tenant);
		err = gw_get_json(gw, key, &t, NULL) ? -EACCES : 0;
		cJSON_Delete(t);
	} else if (role && !strcmp(role, "node")) {
		who = cJSON_GetStringValue(cJSON_GetObjectItem(j, "node"));
		snprintf(c->node, sizeof(c->node), "%s", who ? who : "");
		c->role = GW_NODE;
		err = 0;
	}
	cJSON_Delete(j);
	return err;
}

int gw_bootstrap_admin(struct gw *gw, const char *token)
{
	char hash[65], key[80], val[96];
	struct store_op op = {STORE_PUT, key, val};

	if (strlen(token) < 16)
		return -EINVAL;
	gw_token_hash(token, hash);
	snprintf(key, sizeof(key), "token/%s", hash);
	snprintf(val, sizeof(val), "{\"role\":\"admin\",\"id\":\"%.16s\"}",
		 hash);
	return store_txn(gw->st, NULL, 0, &op, 1, NULL);
}
