/*
 * Coverage runtime: hands GCC's arc counters to the host (coverage builds
 * only, make coverage; docs/coverage.md).
 *
 * The kernel's C files are compiled with -fprofile-arcs
 * -fprofile-info-section -fprofile-update=atomic -fdata-sections. The
 * compiler then emits, per object file, a struct gcov_info (in .data, the
 * same in every cluster's copy), a pointer to it in section .gcov_info
 * (bracketed by __gcov_info_start/end in the linker script) and its counter
 * arrays in .bss.__gcov0.*, which the linker script places in .kshared: one
 * table for the whole machine, which every core of every cluster updates
 * with atomic adds, so no cluster writes counters anywhere but in the shared
 * section every cluster maps, and nothing needs merging.
 *
 * At the end of a run (arch_exit) libgcov's __gcov_info_to_gcda turns each
 * gcov_info into the bytes of its .gcda file, and this file prints them on
 * COM1, holding the console so no other core's output lands inside:
 *
 *     gcov: begin <objects>
 *     gcov: file <path of the .gcda>
 *     gcov: data <hex, at most 32 bytes>      (repeated)
 *     gcov: end <bytes> <crc32>
 *     gcov: done <objects>
 *
 * scripts/covdump.py checks the frames and writes the .gcda files back.
 * This file is not instrumented itself (kernel/CMakeLists.txt).
 */
#include "arch/arch.h"
#include "console.h"
#include "coverage.h"
#include "kstring.h"
#include "layout.h"
#include "panic.h"

#define DATA_PER_LINE 32

struct gcov_info;

/* libgcov (GCC's gcov.h, declared here because -nostdinc hides it). */
void __gcov_info_to_gcda(const struct gcov_info *info, void (*filename_fn)(const char *, void *),
			 void (*dump_fn)(const void *, unsigned, void *),
			 void *(*allocate_fn)(unsigned, void *), void *arg);

/* Linker script: the array of gcov_info pointers. */
extern const struct gcov_info *const __gcov_info_start[], *const __gcov_info_end[];

/* Whether the dump has been printed; read and set under the console lock,
 * which every cluster shares, so one run prints it once. */
static bool dump_started KSHARED;

/* One object file's stream as it is printed. */
struct gcda_out {
	uint8_t line[DATA_PER_LINE];
	unsigned fill;
	uint64_t bytes;
	uint32_t crc;
};

static void out(const char *s)
{
	arch_serial_write(s, strlen(s));
}

static void out_hex(uint64_t v, int digits)
{
	static const char hex[] = "0123456789abcdef";
	char buf[16];

	for (int i = digits - 1; i >= 0; i--, v >>= 4)
		buf[i] = hex[v & 15];
	arch_serial_write(buf, (size_t)digits);
}

static void out_dec(uint64_t v)
{
	char buf[20];
	int n = 0;

	do
		buf[sizeof buf - 1 - n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	arch_serial_write(buf + sizeof buf - n, (size_t)n);
}

/* CRC-32 (IEEE 802.3, the one zlib and Python's zlib.crc32 compute), bitwise:
 * a table would be 1 KiB of data for a routine run once. */
static uint32_t crc32_update(uint32_t crc, uint8_t byte)
{
	crc ^= byte;
	for (int k = 0; k < 8; k++)
		crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
	return crc;
}

static void flush_line(struct gcda_out *o)
{
	if (o->fill == 0)
		return;
	out("gcov: data ");
	for (unsigned i = 0; i < o->fill; i++)
		out_hex(o->line[i], 2);
	out("\n");
	o->fill = 0;
}

static void filename_cb(const char *name, void *arg)
{
	out("gcov: file ");
	out(name ? name : "(none)");
	out("\n");
}

static void dump_cb(const void *data, unsigned len, void *arg)
{
	struct gcda_out *o = arg;
	const uint8_t *p = data;

	for (unsigned i = 0; i < len; i++) {
		o->crc = crc32_update(o->crc, p[i]);
		o->line[o->fill++] = p[i];
		if (o->fill == DATA_PER_LINE)
			flush_line(o);
	}
	o->bytes += len;
}

/* libgcov allocates only for value-profile (top-N) counters, which arc
 * profiling does not make; the kernel has no heap to give it. */
static void *allocate_cb(unsigned size, void *arg)
{
	return NULL;
}

static void dump_one(const struct gcov_info *info)
{
	struct gcda_out o = { .crc = 0xFFFFFFFFu };

	__gcov_info_to_gcda(info, filename_cb, dump_cb, allocate_cb, &o);
	flush_line(&o);
	out("gcov: end ");
	out_dec(o.bytes);
	out(" ");
	out_hex(o.crc ^ 0xFFFFFFFFu, 8);
	out("\n");
}

void coverage_dump(void)
{
	uint64_t n = (uint64_t)(__gcov_info_end - __gcov_info_start);

	console_lock();
	if (!dump_started) { /* a fault inside the dump re-enters here: skip */
		dump_started = true;
		out("gcov: begin ");
		out_dec(n);
		out("\n");
		for (uint64_t i = 0; i < n; i++)
			dump_one(__gcov_info_start[i]);
		out("gcov: done ");
		out_dec(n);
		out("\n");
	}
	console_unlock();
}

/*
 * What the instrumented objects and libgcov's __gcov_info_to_gcda refer to
 * besides the above. __gcov_merge_add is named in every gcov_info as the
 * merge function of arc counters; only a hosted libgcov merging into an
 * existing .gcda calls it. abort and mmap are reached only for value-profile
 * counters. None of them runs; each says so if it ever does.
 */
void __gcov_merge_add(void *counters, unsigned n);
NORETURN void abort(void);
void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off);

void __gcov_merge_add(void *counters, unsigned n)
{
	panic("coverage: __gcov_merge_add called");
}

NORETURN void abort(void)
{
	panic("coverage: libgcov called abort");
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, long off)
{
	return (void *)-1; /* MAP_FAILED */
}
