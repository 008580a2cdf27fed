// SPDX-License-Identifier: GPL-2.0
/* The apply transaction's decisions, against fake FRR tools (shell scripts
 * standing in for vtysh and frr-reload.py, whose "bgpd" table is the
 * network lines of the last reloaded file): what runs, in which order, what
 * is kept, what is rolled back. tests/bgp/test_bgp.sh does the same with
 * real FRR. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "bgp_apply.h"
#include "nlbtest.h"

/* The fake bgpd's table: "nets" (one prefix a line) printed as FRR's
 * `show bgp ... json` into t4 and t6. */
static const char fake_tables[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\"); v4=; v6=\n"
	"for p in $(cat \"$d/nets\"); do\n"
	"  "
	"r=\"\\\"$p\\\":[{\\\"valid\\\":true,\\\"peerId\\\":\\\"(unspec)\\\"}]"
	"\"\n"
	"  case $p in *:*) v6=\"$v6${v6:+,}$r\" ;; *) v4=\"$v4${v4:+,}$r\" ;; "
	"esac\n"
	"done\n"
	"echo \"{\\\"routes\\\":{$v4}}\" >\"$d/t4\"\n"
	"echo \"{\\\"routes\\\":{$v6}}\" >\"$d/t6\"\n";

/* vtysh: --dryrun refuses BAD-SYNTAX; "show bgp ipv4|ipv6 unicast json"
 * prints the tables (both, one after the other, when given both); -f applies network / no network lines (the fast path)
 * and fails on 10.99.100.66 after applying (bgpd refusing a command). */
static const char fake_vtysh[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"echo \"vtysh $*\" >>\"$d/log\"\n"
	"for a; do last=$a; done\n"
	"case \"$*\" in\n"
	"*--dryrun*) if grep -q BAD-SYNTAX \"$last\"; then\n"
	"  echo 'line 3: % Unknown command: BAD-SYNTAX'; exit 2; fi ;;\n"
	"*'show bgp ipv4 unicast json -c show bgp ipv6 unicast json'*)\n"
	"  cat \"$d/t4\" \"$d/t6\" ;;\n"
	"*'show bgp ipv4 unicast json'*) cat \"$d/t4\" ;;\n"
	"*'show bgp ipv6 unicast json'*) cat \"$d/t6\" ;;\n"
	"*-f*) cp \"$last\" \"$d/last-delta\"\n"
	"  awk '$1 == \"no\" {print $3}' \"$last\" >\"$d/rm\"\n"
	"  grep -vxF -f \"$d/rm\" \"$d/nets\" >\"$d/nets.new\"\n"
	"  awk '$1 == \"network\" {print $2}' \"$last\" >>\"$d/nets.new\"\n"
	"  mv \"$d/nets.new\" \"$d/nets\"; \"$d/tables\"\n"
	"  if grep -q 10.99.100.66 \"$last\"; then\n"
	"    echo '% bgpd refused it'; exit 1; fi ;;\n"
	"*) exit 1 ;;\n"
	"esac\n";

/* frr-reload.py: BAD-RELOAD fails half-way (the table is already changed,
 * as a partial reload would leave it); NO-EFFECT succeeds without changing
 * the table (a reload that silently did not take). */
static const char fake_reload[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"for a; do last=$a; done\n"
	"echo \"reload $(basename \"$last\")\" >>\"$d/log\"\n"
	"grep -q NO-EFFECT \"$last\" && exit 0\n"
	"awk '$1 == \"network\" {print $2}' \"$last\" >\"$d/nets\"\n"
	"\"$d/tables\"\n"
	"if grep -q BAD-RELOAD \"$last\"; then\n"
	"  echo '% Configure the peer-group first'; exit 1; fi\n"
	"exit 0\n";

struct fake {
	char dir[64];
	char path[128];
	struct bgp_frr frr;
};

static int write_to(const char *dir, const char *name, const char *text,
		    mode_t mode)
{
	char p[160];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	return chmod(p, mode) ? -errno : 0;
}

static int fake_up(struct fake *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/nlbt-bgp-apply.XXXXXX");
	/* mkdtemp fills the X's: fake_down checks the prefix */
	if (!mkdtemp(f->dir))
		return -errno;
	snprintf(f->path, sizeof(f->path), "%s/reload", f->dir);
	f->frr = (struct bgp_frr){.bindir = f->dir,
				  .reload_script = f->path,
				  .python = "/bin/sh",
				  .timeout_ms = 5000};
	if (write_to(f->dir, "vtysh", fake_vtysh, 0755) ||
	    write_to(f->dir, "reload", fake_reload, 0755) ||
	    write_to(f->dir, "tables", fake_tables, 0755) ||
	    write_to(f->dir, "nets", "", 0644) ||
	    write_to(f->dir, "t4", "{\"routes\":{}}\n", 0644) ||
	    write_to(f->dir, "t6", "{\"routes\":{}}\n", 0644) ||
	    write_to(f->dir, "log", "", 0644))
		return -EIO;
	return 0;
}

static void fake_down(struct fake *f)
{
	char cmd[128];

	static const char pfx[] = "/tmp/nlbt-bgp-apply.";

	if (strncmp(f->dir, pfx, sizeof(pfx) - 1))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd))
		return;
}

/* the log since the last call, with the lines joined by '|' */
static void take_log(struct fake *f, char *buf, size_t len)
{
	char p[160];
	FILE *in;
	size_t n;

	snprintf(p, sizeof(p), "%s/log", f->dir);
	in = fopen(p, "r");
	n = in ? fread(buf, 1, len - 1, in) : 0;
	buf[n] = 0;
	if (in)
		fclose(in);
	for (char *c = buf; *c; c++)
		if (*c == '\n')
			*c = '|';
	write_to(f->dir, "log", "", 0644);
}

static const char good1[] =
	"router bgp 65001\n address-family ipv4 unicast\n"
	"  network 10.99.100.1/32\n exit-address-family\n"
	" address-family ipv6 unicast\n  network fd99:100::1/128\n"
	" exit-address-family\nexit\n";
static const char *const pfx1[] = {"10.99.100.1/32", "fd99:100::1/128"};

static const char good2[] =
	"router bgp 65001\n address-family ipv4 unicast\n"
	"  network 10.99.100.2/32\n exit-address-family\nexit\n";
static const char *const pfx2[] = {"10.99.100.2/32"};

NLB_TEST(bgp_apply_transaction)
{
	struct bgp_apply_report rep;
	struct bgp_applier *a = NULL;
	struct fake f = {0};
	char log[2048], bad[512];
	int e;

	REQUIRE(t, fake_up(&f) == 0, "fake tools");
	a = bgp_applier__new(&f.frr, f.dir, 300);
	if (!CHECK(t, a != NULL))
		goto out;
	CHECK(t, bgp_applier__last_good(a) == NULL);

	if (nlbt_sub_begin(t, "first_apply")) {
		e = bgp_applier__apply(a, good1, pfx1, 2, &rep);
		CHECK_EQ_INT(t, e, 0);
		CHECK(t, rep.changed && rep.failed == BGP_STEP_NONE, "%s",
		      rep.err);
		take_log(&f, log, sizeof(log));
		/* test, reload, then verify both families */
		CHECK(t,
		      strstr(log, "--dryrun") &&
			      strstr(log, "|reload bgpd.conf.new|") &&
			      strstr(log, "-c show bgp ipv4 unicast json -c "
					  "show bgp ipv6 unicast json|"),
		      "%s", log);
		CHECK(t, strstr(log, "--dryrun") < strstr(log, "reload bgpd"),
		      "%s", log);
		CHECK(t, !strcmp(bgp_applier__last_good(a), good1));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "same_again_no_reload")) {
		e = bgp_applier__apply(a, good1, pfx1, 2, &rep);
		CHECK(t, e == 0 && !rep.changed, "%d %s", e, rep.err);
		take_log(&f, log, sizeof(log));
		CHECK(t, !strstr(log, "reload") && !strstr(log, "dryrun"), "%s",
		      log);
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "syntax_error_touches_nothing")) {
		snprintf(bad, sizeof(bad), "%sBAD-SYNTAX\n", good2);
		e = bgp_applier__apply(a, bad, pfx2, 1, &rep);
		CHECK_EQ_INT(t, e, -EINVAL);
		CHECK_EQ_INT(t, rep.failed, BGP_STEP_TEST);
		CHECK(t, !rep.changed && !rep.rolled_back);
		CHECK(t,
		      strstr(rep.err, "test: ") &&
			      strstr(rep.err, "BAD-SYNTAX"),
		      "%s", rep.err);
		take_log(&f, log, sizeof(log));
		CHECK(t, !strstr(log, "reload"), "%s", log);
		CHECK(t, !strcmp(bgp_applier__last_good(a), good1));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "reload_failure_rolls_back")) {
		snprintf(bad, sizeof(bad), "%s! BAD-RELOAD\n", good2);
		e = bgp_applier__apply(a, bad, pfx2, 1, &rep);
		CHECK_EQ_INT(t, e, -EIO);
		CHECK_EQ_INT(t, rep.failed, BGP_STEP_RELOAD);
		CHECK(t, rep.rolled_back, "%s", rep.err);
		CHECK(t, strstr(rep.err, "peer-group"), "%s", rep.err);
		take_log(&f, log, sizeof(log));
		/* the good file went back in, and was verified */
		CHECK(t,
		      strstr(log, "reload bgpd.conf.new|") &&
			      strstr(log, "reload bgpd.conf|"),
		      "%s", log);
		CHECK(t, !strcmp(bgp_applier__last_good(a), good1));
		/* and it is what the fake bgpd now has */
		e = bgp_applier__apply(a, good1, pfx1, 2, &rep);
		CHECK(t, e == 0 && !rep.changed, "%d %s", e, rep.err);
		take_log(&f, log, sizeof(log));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "verify_failure_rolls_back")) {
		snprintf(bad, sizeof(bad), "%s! NO-EFFECT\n", good2);
		e = bgp_applier__apply(a, bad, pfx2, 1, &rep);
		CHECK_EQ_INT(t, rep.failed, BGP_STEP_VERIFY);
		CHECK(t, e == -ENOENT || e == -EEXIST, "%d", e);
		CHECK(t, strstr(rep.err, "verify: "), "%s", rep.err);
		CHECK(t, rep.rolled_back, "%s", rep.err);
		CHECK(t, rep.verify_ms >= 300, "polled until the timeout: %d",
		      rep.verify_ms);
		take_log(&f, log, sizeof(log));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "withdraw")) {
		e = bgp_applier__apply(a, good2, pfx2, 1, &rep);
		CHECK(t, e == 0 && rep.changed, "%d %s", e, rep.err);
		take_log(&f, log, sizeof(log));
		nlbt_sub_end(t);
	}
	if (nlbt_sub_begin(t, "state_survives_restart")) {
		struct bgp_applier *b = bgp_applier__new(&f.frr, f.dir, 300);

		CHECK(t, b && bgp_applier__last_good(b) &&
				 !strcmp(bgp_applier__last_good(b), good2));
		/* a restarted bgpd is empty: the same text reloads */
		write_to(f.dir, "nets", "", 0644);
		write_to(f.dir, "t4", "{\"routes\":{}}\n", 0644);
		write_to(f.dir, "t6", "{\"routes\":{}}\n", 0644);
		e = b ? bgp_applier__apply(b, good2, pfx2, 1, &rep) : -1;
		CHECK(t, e == 0 && rep.changed, "%d %s", e, rep.err);
		/* a failure now rolls back to what the previous run saved */
		snprintf(bad, sizeof(bad), "%s! BAD-RELOAD\n", good1);
		e = b ? bgp_applier__apply(b, bad, pfx1, 2, &rep) : -1;
		CHECK(t, e == -EIO && rep.rolled_back, "%d %s", e, rep.err);
		bgp_applier__free(b);
		take_log(&f, log, sizeof(log));
		nlbt_sub_end(t);
	}
	CHECK_EQ_INT(t, bgp_applier__apply(a, NULL, NULL, 0, &rep), -EINVAL);
	CHECK(t, !strcmp(bgp_apply_step_name(BGP_STEP_RELOAD), "reload"));
out:
	bgp_applier__free(a);
	fake_down(&f);
}

static const char fa[] = "router bgp 65001\n"
			 " neighbor 10.0.0.1 remote-as 65000\n"
			 " address-family ipv4 unicast\n"
			 "  network 10.99.100.1/32\n"
			 " exit-address-family\n"
			 "exit\n";
static const char fb[] = "router bgp 65001\n"
			 " neighbor 10.0.0.1 remote-as 65000\n"
			 " address-family ipv4 unicast\n"
			 "  network 10.99.100.1/32\n"
			 "  network 10.99.100.2/32\n"
			 " exit-address-family\n"
			 "exit\n";
static const char fc[] = "router bgp 65001\n"
			 " neighbor 10.0.0.1 remote-as 65000\n"
			 " address-family ipv4 unicast\n"
			 "  network 10.99.100.1/32\n"
			 "  network 10.99.100.66/32\n"
			 " exit-address-family\n"
			 "exit\n";

static bool file_is(struct fake *f, const char *name, const char *want)
{
	char p[160], buf[1024];
	size_t n;
	FILE *in;

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	in = fopen(p, "r");
	if (!in)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, in);
	buf[n] = 0;
	fclose(in);
	return !strcmp(buf, want);
}

/* Only VIPs changed since the last good text: one vtysh -f with just those
 * network lines, no frr-reload.py; anything else takes the full reload. */
NLB_TEST(bgp_apply_fast_path)
{
	static const char *const pa[] = {"10.99.100.1/32"};
	static const char *const pb[] = {"10.99.100.1/32", "10.99.100.2/32"};
	static const char *const pc[] = {"10.99.100.1/32", "10.99.100.66/32"};
	struct bgp_apply_report rep;
	struct bgp_applier *a;
	struct fake f = {0};
	char log[2048];
	int e;

	REQUIRE(t, fake_up(&f) == 0, "fake tools");
	a = bgp_applier__new(&f.frr, f.dir, 300);
	if (!CHECK(t, a != NULL))
		goto out;
	e = bgp_applier__apply(a, fa, pa, 1, &rep);
	CHECK(t, e == 0 && !rep.fast, "first: full reload: %d %s", e, rep.err);
	take_log(&f, log, sizeof(log));

	e = bgp_applier__apply(a, fb, pb, 2, &rep);
	CHECK(t, e == 0 && rep.fast && rep.changed, "add: %d %s", e, rep.err);
	take_log(&f, log, sizeof(log));
	CHECK(t, strstr(log, "-f ") && !strstr(log, "reload"), "%s", log);
	CHECK(t, file_is(&f, "last-delta",
			 "router bgp 65001\n address-family ipv4 unicast\n"
			 "  network 10.99.100.2/32\n exit-address-family\n"
			 "exit\n"));

	e = bgp_applier__apply(a, fa, pa, 1, &rep);
	CHECK(t, e == 0 && rep.fast, "remove: %d %s", e, rep.err);
	CHECK(t, file_is(&f, "last-delta",
			 "router bgp 65001\n address-family ipv4 unicast\n"
			 "  no network 10.99.100.2/32\n exit-address-family\n"
			 "exit\n"));
	CHECK(t, file_is(&f, "nets", "10.99.100.1/32\n"));
	take_log(&f, log, sizeof(log));

	/* bgpd refuses the delta: the last good one comes back in full */
	e = bgp_applier__apply(a, fc, pc, 2, &rep);
	CHECK(t, e == -EIO && rep.fast && rep.failed == BGP_STEP_RELOAD,
	      "%d %s", e, rep.err);
	CHECK(t, rep.rolled_back, "%s", rep.err);
	CHECK(t, file_is(&f, "nets", "10.99.100.1/32\n"));
	take_log(&f, log, sizeof(log));
	CHECK(t, strstr(log, "reload bgpd.conf|"), "%s", log);

	/* bgpd restarted empty: the delta would build on nothing */
	write_to(f.dir, "nets", "", 0644);
	write_to(f.dir, "t4", "{\"routes\":{}}\n", 0644);
	e = bgp_applier__apply(a, fb, pb, 2, &rep);
	CHECK(t, e == 0 && !rep.fast, "%d %s", e, rep.err);
	take_log(&f, log, sizeof(log));
	CHECK(t, strstr(log, "reload bgpd.conf.new"), "%s", log);
out:
	bgp_applier__free(a);
	fake_down(&f);
}

NLB_TEST(bgp_apply_first_failure_no_rollback)
{
	struct bgp_apply_report rep;
	struct bgp_applier *a;
	struct fake f = {0};
	char bad[512];
	int e;

	REQUIRE(t, fake_up(&f) == 0, "fake tools");
	a = bgp_applier__new(&f.frr, f.dir, 300);
	snprintf(bad, sizeof(bad), "%s! BAD-RELOAD\n", good1);
	e = a ? bgp_applier__apply(a, bad, pfx1, 2, &rep) : -1;
	CHECK_EQ_INT(t, e, -EIO);
	CHECK(t, !rep.rolled_back && strstr(rep.err, "no last good"), "%s",
	      rep.err);
	CHECK(t, a && bgp_applier__last_good(a) == NULL);
	bgp_applier__free(a);
	bgp_applier__free(NULL);
	fake_down(&f);
}

NLB_TEST(bgp_apply_tools_missing)
{
	struct bgp_frr frr = {.bindir = "/nonexistent", .timeout_ms = 2000};
	struct bgp_apply_report rep;
	struct bgp_applier *a;
	char dir[] = "/tmp/nlbt-bgp-apply.XXXXXX", file[64];
	int e;

	REQUIRE(t, mkdtemp(dir));
	a = bgp_applier__new(&frr, dir, 300);
	e = a ? bgp_applier__apply(a, good1, pfx1, 2, &rep) : -1;
	CHECK_EQ_INT(t, e, -ENOENT);
	CHECK(t, rep.failed == BGP_STEP_TEST && strstr(rep.err, "cannot run"),
	      "%s", rep.err);
	bgp_applier__free(a);
	CHECK(t, bgp_applier__new(NULL, dir, 0) == NULL && errno == EINVAL);
	snprintf(file, sizeof(file), "%s/bgpd.conf.new", dir);
	unlink(file);
	rmdir(dir);
}
