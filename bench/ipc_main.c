/*
 * bench_ipc: the root task of the benchmark ISO (`make bench`, or the
 * bare-metal GRUB entry). The kernel command line says which unit the
 * timestamps are in: bench=ipc-icount (QEMU -icount: retired instructions)
 * or bench=ipc-tsc (real hardware: TSC cycles); the guest cannot tell.
 */
#include "ipc.h"
#include "kstring.h"

int main(struct abi_bootinfo *bi);

void bench_fail(const char *what, uint64_t err)
{
	printf("bench: %s: error %llu\n", what, (unsigned long long)err);
	atoll_exit(2);
}

/* The value of key `key` (e.g. "bench=") on the command line, or NULL;
 * *len is its length. */
static const char *cmdline_value(const char *cmd, const char *key, size_t *len)
{
	size_t n = strlen(key);

	for (const char *p = cmd; *p; p++)
		if ((p == cmd || p[-1] == ' ') && strncmp(p, key, n) == 0) {
			p += n;
			for (*len = 0; p[*len] && p[*len] != ' '; (*len)++)
				;
			return p;
		}
	return NULL;
}

static bool value_is(const char *v, size_t len, const char *lit)
{
	return v && len == strlen(lit) && strncmp(v, lit, len) == 0;
}

/* bench=ipc-icount or ipc-tsc (plain ipc: tsc). False for anything else. */
static bool parse_unit(const char *cmd, bool *icount)
{
	size_t len = 0;
	const char *v = cmdline_value(cmd, "bench=", &len);

	*icount = value_is(v, len, "ipc-icount");
	return *icount || value_is(v, len, "ipc-tsc") || value_is(v, len, "ipc");
}

/* Intel pads the brand string with leading spaces. */
static const char *brand(const struct abi_bootinfo *bi)
{
	const char *b = bi->cpu_brand;

	while (*b == ' ')
		b++;
	return *b ? b : "unknown CPU";
}

int main(struct abi_bootinfo *bi)
{
	static struct bench_run run;

	if (bi->magic != ABI_BOOTINFO_MAGIC) {
		printf("bench: bad boot information magic\n");
		return 1;
	}
	if (!parse_unit(bi->cmdline, &run.icount)) {
		printf("bench: the command line needs bench=ipc-icount (QEMU icount) or bench=ipc-tsc\n");
		return 1;
	}
	alloc_init(bi);
	process_init(bi);
	bench_rdtscp = (bi->cpu_features & ABI_CPU_RDTSCP) != 0;
	run.tsc_hz = bi->tsc_hz;
	run.cpu_brand = brand(bi);
	printf("bench: IPC benchmarks on %s, TSC %llu kHz, end timestamp by %s; unit: %s\n", run.cpu_brand,
	       (unsigned long long)(bi->tsc_hz / 1000), bench_rdtscp ? "rdtscp" : "lfence;rdtsc",
	       run.icount ? "icount instructions (QEMU -icount shift=0: TSC = retired instructions)"
			  : "TSC cycles");
	bench_run_all(&run);
	bench_print_report(&run); /* its last lines stay on a 25-line screen */
	atoll_exit(0);
}
