/*
 * Small freestanding printf: %d %i %u %x %X %o %p %s %c %%, flags '-' '0'
 * '+' ' ' '#', width and precision (also '*'), length h hh l ll z t j.
 * Output is always NUL-terminated when n > 0; returns the length the full
 * output would have (as C99 snprintf). Pure C, host-tested against libc.
 */
#pragma once
#include "types.h"

int kvsnprintf(char *buf, size_t n, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t n, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Formatted output through a sink, in chunks; used by kprintf. */
typedef void (*kputs_fn)(void *ctx, const char *s, size_t len);
int kvprintf_sink(kputs_fn out, void *ctx, const char *fmt, va_list ap);
