/* In-guest test runner (see atoll/utest.h). */
#include "atoll/utest.h"

static struct {
	unsigned index;
	bool failed, skipped;
	char why[96];
} cur;

void ut_skip(const char *why)
{
	if (cur.failed || cur.skipped)
		return;
	cur.skipped = true;
	ksnprintf(cur.why, sizeof(cur.why), "%s", why);
}

static void fail(const char *what, int line, uint64_t a, uint64_t b, bool vals)
{
	if (cur.failed)
		return;
	cur.failed = true;
	if (vals)
		ksnprintf(cur.why, sizeof(cur.why), "line %d: %s (%#llx vs %#llx)", line, what,
			  (unsigned long long)a, (unsigned long long)b);
	else
		ksnprintf(cur.why, sizeof(cur.why), "line %d: %s", line, what);
}

void ut_expect(bool ok, const char *what, int line)
{
	if (!ok)
		fail(what, line, 0, 0, false);
}

void ut_expect_eq(uint64_t a, uint64_t b, const char *what, int line)
{
	if (a != b)
		fail(what, line, a, b, true);
}

const char *ut_prefix = "";

unsigned ut_run(const struct utest *tests, unsigned n, unsigned first, unsigned *passed)
{
	unsigned failed = 0;

	*passed = 0;
	for (unsigned i = 0; i < n; i++) {
		cur.failed = cur.skipped = false;
		cur.index = i;
		tests[i].fn();
		if (cur.failed) {
			printf("not ok %u - %s%s # %s\n", first + i + 1, ut_prefix, tests[i].name, cur.why);
			failed++;
		} else {
			printf("ok %u - %s%s%s%s\n", first + i + 1, ut_prefix, tests[i].name,
			       cur.skipped ? " # SKIP " : "", cur.skipped ? cur.why : "");
			(*passed)++;
		}
	}
	return failed;
}
