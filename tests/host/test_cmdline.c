/*
 * cmdline_parse(): defaults; every key with good and bad values; overflow;
 * unknown keys; bare words; repeats (last wins); long tokens; messages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cluster_plan.h"
#include "cmdline.h"

struct warnings {
	unsigned count;
	char last[256];
	char first[256];
};

static void collect(void *ctx, const char *msg)
{
	struct warnings *w = ctx;

	CHECK(strlen(msg) < 160 && strncmp(msg, "cmdline: ", 9) == 0 && !strchr(msg, '\n'));
	if (w->count == 0)
		snprintf(w->first, sizeof(w->first), "%s", msg);
	snprintf(w->last, sizeof(w->last), "%s", msg);
	w->count++;
}

static struct kopts o;
static struct warnings w;

/* Parse `line`; return the warning count after checking it matches the callback's. */
static unsigned parse(const char *line)
{
	unsigned n;

	memset(&w, 0, sizeof(w));
	memset(&o, 0x5A, sizeof(o));
	n = cmdline_parse(line, &o, collect, &w);
	CHECK(n == w.count);
	CHECK(memchr(o.test, 0, sizeof(o.test)) && memchr(o.bench, 0, sizeof(o.bench)));
	return n;
}

static bool is_default(void)
{
	return o.cluster_size == CLUSTER_SIZE_ALL && o.test[0] == 0 && o.loglevel == 2 && o.fastpath &&
	       o.seed == 1 && o.poweroff && o.bench[0] == 0 &&
	       strcmp(o.init, "init") == 0 && !o.compat32 &&
	       !o.entry_stats && o.kcheck == KCHECK_MODE_OFF && o.kcheck_every == 0 && o.test_ap_fail == 0;
}

static void test_defaults(void)
{
	CHECK(parse(NULL) == 0 && is_default());
	CHECK(parse("") == 0 && is_default());
	CHECK(parse("   \t  ") == 0 && is_default());
	memset(&o, 0x5A, sizeof(o));
	CHECK(cmdline_parse("bogus", &o, NULL, NULL) == 1 && is_default()); /* no callback */
}

static void test_good_values(void)
{
	CHECK(parse("cluster_size=1") == 0 && o.cluster_size == 1);
	CHECK(parse("cluster_size=256") == 0 && o.cluster_size == 256);
	CHECK(parse("cluster_size=all") == 0 && o.cluster_size == CLUSTER_SIZE_ALL);
	CHECK(parse("cluster_size=0x10") == 0 && o.cluster_size == 16 && o.cluster_by == CLUSTER_BY_COUNT);
	CHECK(parse("cluster_size=smt") == 0 && o.cluster_by == CLUSTER_BY_SMT && o.cluster_size == CLUSTER_SIZE_ALL);
	CHECK(parse("cluster_size=l2") == 0 && o.cluster_by == CLUSTER_BY_L2);
	CHECK(parse("cluster_size=llc") == 0 && o.cluster_by == CLUSTER_BY_LLC);
	CHECK(parse("cluster_size=socket") == 0 && o.cluster_by == CLUSTER_BY_SOCKET);
	CHECK(parse("cluster_size=socket cluster_size=2") == 0 && o.cluster_by == CLUSTER_BY_COUNT &&
	      o.cluster_size == 2);
	CHECK(parse("cluster_size=sockets") == 1 && o.cluster_by == CLUSTER_BY_COUNT &&
	      o.cluster_size == CLUSTER_SIZE_ALL);
	CHECK(parse("test=ipc_ping:1,2.3-x") == 0 && strcmp(o.test, "ipc_ping:1,2.3-x") == 0);
	CHECK(parse("test=") == 0 && o.test[0] == 0);
	CHECK(parse("test=abcdefghijklmnopqrstuvwxyz01234") == 0 && strlen(o.test) == 31);
	CHECK(parse("loglevel=0") == 0 && o.loglevel == 0);
	CHECK(parse("loglevel=4") == 0 && o.loglevel == 4);
	CHECK(parse("fastpath=off") == 0 && !o.fastpath);
	CHECK(parse("fastpath=0") == 0 && !o.fastpath);
	CHECK(parse("fastpath=1") == 0 && o.fastpath);
	CHECK(parse("fastpath=on") == 0 && o.fastpath);
	CHECK(parse("compat32=on") == 0 && o.compat32);
	CHECK(parse("compat32=off") == 0 && !o.compat32);
	CHECK(parse("seed=0") == 0 && o.seed == 0);
	CHECK(parse("seed=18446744073709551615") == 0 && o.seed == UINT64_MAX);
	CHECK(parse("seed=0xffffffffffffffff") == 0 && o.seed == UINT64_MAX);
	CHECK(parse("seed=0XdeadBEEF") == 0 && o.seed == 0xdeadbeef);
	CHECK(parse("fuzz=7 fuzz_keep=0-9,12 fuzz_trace=1") == 0); /* the root task's options: no warning */
	CHECK(parse("app=hello") == 0); /* the launcher's option: no warning */
	CHECK(parse("exit=halt") == 0 && !o.poweroff);
	CHECK(parse("exit=poweroff") == 0 && o.poweroff);
	CHECK(parse("") == 0 && o.poweroff && o.exit == KEXIT_POWEROFF);
	CHECK(parse("exit=halt") == 0 && !o.poweroff && o.exit == KEXIT_HALT);
	CHECK(parse("exit=reboot") == 0 && o.poweroff && o.exit == KEXIT_REBOOT);
	CHECK(parse("exit=qemu") == 0 && o.poweroff && o.exit == KEXIT_QEMU);
	CHECK(parse("exit=acpi") == 0 && o.poweroff && o.exit == KEXIT_ACPI);
	CHECK(parse("bench=ipc") == 0 && strcmp(o.bench, "ipc") == 0);
	CHECK(parse("kcheck=on") == 0 && o.kcheck == KCHECK_MODE_ON);
	CHECK(parse("kcheck=1") == 0 && o.kcheck == KCHECK_MODE_ON);
	CHECK(parse("kcheck=full") == 0 && o.kcheck == KCHECK_MODE_FULL);
	CHECK(parse("kcheck=off") == 0 && o.kcheck == KCHECK_MODE_OFF);
	CHECK(parse("kcheck_every=1") == 0 && o.kcheck_every == 1);
	CHECK(parse("kcheck_every=0x40") == 0 && o.kcheck_every == 64);
	CHECK(parse("test_ap_fail=1") == 0 && o.test_ap_fail == 1);
	CHECK(parse("test_ap_fail=255") == 0 && o.test_ap_fail == 255);
	/* entrystats: on exactly in test runs unless given, in either order */
	CHECK(parse("test=suite") == 0 && o.entry_stats);
	CHECK(parse("bench=ipc") == 0 && !o.entry_stats);
	CHECK(parse("entrystats=on") == 0 && o.entry_stats);
	CHECK(parse("entrystats=1 bench=ipc") == 0 && o.entry_stats);
	CHECK(parse("entrystats=off test=suite") == 0 && !o.entry_stats);
	CHECK(parse("test=suite entrystats=0") == 0 && !o.entry_stats);
	CHECK(parse("\tcluster_size=8\tloglevel=3  fastpath=off seed=42 exit=halt test=t bench=b\n") == 0);
	CHECK(o.cluster_size == 8 && o.loglevel == 3 && !o.fastpath && o.seed == 42 &&
	      !o.poweroff && strcmp(o.test, "t") == 0 && strcmp(o.bench, "b") == 0);
}

/* One bad value: one warning, the default kept, and the exact message. */
static void bad(const char *line, const char *msg, int lineno)
{
	unsigned n = parse(line);

	if (n != 1 || !is_default() || (msg && strcmp(w.last, msg) != 0))
		fprintf(stderr, "line %d: '%s' -> %u warnings, last '%s'\n", lineno, line, n, w.last);
	CHECK(n == 1 && is_default());
	CHECK(!msg || strcmp(w.last, msg) == 0);
}

#define BAD(line, msg) bad(line, msg, __LINE__)

static void test_bad_values(void)
{
	BAD("cluster_size=0", "cmdline: cluster_size='0' is not 1..256, all, smt, l2, llc or socket; using all");
	BAD("cluster_size=257", NULL);
	BAD("cluster_size=", "cmdline: cluster_size='' is not 1..256, all, smt, l2, llc or socket; using all");
	BAD("cluster_size=-1", NULL);
	BAD("cluster_size=ALL", NULL);
	BAD("cluster_size=4x", NULL);
	BAD("cluster_size=0x", NULL);
	BAD("test=IPC", "cmdline: test='IPC' is not a name of up to 31 [a-z0-9_:,.-]; using none");
	BAD("test=abcdefghijklmnopqrstuvwxyz012345", NULL); /* 32 characters */
	BAD("test=a/b", NULL);
	BAD("bench=A", NULL);
	BAD("loglevel=5", "cmdline: loglevel='5' is not 0..4; using 2");
	BAD("loglevel=", NULL);
	BAD("loglevel=two", NULL);
	BAD("fastpath=yes", "cmdline: fastpath='yes' is not on, off, 1 or 0; using on");
	BAD("fastpath=", NULL);
	BAD("compat32=maybe", "cmdline: compat32='maybe' is not on, off, 1 or 0; using off");
	BAD("seed=0x1g", "cmdline: seed='0x1g' is not a 64-bit number; using 1");
	BAD("seed=-5", NULL);
	BAD("seed= ", NULL);
	BAD("entrystats=yes", "cmdline: entrystats='yes' is not on, off, 1 or 0; using on in test runs, else off");
	BAD("entrystats=", NULL);
	CHECK(parse("entrystats=maybe test=suite") == 1 && o.entry_stats); /* the default of a test run */
	BAD("exit=reset", "cmdline: exit='reset' is not poweroff, halt, reboot, qemu or acpi; using poweroff");
	CHECK(o.exit == KEXIT_POWEROFF && o.poweroff);
	BAD("exit=", NULL);
	BAD("kcheck=yes", "cmdline: kcheck='yes' is not off, on or full; using off");
	BAD("kcheck=", NULL);
	BAD("kcheck_every=0", "cmdline: kcheck_every='0' is not 1..1000000000; using the default");
	BAD("kcheck_every=4294967297", NULL);
	BAD("test_ap_fail=0", "cmdline: test_ap_fail='0' is not 1..255; using none");
	BAD("test_ap_fail=256", "cmdline: test_ap_fail='256' is not 1..255; using none");
	BAD("test_ap_fail=-1", NULL);
}

static void test_overflow(void)
{
	BAD("seed=18446744073709551616", NULL);
	BAD("seed=0x10000000000000000", NULL);
	BAD("cluster_size=4294967297", NULL); /* 2^32 + 1 must not wrap to 1 */
	BAD("loglevel=18446744073709551618", NULL);
}

static void test_unknown_and_bare(void)
{
	CHECK(parse("foo=1") == 1 && is_default());
	CHECK(strcmp(w.last, "cmdline: unknown option 'foo' ignored") == 0);
	CHECK(parse("foo") == 1 && is_default());
	CHECK(strcmp(w.last, "cmdline: 'foo' is not key=value, ignored") == 0);
	CHECK(parse("=5") == 1 && is_default());
	CHECK(strcmp(w.last, "cmdline: '=5' is not key=value, ignored") == 0);
	CHECK(parse("Loglevel=3") == 1 && o.loglevel == 2); /* keys are case-sensitive */
	CHECK(parse("loglevel") == 1 && o.loglevel == 2);
	CHECK(parse("quiet loglevel=3 splash x=y") == 3 && o.loglevel == 3);
	CHECK(strcmp(w.first, "cmdline: 'quiet' is not key=value, ignored") == 0);
	CHECK(strcmp(w.last, "cmdline: unknown option 'x' ignored") == 0);
	CHECK(parse("test=a=b") == 1 && o.test[0] == 0); /* value "a=b" is bad */
	CHECK(parse("cluster_size=0 bogus=1 loglevel=3") == 2 && o.cluster_size == 0 && o.loglevel == 3);
	CHECK(parse("a\x01" "b") == 1 && strcmp(w.last, "cmdline: 'a?b' is not key=value, ignored") == 0);
}

static void test_repeats(void)
{
	CHECK(parse("loglevel=1 loglevel=3") == 0 && o.loglevel == 3);
	CHECK(parse("loglevel=3 loglevel=9") == 1 && o.loglevel == 2); /* bad last: default */
	CHECK(parse("loglevel=9 loglevel=0") == 1 && o.loglevel == 0);
	CHECK(parse("test=a test=bb") == 0 && strcmp(o.test, "bb") == 0);
	CHECK(parse("test=abc test=") == 0 && o.test[0] == 0);
	CHECK(parse("exit=halt exit=poweroff exit=halt") == 0 && !o.poweroff);
	CHECK(parse("exit=halt exit=acpi") == 0 && o.poweroff && o.exit == KEXIT_ACPI);
}

static void test_long_tokens(void)
{
	size_t n = 100000;
	char *line = malloc(n + 16);
	const char *want = "cmdline: test='aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is not a name of up "
			   "to 31 [a-z0-9_:,.-]; using none";

	memcpy(line, "test=", 5);
	memset(line + 5, 'a', n);
	line[n + 5] = 0;
	CHECK(parse(line) == 1 && o.test[0] == 0 && strcmp(w.last, want) == 0);
	memset(line, 'k', n);
	memcpy(line + n, "=1", 3);
	CHECK(parse(line) == 1 && strlen(w.last) < 160 && strstr(w.last, "...' ignored"));
	memset(line, 'k', n);
	line[n] = 0;
	CHECK(parse(line) == 1 && strstr(w.last, "...' is not key=value"));
	for (size_t i = 0; i < n; i += 2)
		line[i] = 'x', line[i + 1] = ' ';
	line[n] = 0;
	CHECK(parse(line) == n / 2);
	memcpy(line, "seed=", 5);
	memset(line + 5, '0', n);
	memcpy(line + 5 + n, "12", 3); /* many leading zeros are still a small number */
	CHECK(parse(line) == 0 && o.seed == 12);
	free(line);
}

static void test_init_module(void)
{
	CHECK(parse("init=bench") == 0 && strcmp(o.init, "bench") == 0);
	CHECK(parse("init=") == 1 && strcmp(o.init, "init") == 0 && strstr(w.last, "init="));
	CHECK(parse("init=Bad/Name") == 1 && strcmp(o.init, "init") == 0);
	CHECK(parse("init=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") == 1 && strcmp(o.init, "init") == 0);
}

int main(void)
{
	test_init_module();
	test_defaults();
	test_good_values();
	test_bad_values();
	test_overflow();
	test_unknown_and_bare();
	test_repeats();
	test_long_tokens();
	return check_summary("test_cmdline");
}
