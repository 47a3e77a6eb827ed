/*
 * Kernel command line: whitespace-separated key=value options. Each bad
 * token costs one warning and leaves a documented default; nothing fails.
 */
#include "cluster_plan.h"
#include "cmdline.h"
#include "kstring.h"

#define MSG_MAX 160
#define SHOW_MAX 40 /* longest piece of user text quoted in a message */

_Static_assert(KOPT_STR_MAX == 32, "names are described as 'up to 31' characters");

/* A piece of the command line: not NUL-terminated. */
struct span {
	const char *s;
	size_t n;
};

/* --- messages --- */

struct msg {
	char buf[MSG_MAX];
	size_t len;
};

static void msg_str(struct msg *m, const char *s)
{
	while (*s && m->len + 1 < MSG_MAX)
		m->buf[m->len++] = *s++;
	m->buf[m->len] = 0;
}

/* Quote user text: at most SHOW_MAX characters, controls shown as '?'. */
static void msg_quote(struct msg *m, struct span v)
{
	char one[2] = { 0, 0 };

	msg_str(m, "'");
	for (size_t i = 0; i < v.n && i < SHOW_MAX; i++) {
		one[0] = (v.s[i] < ' ' || v.s[i] == 0x7f) ? '?' : v.s[i];
		msg_str(m, one);
	}
	if (v.n > SHOW_MAX)
		msg_str(m, "...");
	msg_str(m, "'");
}

struct parse {
	struct kopts *o;
	kopt_warn_fn warn;
	void *ctx;
	unsigned warnings;
	int entry_stats; /* entrystats= as given: 1, 0, or -1 (not given) */
};

static void emit(struct parse *p, const struct msg *m)
{
	p->warnings++;
	if (p->warn)
		p->warn(p->ctx, m->buf);
}

/* "cmdline: key='value' is not <want>; using <dflt>" */
static void warn_value(struct parse *p, const char *key, struct span v, const char *want,
		       const char *dflt)
{
	struct msg m = { .len = 0 };

	msg_str(&m, "cmdline: ");
	msg_str(&m, key);
	msg_str(&m, "=");
	msg_quote(&m, v);
	msg_str(&m, " is not ");
	msg_str(&m, want);
	msg_str(&m, "; using ");
	msg_str(&m, dflt);
	emit(p, &m);
}

/* "cmdline: <before>'token'<after>" */
static void warn_token(struct parse *p, const char *before, struct span t, const char *after)
{
	struct msg m = { .len = 0 };

	msg_str(&m, "cmdline: ");
	msg_str(&m, before);
	msg_quote(&m, t);
	msg_str(&m, after);
	emit(p, &m);
}

/* --- value parsers: false on anything not exactly right --- */

static bool span_is(struct span v, const char *lit)
{
	size_t n = strlen(lit);

	return v.n == n && strncmp(v.s, lit, n) == 0;
}

static int digit_value(char ch, unsigned radix)
{
	int d = -1;

	if (ch >= '0' && ch <= '9')
		d = ch - '0';
	else if (ch >= 'a' && ch <= 'f')
		d = ch - 'a' + 10;
	else if (ch >= 'A' && ch <= 'F')
		d = ch - 'A' + 10;
	return d < (int)radix ? d : -1;
}

/* Decimal, or hexadecimal after 0x; overflow is an error. */
static bool parse_u64(struct span v, uint64_t *out)
{
	unsigned radix = 10;
	uint64_t x = 0;

	if (v.n > 2 && v.s[0] == '0' && (v.s[1] == 'x' || v.s[1] == 'X')) {
		radix = 16;
		v.s += 2;
		v.n -= 2;
	}
	if (v.n == 0)
		return false;
	for (size_t i = 0; i < v.n; i++) {
		int d = digit_value(v.s[i], radix);
		if (d < 0 || x > (UINT64_MAX - (uint64_t)d) / radix)
			return false;
		x = x * radix + (uint64_t)d;
	}
	*out = x;
	return true;
}

static bool name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == ':' ||
	       ch == ',' || ch == '.' || ch == '-';
}

/* A test or bench name: under KOPT_STR_MAX characters of [a-z0-9_:,.-]. */
static bool parse_name(struct span v, char *dst)
{
	if (v.n >= KOPT_STR_MAX)
		return false;
	for (size_t i = 0; i < v.n; i++)
		if (!name_char(v.s[i]))
			return false;
	memcpy(dst, v.s, v.n);
	dst[v.n] = 0;
	return true;
}

/* --- one handler per key --- */

static void opt_cluster_size(struct parse *p, struct span v)
{
	uint64_t x;

	static const char *const by[] = { "smt", "l2", "llc", "socket" }; /* from CLUSTER_BY_SMT on */

	p->o->cluster_by = 0;
	p->o->cluster_size = CLUSTER_SIZE_ALL;
	for (unsigned i = 0; i < ARRAY_SIZE(by); i++)
		if (span_is(v, by[i])) {
			p->o->cluster_by = (uint8_t)(CLUSTER_BY_SMT + i);
			return;
		}
	if (span_is(v, "all"))
		return;
	if (parse_u64(v, &x) && x >= 1 && x <= 256)
		p->o->cluster_size = (uint32_t)x;
	else
		warn_value(p, "cluster_size", v, "1..256, all, smt, l2, llc or socket", "all");
}

static void opt_loglevel(struct parse *p, struct span v)
{
	uint64_t x;

	if (parse_u64(v, &x) && x <= 4)
		p->o->loglevel = (uint32_t)x;
	else {
		warn_value(p, "loglevel", v, "0..4", "2");
		p->o->loglevel = 2;
	}
}

/* on|off|1|0 into *out; anything else warns and takes the default. */
static void opt_bool(struct parse *p, struct span v, const char *key, bool dflt, bool *out)
{
	if (span_is(v, "on") || span_is(v, "1"))
		*out = true;
	else if (span_is(v, "off") || span_is(v, "0"))
		*out = false;
	else {
		warn_value(p, key, v, "on, off, 1 or 0", dflt ? "on" : "off");
		*out = dflt;
	}
}

static void opt_fastpath(struct parse *p, struct span v)
{
	opt_bool(p, v, "fastpath", true, &p->o->fastpath);
}

static void opt_lockstats(struct parse *p, struct span v)
{
	opt_bool(p, v, "lockstats", false, &p->o->lock_stats);
}

/* entrystats=on|off|1|0; kept aside until the end of the line, where
 * "not given" (and a bad value) becomes on exactly when test= is given,
 * whatever the order of the two. */
static void opt_entrystats(struct parse *p, struct span v)
{
	if (span_is(v, "on") || span_is(v, "1"))
		p->entry_stats = 1;
	else if (span_is(v, "off") || span_is(v, "0"))
		p->entry_stats = 0;
	else {
		warn_value(p, "entrystats", v, "on, off, 1 or 0", "on in test runs, else off");
		p->entry_stats = -1;
	}
}

static void opt_compat32(struct parse *p, struct span v)
{
	opt_bool(p, v, "compat32", false, &p->o->compat32);
}

static void opt_exit(struct parse *p, struct span v)
{
	static const char *const names[] = { [KEXIT_POWEROFF] = "poweroff", [KEXIT_HALT] = "halt",
					     [KEXIT_REBOOT] = "reboot", [KEXIT_QEMU] = "qemu",
					     [KEXIT_ACPI] = "acpi" };
	uint8_t mode = KEXIT_POWEROFF;

	for (uint8_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (span_is(v, names[i]))
			mode = i;
	if (mode == KEXIT_POWEROFF && !span_is(v, "poweroff"))
		warn_value(p, "exit", v, "poweroff, halt, reboot, qemu or acpi", "poweroff");
	p->o->exit = mode;
	p->o->poweroff = mode != KEXIT_HALT;
}

static void opt_seed(struct parse *p, struct span v)
{
	if (!parse_u64(v, &p->o->seed)) {
		warn_value(p, "seed", v, "a 64-bit number", "1");
		p->o->seed = 1;
	}
}

/* Options of the root task's test programs (the fuzzer: fuzz=<calls>,
 * fuzz_keep=<ranges>, fuzz_trace=1): known here so they do not warn; the
 * root task reads and checks them in the command line it is given. */
static void opt_user(struct parse *p, struct span v)
{
	(void)p;
	(void)v;
}

static void opt_kcheck(struct parse *p, struct span v)
{
	if (span_is(v, "off") || span_is(v, "0"))
		p->o->kcheck = KCHECK_MODE_OFF;
	else if (span_is(v, "on") || span_is(v, "1"))
		p->o->kcheck = KCHECK_MODE_ON;
	else if (span_is(v, "full"))
		p->o->kcheck = KCHECK_MODE_FULL;
	else {
		warn_value(p, "kcheck", v, "off, on or full", "off");
		p->o->kcheck = KCHECK_MODE_OFF;
	}
}

static void opt_kcheck_every(struct parse *p, struct span v)
{
	uint64_t x;

	if (parse_u64(v, &x) && x >= 1 && x <= 1000000000)
		p->o->kcheck_every = (uint32_t)x;
	else {
		warn_value(p, "kcheck_every", v, "1..1000000000", "the default");
		p->o->kcheck_every = 0;
	}
}

static void opt_test_ap_fail(struct parse *p, struct span v)
{
	uint64_t x;

	if (parse_u64(v, &x) && x >= 1 && x <= 255)
		p->o->test_ap_fail = (uint32_t)x;
	else {
		warn_value(p, "test_ap_fail", v, "1..255", "none");
		p->o->test_ap_fail = 0;
	}
}

/* A name option: on a bad value, a warning and the default `dflt`. */
static void set_name(struct parse *p, const char *key, struct span v, char *dst, const char *dflt)
{
	if (!parse_name(v, dst) || (dflt[0] && v.n == 0)) { /* a name with a default can't be empty */
		warn_value(p, key, v, "a name of up to 31 [a-z0-9_:,.-]", dflt[0] ? dflt : "none");
		memcpy(dst, dflt, strlen(dflt) + 1);
	}
}

static void opt_test(struct parse *p, struct span v) { set_name(p, "test", v, p->o->test, ""); }
static void opt_bench(struct parse *p, struct span v) { set_name(p, "bench", v, p->o->bench, ""); }
static void opt_init(struct parse *p, struct span v) { set_name(p, "init", v, p->o->init, "init"); }

static const struct option {
	const char *key;
	void (*set)(struct parse *p, struct span v);
} options[] = {
	{ "cluster_size", opt_cluster_size },
	{ "test", opt_test },
	{ "loglevel", opt_loglevel },
	{ "fastpath", opt_fastpath },
	{ "lockstats", opt_lockstats },
	{ "entrystats", opt_entrystats },
	{ "seed", opt_seed },
	{ "fuzz", opt_user },
	{ "fuzz_keep", opt_user },
	{ "fuzz_trace", opt_user },
	{ "app", opt_user }, /* the root task starts that application (userland/root/launch.c) */
	{ "exit", opt_exit },
	{ "bench", opt_bench },
	{ "init", opt_init },
	{ "compat32", opt_compat32 },
	{ "kcheck", opt_kcheck },
	{ "kcheck_every", opt_kcheck_every },
	{ "test_ap_fail", opt_test_ap_fail },
};

/* --- tokens --- */

static void apply_token(struct parse *p, struct span tok)
{
	struct span key = { tok.s, 0 }, val;

	while (key.n < tok.n && tok.s[key.n] != '=')
		key.n++;
	if (key.n == tok.n || key.n == 0) {
		warn_token(p, "", tok, " is not key=value, ignored");
		return;
	}
	val = (struct span){ tok.s + key.n + 1, tok.n - key.n - 1 };

	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		if (span_is(key, options[i].key)) {
			options[i].set(p, val);
			return;
		}
	}
	warn_token(p, "unknown option ", key, " ignored");
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static void set_defaults(struct kopts *o)
{
	memset(o, 0, sizeof(*o));
	o->cluster_size = CLUSTER_SIZE_ALL;
	o->loglevel = 2;
	o->fastpath = true;
	o->seed = 1;
	o->poweroff = true;
	o->exit = KEXIT_POWEROFF;
	memcpy(o->init, "init", 5);
}

unsigned cmdline_parse(const char *line, struct kopts *o, kopt_warn_fn warn, void *ctx)
{
	struct parse p = { o, warn, ctx, 0, -1 };

	set_defaults(o);
	if (!line)
		return 0;
	for (;;) {
		struct span tok = { line, 0 };

		while (is_space(*tok.s))
			tok.s++;
		if (!*tok.s)
			break;
		while (tok.s[tok.n] && !is_space(tok.s[tok.n]))
			tok.n++;
		apply_token(&p, tok);
		line = tok.s + tok.n;
	}
	o->entry_stats = p.entry_stats < 0 ? o->test[0] != 0 : p.entry_stats != 0;
	return p.warnings;
}
