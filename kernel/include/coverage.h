/* Coverage builds (make coverage, docs/coverage.md): the kernel's gcov
 * counters are handed to the host at the end of a run. */
#pragma once

/* Prints every object file's counters on COM1 as framed hex .gcda images
 * (kernel/lib/coverage.c), once per machine whichever core and cluster ends
 * the run. Called by arch_exit before it stops the machine. Weak: only the
 * coverage build links kernel/lib/coverage.c, so in the normal kernel the
 * symbol is null and nothing is called. */
void coverage_dump(void) __attribute__((weak));
