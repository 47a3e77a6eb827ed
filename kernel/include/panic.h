/* Stopping the kernel. In a test run (test= on the command line) a stop
 * reports the verdict to the harness; otherwise the core halts. */
#pragma once
#include "types.h"

NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* Called after a fatal trap was reported: the test mode decides whether it
 * was the expected one (test=fault:<kind>) and ends the run accordingly. */
NORETURN void kernel_fatal_trap(uint64_t vector);
