/*
 * bench_ipc: the root task of the benchmark ISO (`make bench`, or the
 * bare-metal GRUB entry). The kernel command line says what to run and
 * which unit the timestamps are in: bench=ipc-icount (QEMU -icount: retired
 * instructions) or bench=ipc-tsc (real hardware: TSC cycles), the guest
 * cannot tell; bench=xcluster-icount or xcluster-tsc: the cross-cluster
 * cases (bench/xcluster.c), with two clusters of one core.
 */
#include "ipc_bench.h"
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

/* bench=ipc-icount, ipc-tsc or ipc (tsc); xcluster-icount, xcluster-tsc or
 * xcluster (tsc). False for anything else. */
static bool parse_mode(const char *cmd, bool *icount, bool *xcluster)
{
	size_t len = 0;
	const char *v = cmdline_value(cmd, "bench=", &len);

	*icount = value_is(v, len, "ipc-icount") || value_is(v, len, "xcluster-icount");
	*xcluster = value_is(v, len, "xcluster-icount") || value_is(v, len, "xcluster-tsc") ||
		    value_is(v, len, "xcluster");
	return *icount || *xcluster || value_is(v, len, "ipc-tsc") || value_is(v, len, "ipc");
}

int main(struct abi_bootinfo *bi)
{
	static struct bench_run run;

	if (bi->magic != ABI_BOOTINFO_MAGIC) {
		printf("bench: bad boot information magic\n");
		return 1;
	}
	bool xcluster;

	if (!parse_mode(bi->cmdline, &run.icount, &xcluster)) {
		printf("bench: the command line needs bench=ipc-icount (QEMU icount), bench=ipc-tsc, "
		       "bench=xcluster-icount or bench=xcluster-tsc\n");
		return 1;
	}
	bench_rdtscp = (bi->cpu_features & ABI_CPU_RDTSCP) != 0;
	if (xcluster) {
		bench_xcluster(bi, run.icount);
		atoll_exit(0);
	}
	if (bi->cluster_count > 1) {
		printf("bench: the IPC cases want one cluster (cluster_size=all); this is cluster %u of %u\n",
		       bi->cluster_id, bi->cluster_count);
		return 1;
	}
	alloc_init(bi);
	process_init(bi);
	run.tsc_hz = bi->tsc_hz;
	run.cpu_brand = atoll_cpu_brand(bi);
	run.cores = bi->core_count;
	printf("bench: IPC benchmarks on %s, TSC %llu kHz, end timestamp by %s; unit: %s\n", run.cpu_brand,
	       (unsigned long long)(bi->tsc_hz / 1000), bench_rdtscp ? "rdtscp" : "lfence;rdtsc",
	       run.icount ? "icount instructions (QEMU -icount shift=0: TSC = retired instructions)"
			  : "TSC cycles");
	bench_run_all(&run);
	bench_print_report(&run); /* its last lines stay on a 25-line screen */
	atoll_exit(0);
}
