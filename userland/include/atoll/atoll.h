/* The user runtime: console output, exit, and the boot information. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "abi/bootinfo.h"
#include "atoll/kapi.h"
#include "atoll/syscall.h"
#include "printf.h"

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* The debug capability the runtime prints and exits with: ROOT_DEBUG, as
 * in a root task; a program given one elsewhere sets it. */
extern cptr_t atoll_debug_cap;
/* len bytes to the console, DEBUG_PUTS_MAX at a time; the first error. */
uint64_t puts_raw(const char *s, size_t len);
/* The same to the serial line only, not the screen (DEBUG_PUTS_SERIAL_ONLY):
 * lines for a program reading the serial log, e.g. a benchmark's BENCH {...}. */
uint64_t puts_serial(const char *s, size_t len);
int printf_serial(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the run with verdict `code` (0 = pass) if atoll_debug_cap allows,
 * else stop the calling program's thread. */
__attribute__((noreturn)) void atoll_exit(long code);
/* The CPU's brand string from the boot information, without the leading
 * spaces Intel pads it with ("unknown CPU" if empty). */
const char *atoll_cpu_brand(const struct abi_bootinfo *bi);
