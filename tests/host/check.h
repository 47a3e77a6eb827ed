/* Minimal host unit-test helpers: CHECK keeps going and counts failures;
 * main() ends with check_summary(), which prints "N passed, M failed". */
#pragma once
#include <stdio.h>
#include <stdlib.h>

static unsigned check_pass, check_fail;

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (cond) {                                                         \
			check_pass++;                                               \
		} else {                                                            \
			check_fail++;                                               \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
				#cond);                                             \
		}                                                                   \
	} while (0)

static inline int check_summary(const char *name)
{
	printf("%s: %u passed, %u failed\n", name, check_pass, check_fail);
	return check_fail ? 1 : 0;
}
