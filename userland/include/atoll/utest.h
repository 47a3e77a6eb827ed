/* In-guest tests: each test is a function; EXPECT records failures; the
 * runner prints one TAP line per test and the "N passed, M failed" line. */
#pragma once
#include "atoll/atoll.h"

struct utest {
	const char *name;
	void (*fn)(void);
};

#define EXPECT(cond) ut_expect(!!(cond), #cond, __LINE__)
#define EXPECT_EQ(a, b) ut_expect_eq((uint64_t)(a), (uint64_t)(b), #a " == " #b, __LINE__)

/* Stop the current test when a precondition fails (e.g. a helper thread
 * could not be made, so waiting for it would hang the suite). */
#define REQUIRE_OK(expr)                                                   \
	do {                                                               \
		uint64_t e_ = (expr);                                      \
		if (e_ != E_OK) {                                          \
			ut_expect_eq(e_, E_OK, #expr, __LINE__);           \
			return;                                            \
		}                                                          \
	} while (0)

void ut_expect(bool ok, const char *what, int line);
void ut_expect_eq(uint64_t a, uint64_t b, const char *what, int line);
/* Run the tests, numbering them after `first` earlier results; returns the
 * number that failed. */
unsigned ut_run(const struct utest *tests, unsigned n, unsigned first, unsigned *passed);
/* The current test does not apply here: reported as "ok ... # SKIP why". */
void ut_skip(const char *why);
/* Printed before every test name (e.g. "cluster 2: "). */
extern const char *ut_prefix;
