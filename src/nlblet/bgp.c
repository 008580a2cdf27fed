// SPDX-License-Identifier: GPL-2.0
/* nlblet's side of BGP: the advertised VIPs rendered as bgpd's
 * configuration (src/lib/bgp_config.c) and applied as one transaction
 * (src/lib/bgp_apply.c), the sessions read back for the status report. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nlblet.h"

/* A failed apply is tried again after this. */
#define RETRY_MS 5000
/* The same text is re-verified (bgpd restarted? prefixes gone?) this
 * often; the periodic full pass brings it here. */
#define VERIFY_MS 9000
#define SESSIONS_MS 2000
/* A drained node's routes lose against every node in service: the
 * graceful-shutdown community for peers that honour it (RFC 8326), and a
 * MED worse than the default 0 for those in the same AS that do not. */
#define DRAIN_MED 1000

static char *render(struct nlblet *n, char *const *want, size_t n_want,
		    bool drained)
{
	struct bgp_vip *vips = calloc(n_want + 1, sizeof(*vips));
	struct bgp_config c = {
		.local_asn = n->o.bgp_asn,
		.router_id = n->o.bgp_router_id,
		.hostname = n->o.node,
		/* BFD finds a dead peer in 3 intervals; the hold timer is
		 * the fallback for peers without BFD */
		.keepalive_s = 3,
		.hold_s = 9,
		.connect_retry_s = 2,
		.bfd = {.detect_mult = 3,
			.rx_ms = (uint32_t)n->o.bfd_interval_ms,
			.tx_ms = (uint32_t)n->o.bfd_interval_ms},
		.neighbors = n->o.neighbors,
		.n_neighbors = n->o.n_neighbors,
		.vips = vips,
		.n_vips = n_want,
	};
	char err[256] = "", *buf = NULL;
	size_t size = 4096 + n_want * 128;
	int len;

	if (!vips)
		return NULL;
	for (size_t i = 0; i < n_want; i++)
		vips[i].prefix = want[i];
	if (drained)
		c.drain = (struct bgp_drain){.graceful_shutdown = true,
					     .set_med = true,
					     .med = DRAIN_MED};
	buf = malloc(size);
	len = buf ? bgp_config_render(&c, buf, size, err, sizeof(err))
		  : -ENOMEM;
	if (len < 0) {
		nlb_logf(&n->log, NLB_LOG_ERROR,
			 "event=bgp_render_failed reason=\"%s\" err=%d", err,
			 len);
		free(buf);
		buf = NULL;
	}
	free(vips);
	return buf;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char **dup_strv(char *const *v, size_t n)
{
	char **d = calloc(n + 1, sizeof(*d));

	for (size_t i = 0; d && i < n; i++)
		if (!(d[i] = strdup(v[i]))) {
			free_strv(d, i);
			return NULL;
		}
	return d;
}

static bool same_set(char *const *a, size_t na, const char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return false;
	return true;
}

void nlblet_bgp_want(struct nlblet *n, const char *const *want, size_t n_want)
{
	struct nlblet_bgp *b = &n->bgp;
	char **w;

	/* the first reconcile always reaches bgpd, even with nothing to
	 * advertise: the sessions come up before the first VIP does */
	if (!b->ap ||
	    (b->want_gen && same_set(b->want, b->n_want, want, n_want) &&
	     b->want_drained == n->drained))
		return;
	w = dup_strv((char *const *)want, n_want);
	if (!w)
		return;
	free_strv(b->want, b->n_want);
	b->want = w;
	b->n_want = n_want;
	b->want_drained = n->drained;
	b->want_gen++;
	pthread_cond_signal(&b->wake);
}

bool nlblet_bgp_has(const struct nlblet *n, const char *prefix)
{
	for (size_t i = 0; prefix[0] && i < n->bgp.n_prefixes; i++)
		if (!strcmp(n->bgp.prefixes[i], prefix))
			return true;
	return false;
}

void nlblet_bgp_mark(struct nlblet *n)
{
	long long now = nlblet_now_ms();

	for (size_t i = 0; i < n->n_synced; i++)
		n->synced[i].advertised =
			nlblet_bgp_has(n, n->synced[i].prefix);
	if (!n->bgp.ok)
		return; /* what bgpd has is not known */
	for (size_t i = 0; i < n->n_linger; i++) {
		struct nlblet_linger *l = &n->linger[i];

		if (l->withdrawn_ms || nlblet_bgp_has(n, l->prefix))
			continue;
		l->withdrawn_ms = now;
		nlb_logf(&n->log, NLB_LOG_INFO,
			 "event=vip_withdrawn id=%s maps_removed_in_ms=%d",
			 l->id, n->o.withdraw_wait_ms);
	}
}

/* One apply of want, off the lock; the outcome recorded under it. */
static void apply(struct nlblet *n, char **want, size_t n_want, bool drained,
		  unsigned long gen)
{
	struct nlblet_bgp *b = &n->bgp;
	struct bgp_apply_report rep = {0};
	char *text = render(n, want, n_want, drained);
	long long now = nlblet_now_ms();
	int e;

	if (!text) {
		pthread_mutex_lock(&n->mu);
		b->done_gen = gen;
		b->next_try_ms = now + RETRY_MS;
		pthread_mutex_unlock(&n->mu);
		return;
	}
	e = bgp_applier__apply(b->ap, text, (const char *const *)want, n_want,
			       &rep);
	now = nlblet_now_ms();
	pthread_mutex_lock(&n->mu);
	if (e || rep.changed)
		b->at_ms = (long long)time(NULL) * 1000;
	free(b->text);
	b->text = text;
	b->ok = !e;
	b->done_gen = gen;
	if (!e) {
		free_strv(b->prefixes, b->n_prefixes);
		b->prefixes = want;
		b->n_prefixes = n_want;
		want = NULL;
		b->verified_ms = now;
		b->next_try_ms = 0;
		b->step[0] = b->err[0] = 0;
		if (rep.changed)
			nlb_logf(&n->log, NLB_LOG_INFO,
				 "event=bgp_applied advertised=%zu drained=%d "
				 "fast=%d test_ms=%d reload_ms=%d "
				 "verify_ms=%d",
				 n_want, drained, rep.fast, rep.test_ms,
				 rep.reload_ms, rep.verify_ms);
	} else {
		b->next_try_ms = now + RETRY_MS;
		snprintf(b->step, sizeof(b->step), "%s",
			 bgp_apply_step_name(rep.failed));
		snprintf(b->err, sizeof(b->err), "%s", rep.err);
		/* rolled back: bgpd has the last good prefixes, which
		 * b->prefixes still holds; otherwise unknown until the
		 * retry */
		nlb_logf(&n->log, NLB_LOG_ERROR,
			 "event=bgp_apply_failed step=%s rolled_back=%d "
			 "reason=\"%s\" err=%d action=retry_in_ms:%d",
			 b->step, rep.rolled_back, b->err, e, RETRY_MS);
	}
	nlblet_bgp_mark(n);
	pthread_mutex_unlock(&n->mu);
	if (want)
		free_strv(want, n_want);
}

static void read_sessions(struct nlblet *n)
{
	struct bgp_session s[BGP_MAX_NEIGHBORS];
	char err[256] = "";
	int k = bgp_status_sessions(&n->o.frr, s, BGP_MAX_NEIGHBORS, err,
				    sizeof(err));

	pthread_mutex_lock(&n->mu);
	n->bgp.sessions_ms = nlblet_now_ms();
	if (k < 0) {
		nlb_logf(&n->log, NLB_LOG_WARN,
			 "event=bgp_status_failed reason=\"%s\" err=%d", err,
			 k);
		k = 0;
	}
	n->bgp.n_sessions = k < BGP_MAX_NEIGHBORS ? k : BGP_MAX_NEIGHBORS;
	memcpy(n->bgp.sessions, s, (size_t)n->bgp.n_sessions * sizeof(s[0]));
	pthread_mutex_unlock(&n->mu);
}

static void *run(void *arg)
{
	struct nlblet *n = arg;
	struct nlblet_bgp *b = &n->bgp;

	pthread_mutex_lock(&n->mu);
	while (!*n->stop) {
		long long now = nlblet_now_ms();
		bool due = b->want_gen != b->done_gen ||
			   (b->ok && b->text &&
			    now - b->verified_ms >= VERIFY_MS) ||
			   (!b->ok && b->next_try_ms && now >= b->next_try_ms);
		struct timespec ts;

		if (due) {
			char **w = dup_strv(b->want, b->n_want);
			size_t nw = b->n_want;
			bool drained = b->want_drained;
			unsigned long gen = b->want_gen;

			pthread_mutex_unlock(&n->mu);
			if (w)
				apply(n, w, nw, drained, gen);
			pthread_mutex_lock(&n->mu);
			continue;
		}
		if (now - b->sessions_ms >= SESSIONS_MS) {
			pthread_mutex_unlock(&n->mu);
			read_sessions(n);
			pthread_mutex_lock(&n->mu);
			continue;
		}
		/* the next due thing, or a wake from nlblet_bgp_want */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&b->wake, &n->mu, &ts);
	}
	pthread_mutex_unlock(&n->mu);
	return NULL;
}

int nlblet_bgp_start(struct nlblet *n)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->bgp.wake, &ca);
	pthread_condattr_destroy(&ca);
	/* nothing is applied before the first reconcile: a restarted
	 * nlblet, or one without a gateway, leaves bgpd as it is */
	return nlblet_spawn(run, n);
}

char *nlblet_bgp_report(const struct nlblet *n)
{
	const struct nlblet_bgp *b = &n->bgp;
	cJSON *o, *ss, *lr;
	char *out;

	if (!b->ap)
		return NULL;
	o = cJSON_CreateObject();
	ss = cJSON_AddArrayToObject(o, "sessions");
	for (int i = 0; i < b->n_sessions; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddItemToArray(ss, s);
		cJSON_AddStringToObject(s, "peer", b->sessions[i].peer);
		cJSON_AddStringToObject(
			s, "state",
			bgp_session_state_name(b->sessions[i].state));
		if (b->sessions[i].bfd[0])
			cJSON_AddStringToObject(s, "bfd", b->sessions[i].bfd);
	}
	cJSON_AddBoolToObject(o, "drained", n->drained);
	if (b->at_ms) {
		time_t t = (time_t)(b->at_ms / 1000);
		struct tm tm;
		char ts[32];

		lr = cJSON_AddObjectToObject(o, "lastReload");
		cJSON_AddBoolToObject(lr, "ok", b->ok);
		if (!b->ok) {
			cJSON_AddStringToObject(lr, "step", b->step);
			cJSON_AddStringToObject(lr, "error", b->err);
		}
		gmtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
		cJSON_AddStringToObject(lr, "at", ts);
	}
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

/* Only at exit, after the threads stopped touching it: the thread may
 * still be inside an apply, so the applier is left to the exit. */
void nlblet_bgp_free(struct nlblet *n)
{
	free(n->bgp.text);
	free_strv(n->bgp.prefixes, n->bgp.n_prefixes);
	free_strv(n->bgp.want, n->bgp.n_want);
}
