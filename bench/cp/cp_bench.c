// SPDX-License-Identifier: GPL-2.0
/* The control-plane benchmark: a real nlb-gateway and nlb-scheduler on
 * SQLite in a temp dir, simulated node agents (register, heartbeat, long
 * poll, status), and the figures of issue 4 as "name: value unit" lines. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cp_httpc.h"
#include "store_kv.h"

#define ADMIN "nlbt-cp-bench-admin-0123456789abcdef"
#define HB_TIMEOUT_MS 5000
#define HB_THREADS 4

struct bench {
	const char *bin;
	int lbs, nodes, measure;
	char dir[64], url[64];
	char tenant_tok[64];
	char (*node_tok)[64];
	pid_t gw, sched, etcd;
	const char *pfx; /* metric name prefix: "" (SQLite) or "etcd_" */
	atomic_int stop_agents;
	atomic_int dead_from; /* nodes [0, dead_from) stop heartbeating */
	atomic_long created;
	double *last_hb; /* per node, written by the heartbeat thread */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &l))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void die(const char *what)
{
	fprintf(stderr, "cp_bench: %s\n", what);
	exit(1);
}

static pid_t spawn(char *const argv[], const char *log)
{
	pid_t p = fork();

	if (p == 0) {
		FILE *f = freopen(log, "a", stderr);

		/* die with the benchmark, also when it is killed */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		(void)f;
		execv(argv[0], argv);
		_exit(127);
	}
	return p;
}

static cJSON *call(struct cp_httpc *h, const char *m, const char *path,
		   const char *body, int want)
{
	struct cp_httpc_resp r;
	cJSON *j;

	if (cp_httpc_do(h, m, path, NULL, body, &r))
		die(path);
	if (r.status != want) {
		fprintf(stderr, "%s %s: %d %s\n", m, path, r.status, r.body);
		die("unexpected status");
	}
	j = cJSON_Parse(r.body ? r.body : "");
	cp_httpc_resp_clear(&r);
	return j;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[(int)((n - 1) * p)];
}

struct loader {
	struct bench *b;
	int from, to;
};

static void *load_main(void *arg)
{
	struct loader *l = arg;
	struct cp_httpc *h;
	char body[256];
	int i, err;

	h = cp_httpc_new(l->b->url, l->b->tenant_tok, &err);
	if (!h)
		die("client");
	for (i = l->from; i < l->to; i++) {
		snprintf(body, sizeof(body),
			 "{\"name\":\"lb%05d\",\"spec\":{\"listeners\":[{"
			 "\"port\":80,\"backends\":[{\"address\":"
			 "\"10.1.%d.%d\"}]}]}}",
			 i, (i / 250) % 250, i % 250 + 1);
		cJSON_Delete(call(h, "POST", "/v1/loadbalancers", body, 201));
		atomic_fetch_add(&l->b->created, 1);
	}
	cp_httpc_free(h);
	return NULL;
}

struct agent {
	struct bench *b;
	int idx;
};

/* A fake nlblet: long-polls its assignments and reports them synced. */
static void *agent_main(void *arg)
{
	struct agent *a = arg;
	struct bench *b = a->b;
	struct cp_httpc *h;
	long long rev = 0;
	char path[160];
	int err;

	h = cp_httpc_new(b->url, b->node_tok[a->idx], &err);
	if (!h)
		die("client");
	while (!atomic_load(&b->stop_agents)) {
		struct cp_httpc_resp r;
		cJSON *j, *v, *st, *vips;
		char *s;

		if (a->idx < atomic_load(&b->dead_from))
			break; /* a dead node also stops polling */
		snprintf(path, sizeof(path),
			 "/v1/nodes/n%03d/assignments?revision=%lld&timeoutMs="
			 "2000",
			 a->idx, rev);
		if (cp_httpc_do(h, "GET", path, NULL, NULL, &r) ||
		    r.status != 200) {
			cp_httpc_resp_clear(&r);
			usleep(100000);
			continue;
		}
		j = cJSON_Parse(r.body);
		cp_httpc_resp_clear(&r);
		if (!j)
			continue;
		if ((long long)cJSON_GetNumberValue(
			    cJSON_GetObjectItem(j, "revision")) == rev) {
			cJSON_Delete(j);
			continue;
		}
		rev = (long long)cJSON_GetNumberValue(
			cJSON_GetObjectItem(j, "revision"));
		st = cJSON_CreateObject();
		vips = cJSON_AddArrayToObject(st, "vips");
		cJSON_ArrayForEach(v, cJSON_GetObjectItem(j, "vips"))
		{
			cJSON *o = cJSON_CreateObject();

			cJSON_AddItemToObject(
				o, "id",
				cJSON_Duplicate(cJSON_GetObjectItem(v, "id"),
						1));
			cJSON_AddItemToObject(
				o, "generation",
				cJSON_Duplicate(
					cJSON_GetObjectItem(v, "generation"),
					1));
			cJSON_AddBoolToObject(o, "advertised", 1);
			cJSON_AddItemToArray(vips, o);
		}
		s = cJSON_PrintUnformatted(st);
		snprintf(path, sizeof(path), "/v1/nodes/n%03d/status", a->idx);
		if (!cp_httpc_do(h, "PUT", path, NULL, s, &r))
			cp_httpc_resp_clear(&r);
		free(s);
		cJSON_Delete(st);
		cJSON_Delete(j);
	}
	cp_httpc_free(h);
	return NULL;
}

struct hb {
	struct bench *b;
	int from, to;
};

/* Heartbeats every 500 ms for nodes [from, to), skipping lost ones. */
static void *heartbeat_main(void *arg)
{
	struct hb *x = arg;
	struct bench *b = x->b;
	struct cp_httpc **h = calloc((size_t)b->nodes, sizeof(*h));
	int i, err;

	for (i = x->from; i < x->to; i++)
		h[i] = cp_httpc_new(b->url, b->node_tok[i], &err);
	while (!atomic_load(&b->stop_agents)) {
		int first = atomic_load(&b->dead_from);

		for (i = first > x->from ? first : x->from; i < x->to; i++) {
			struct cp_httpc_resp r;
			char path[96];

			snprintf(path, sizeof(path),
				 "/v1/nodes/n%03d/heartbeat", i);
			if (!cp_httpc_do(h[i], "POST", path, NULL, NULL, &r)) {
				if (r.status == 204)
					b->last_hb[i] = now_s();
				cp_httpc_resp_clear(&r);
			}
		}
		usleep(500000);
	}
	for (i = x->from; i < x->to; i++)
		cp_httpc_free(h[i]);
	free(h);
	return NULL;
}

/* Placed = every LB has 2 assignments, none on a dead node. */
static int placed(struct store *st, struct bench *b, int want)
{
	struct store_kv *kvs;
	size_t n, i;
	int cnt = 0, dead = atomic_load(&b->dead_from);

	if (store_range(st, "nodeassign/", NULL, 0, &kvs, &n))
		return 0;
	for (i = 0; i < n; i++) {
		int idx = atoi(kvs[i].key + strlen("nodeassign/n"));

		if (idx < dead) {
			cnt = -1;
			break;
		}
		cnt++;
	}
	store_kvs_free(kvs, n);
	return cnt == want;
}

int main(int argc, char **argv)
{
	struct bench b = {.bin = "build/bin",
			  .lbs = 10000,
			  .nodes = 200,
			  .measure = 1000};
	char path[256], tok[300], store_url[128], body[256];
	pthread_t *th, hb[HB_THREADS];
	struct hb hbs[HB_THREADS];
	struct loader ld[4];
	struct agent *ag;
	struct cp_httpc *adm, *ten;
	struct store *st;
	double t0, *lat, t_dead;
	int i, err, nthreads = 4;
	cJSON *j;
	FILE *f;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--bin"))
			b.bin = argv[i + 1];
		else if (!strcmp(argv[i], "--lbs"))
			b.lbs = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--nodes"))
			b.nodes = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--measure"))
			b.measure = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--store"))
			b.pfx = strcmp(argv[i + 1], "etcd") ? "" : "etcd_";
	}
	if (!b.pfx)
		b.pfx = "";
	if (b.lbs < 100 || b.nodes < 10 || b.measure < 10)
		die("usage: cp_bench --bin DIR [--lbs N] [--nodes N] "
		    "[--measure N]");
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	strcpy(b.dir, "/tmp/nlbt-cp-bench.XXXXXX");
	if (!mkdtemp(b.dir))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/admin", b.dir);
	f = fopen(path, "w");
	fprintf(f, "%s\n", ADMIN);
	fclose(f);
	snprintf(store_url, sizeof(store_url), "sqlite:%s/db", b.dir);
	if (*b.pfx) {
		/* a one-member etcd in the temp dir, on free loopback ports */
		char dd[128], cu[64], pu[64], ic[96], lg[128];
		char *av[] = {"/usr/bin/etcd",
			      "--name",
			      "b",
			      "--data-dir",
			      dd,
			      "--listen-client-urls",
			      cu,
			      "--advertise-client-urls",
			      cu,
			      "--listen-peer-urls",
			      pu,
			      "--initial-advertise-peer-urls",
			      pu,
			      "--initial-cluster",
			      ic,
			      "--max-txn-ops",
			      "20000",
			      "--quota-backend-bytes",
			      "8589934592",
			      NULL};
		struct store *probe = NULL;

		snprintf(dd, sizeof(dd), "%s/etcd", b.dir);
		snprintf(cu, sizeof(cu), "http://127.0.0.1:%d", free_port());
		snprintf(pu, sizeof(pu), "http://127.0.0.1:%d", free_port());
		snprintf(ic, sizeof(ic), "b=%s", pu);
		snprintf(lg, sizeof(lg), "%s/etcd.log", b.dir);
		b.etcd = spawn(av, lg);
		snprintf(store_url, sizeof(store_url), "etcd:%s", cu);
		for (i = 0; i < 100 && !probe; i++) {
			usleep(100000);
			probe = store_open(store_url, &err);
		}
		if (!probe)
			die("etcd did not start");
		store_close(probe);
	}
	{
		char gwbin[256], pf[128], hb_s[16], lg[128];
		char *av[] = {gwbin,	 "--store",
			      store_url, "--port",
			      "0",	 "--port-file",
			      pf,	 "--admin-token-file",
			      path,	 "--heartbeat-timeout-ms",
			      hb_s,	 "--log-level",
			      "warn",	 NULL};

		snprintf(gwbin, sizeof(gwbin), "%s/nlb-gateway", b.bin);
		snprintf(pf, sizeof(pf), "%s/port", b.dir);
		snprintf(hb_s, sizeof(hb_s), "%d", HB_TIMEOUT_MS);
		snprintf(lg, sizeof(lg), "%s/gw.log", b.dir);
		b.gw = spawn(av, lg);
		for (i = 0; i < 100; i++) {
			int port = 0;

			f = fopen(pf, "r");
			if (f && fscanf(f, "%d", &port) == 1 && port) {
				snprintf(b.url, sizeof(b.url),
					 "http://127.0.0.1:%d", port);
				fclose(f);
				break;
			}
			if (f)
				fclose(f);
			usleep(50000);
		}
		if (!b.url[0])
			die("gateway did not start");
	}
	adm = cp_httpc_new(b.url, ADMIN, &err);
	cJSON_Delete(call(adm, "POST", "/v1/pools",
			  "{\"name\":\"bench\",\"cidr\":\"10.64.0.0/14\"}",
			  201));
	cJSON_Delete(call(adm, "POST", "/v1/tenants",
			  "{\"name\":\"bench\",\"quotas\":{\"loadBalancers\":"
			  "1000000,\"backends\":1000000}}",
			  201));
	j = call(adm, "POST", "/v1/tokens",
		 "{\"role\":\"tenant\",\"tenant\":\"bench\"}", 201);
	snprintf(b.tenant_tok, sizeof(b.tenant_tok), "%s",
		 cJSON_GetStringValue(cJSON_GetObjectItem(j, "token")));
	cJSON_Delete(j);
	b.node_tok = calloc((size_t)b.nodes, sizeof(*b.node_tok));
	b.last_hb = calloc((size_t)b.nodes, sizeof(*b.last_hb));
	for (i = 0; i < b.nodes; i++) {
		struct cp_httpc *nh;

		snprintf(body, sizeof(body),
			 "{\"role\":\"node\",\"node\":\"n%03d\"}", i);
		j = call(adm, "POST", "/v1/tokens", body, 201);
		snprintf(b.node_tok[i], sizeof(b.node_tok[i]), "%s",
			 cJSON_GetStringValue(cJSON_GetObjectItem(j, "token")));
		cJSON_Delete(j);
		nh = cp_httpc_new(b.url, b.node_tok[i], &err);
		snprintf(path, sizeof(path), "/v1/nodes/n%03d/register", i);
		snprintf(body, sizeof(body),
			 "{\"zone\":\"az%d\",\"capacity\":10000}", i % 4);
		cJSON_Delete(call(nh, "POST", path, body, 201));
		cp_httpc_free(nh);
	}
	for (i = 0; i < HB_THREADS; i++) {
		hbs[i] = (struct hb){&b, b.nodes * i / HB_THREADS,
				     b.nodes * (i + 1) / HB_THREADS};
		pthread_create(&hb[i], NULL, heartbeat_main, &hbs[i]);
	}

	/* 1. fill the store (no scheduler yet), 4 clients in parallel */
	th = calloc((size_t)b.nodes + 8, sizeof(*th));
	t0 = now_s();
	for (i = 0; i < nthreads; i++) {
		ld[i] = (struct loader){&b, b.lbs * i / nthreads,
					b.lbs * (i + 1) / nthreads};
		pthread_create(&th[i], NULL, load_main, &ld[i]);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	printf("%sapi_create_per_s: %.0f req/s\n", b.pfx,
	       b.lbs / (now_s() - t0));
	fflush(stdout);

	/* 2. latency at >= lbs stored, one client, one request at a time */
	lat = calloc((size_t)b.measure, sizeof(*lat));
	ten = cp_httpc_new(b.url, b.tenant_tok, &err);
	for (i = 0; i < b.measure; i++) {
		double a = now_s();

		snprintf(path, sizeof(path), "/v1/loadbalancers/lb%05d",
			 (int)((unsigned)rand() % (unsigned)b.lbs));
		cJSON_Delete(call(ten, "GET", path, NULL, 200));
		lat[i] = (now_s() - a) * 1e3;
	}
	printf("%sapi_get_p50_ms: %.2f ms\n", b.pfx, pct(lat, b.measure, 0.5));
	printf("%sapi_get_p99_ms: %.2f ms\n", b.pfx, pct(lat, b.measure, 0.99));
	for (i = 0; i < b.measure; i++) {
		double a = now_s();

		snprintf(body, sizeof(body),
			 "{\"name\":\"m%05d\",\"spec\":{\"listeners\":[{"
			 "\"port\":80,\"backends\":[{\"address\":"
			 "\"10.2.0.1\"}]}]}}",
			 i);
		cJSON_Delete(call(ten, "POST", "/v1/loadbalancers", body, 201));
		lat[i] = (now_s() - a) * 1e3;
	}
	printf("%sapi_create_p50_ms: %.2f ms\n", b.pfx,
	       pct(lat, b.measure, 0.5));
	printf("%sapi_create_p99_ms: %.2f ms\n", b.pfx,
	       pct(lat, b.measure, 0.99));
	fflush(stdout);

	/* 3. the node agents come up, then the scheduler */
	ag = calloc((size_t)b.nodes, sizeof(*ag));
	for (i = 0; i < b.nodes; i++) {
		ag[i] = (struct agent){&b, i};
		pthread_create(&th[8 + i], NULL, agent_main, &ag[i]);
	}
	st = store_open(store_url, &err);
	if (!st)
		die("store_open");
	{
		char sbin[256], lg[128];
		char *av[] = {sbin,	 "--store",
			      store_url, "--heartbeat-timeout-ms",
			      "5000",	 "--log-level",
			      "info",	 NULL};

		snprintf(sbin, sizeof(sbin), "%s/nlb-scheduler", b.bin);
		snprintf(lg, sizeof(lg), "%s/sched.log", b.dir);
		t0 = now_s();
		b.sched = spawn(av, lg);
	}
	{
		int want = 2 * (b.lbs + b.measure);

		while (!placed(st, &b, want) && now_s() - t0 < 300)
			usleep(50000);
		printf("%ssched_place_10k_s: %.2f s (%d VIPs, %d nodes)\n",
		       b.pfx, now_s() - t0, b.lbs + b.measure, b.nodes);
		fflush(stdout);
		/* 4. 10% of the nodes stop heartbeating */
		sleep(2);
		atomic_store(&b.dead_from, b.nodes / 10);
		/* the heartbeat thread may be mid-round: let it finish, then
		 * the clock starts at the last heartbeat any lost node sent */
		usleep(700000);
		t_dead = 0;
		for (i = 0; i < b.nodes / 10; i++)
			t_dead = b.last_hb[i] > t_dead ? b.last_hb[i] : t_dead;
		t_dead += HB_TIMEOUT_MS / 1e3;
		while (!placed(st, &b, want) && now_s() - t_dead < 300)
			usleep(50000);
		printf("%ssched_reschedule_s: %.2f s (after the %d ms "
		       "heartbeat timeout, %d of %d nodes lost)\n",
		       b.pfx, now_s() - t_dead, HB_TIMEOUT_MS, b.nodes / 10,
		       b.nodes);
	}
	/* 5. the same reads again with every node long-polling */
	for (i = 0; i < b.measure; i++) {
		double a = now_s();

		snprintf(path, sizeof(path), "/v1/loadbalancers/lb%05d",
			 (int)((unsigned)rand() % (unsigned)b.lbs));
		cJSON_Delete(call(ten, "GET", path, NULL, 200));
		lat[i] = (now_s() - a) * 1e3;
	}
	printf("%sapi_get_p99_ms_with_agents: %.2f ms\n", b.pfx,
	       pct(lat, b.measure, 0.99));

	atomic_store(&b.stop_agents, 1);
	kill(b.sched, SIGTERM);
	waitpid(b.sched, NULL, 0);
	for (i = 0; i < b.nodes; i++)
		pthread_join(th[8 + i], NULL);
	for (i = 0; i < HB_THREADS; i++)
		pthread_join(hb[i], NULL);
	kill(b.gw, SIGTERM);
	waitpid(b.gw, NULL, 0);
	if (b.etcd > 0) {
		kill(b.etcd, SIGTERM);
		waitpid(b.etcd, NULL, 0);
	}
	store_close(st);
	cp_httpc_free(ten);
	cp_httpc_free(adm);
	/* CP_BENCH_KEEP=1 keeps the store and the daemons' logs */
	if (getenv("CP_BENCH_KEEP")) {
		fprintf(stderr, "kept %s\n", b.dir);
	} else {
		snprintf(path, sizeof(path), "rm -rf %s", b.dir);
		if (system(path))
			return 1;
	}
	free(lat);
	free(ag);
	free(th);
	free(b.node_tok);
	free(b.last_hb);
	(void)tok;
	return 0;
}
