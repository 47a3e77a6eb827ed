/* Basic kernel types. Freestanding: only the compiler's own headers. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t; /* physical address */
typedef uint64_t vaddr_t; /* virtual address */
typedef uint64_t cptr_t;  /* capability address in a CSpace */

#define PAGE_SIZE 4096ull
#define LARGE_PAGE_SIZE (2ull << 20)
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
/* One load of memory another core (or user space) may change meanwhile:
 * the compiler neither repeats nor tears it. */
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
