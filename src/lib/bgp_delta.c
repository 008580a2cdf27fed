// SPDX-License-Identifier: GPL-2.0
/* The network-lines-only difference of two bgpd configurations, as vtysh
 * commands. */
#include "bgp_delta.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct net_line {
	const char *ctx; /* its " address-family ..." line */
	const char *line; /* "  network ..." */
};

struct parsed {
	char *copy; /* the text, lines cut in place */
	const char **skel; /* every other line, in order */
	size_t n_skel;
	struct net_line *net;
	size_t n_net;
	const char *router; /* the "router bgp N" line */
};

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static void parsed_free(struct parsed *p)
{
	free(p->copy);
	free(p->skel);
	free(p->net);
}

static int parse(const char *text, struct parsed *p)
{
	const char *ctx = NULL;
	size_t lines = 1;
	char *s, *nl;

	memset(p, 0, sizeof(*p));
	for (const char *c = text; *c; c++)
		lines += *c == '\n';
	p->copy = strdup(text);
	p->skel = calloc(lines, sizeof(*p->skel));
	p->net = calloc(lines, sizeof(*p->net));
	if (!p->copy || !p->skel || !p->net) {
		parsed_free(p);
		return -ENOMEM;
	}
	for (s = p->copy; s && *s; s = nl) {
		nl = strchr(s, '\n');
		if (nl)
			*nl++ = 0;
		if (starts(s, "router bgp "))
			p->router = s;
		if (starts(s, " address-family "))
			ctx = s;
		else if (starts(s, " exit-address-family"))
			ctx = NULL;
		if (ctx && starts(s, "  network ")) {
			p->net[p->n_net].ctx = ctx;
			p->net[p->n_net++].line = s;
		} else {
			p->skel[p->n_skel++] = s;
		}
	}
	return 0;
}

static int net_cmp(const void *a, const void *b)
{
	const struct net_line *x = a, *y = b;
	int c = strcmp(x->ctx, y->ctx);

	return c ? c : strcmp(x->line, y->line);
}

/* Write the commands of one address family: removals, then additions. */
static void put_family(FILE *m, const struct parsed *o, const struct parsed *n,
		       const char *ctx)
{
	size_t i = 0, j = 0;

	fprintf(m, "%s\n", ctx);
	for (int pass = 0; pass < 2; pass++) {
		i = j = 0;
		while (i < o->n_net || j < n->n_net) {
			const struct net_line *a =
				i < o->n_net ? &o->net[i] : NULL;
			const struct net_line *b =
				j < n->n_net ? &n->net[j] : NULL;
			int c = !a ? 1 : !b ? -1 : net_cmp(a, b);

			if (c == 0) {
				i++, j++;
				continue;
			}
			if (c < 0) {
				if (pass == 0 && !strcmp(a->ctx, ctx))
					fprintf(m, "  no %s\n", a->line + 2);
				i++;
			} else {
				if (pass == 1 && !strcmp(b->ctx, ctx))
					fprintf(m, "%s\n", b->line);
				j++;
			}
		}
	}
	fprintf(m, " exit-address-family\n");
}

/* Address families with a change, each once: the sorted lists are walked
 * together and a family is written when its first difference is met. */
static int write_delta(const struct parsed *o, const struct parsed *n,
		       char **out)
{
	const char *done[8];
	size_t n_done = 0, i = 0, j = 0, changed = 0;
	size_t len = 0;
	FILE *m;

	*out = NULL;
	m = open_memstream(out, &len);
	if (!m)
		return -ENOMEM;
	fprintf(m, "%s\n", n->router);
	while (i < o->n_net || j < n->n_net) {
		const struct net_line *a = i < o->n_net ? &o->net[i] : NULL;
		const struct net_line *b = j < n->n_net ? &n->net[j] : NULL;
		int c = !a ? 1 : !b ? -1 : net_cmp(a, b);
		const char *ctx;
		bool seen = false;

		if (c == 0) {
			i++, j++;
			continue;
		}
		ctx = c < 0 ? a->ctx : b->ctx;
		c < 0 ? i++ : j++;
		changed++;
		for (size_t k = 0; k < n_done; k++)
			seen |= !strcmp(done[k], ctx);
		if (seen)
			continue;
		if (n_done == sizeof(done) / sizeof(done[0])) {
			fclose(m);
			free(*out);
			*out = NULL;
			return -ENOENT;
		}
		done[n_done++] = ctx;
		put_family(m, o, n, ctx);
	}
	fprintf(m, "exit\n");
	if (fclose(m)) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	if (!changed) {
		free(*out);
		*out = NULL;
	}
	return (int)changed;
}

int bgp_delta_networks(const char *old_text, const char *new_text, char **out)
{
	struct parsed o, n;
	int e;

	*out = NULL;
	if (!old_text || !new_text)
		return -ENOENT;
	e = parse(old_text, &o);
	if (e)
		return e;
	e = parse(new_text, &n);
	if (e) {
		parsed_free(&o);
		return e;
	}
	/* everything but the network lines must be the same, in order:
	 * then the running configuration's context is the new one's */
	e = -ENOENT;
	if (!o.router || !n.router || o.n_skel != n.n_skel)
		goto out;
	for (size_t k = 0; k < o.n_skel; k++)
		if (strcmp(o.skel[k], n.skel[k]))
			goto out;
	qsort(o.net, o.n_net, sizeof(*o.net), net_cmp);
	qsort(n.net, n.n_net, sizeof(*n.net), net_cmp);
	e = write_delta(&o, &n, out);
out:
	parsed_free(&o);
	parsed_free(&n);
	return e;
}
