/* The root task: the first user program of a cluster. With test=suite on
 * the kernel command line it runs the in-guest test suite. */
#include "atoll/alloc.h"
#include "kstring.h"
#include "suite.h"
#include "cluster.h"

struct abi_bootinfo *suite_bi;

cptr_t new_obj(uint64_t type, uint64_t size_bits)
{
	uint64_t err;
	cptr_t s = obj_alloc(type, size_bits, &err);

	EXPECT_EQ(err, E_OK);
	return s;
}

bool cmdline_has(const char *cmd, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmd; *p; p++)
		if ((p == cmd || p[-1] == ' ') && strncmp(p, word, n) == 0 && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

/* Every cluster runs the tests of its own kernel; clusters other than 0
 * then report to cluster 0 and serve its cross-cluster tests; cluster 0
 * prints the one summary line for the whole machine and ends the run.
 * With fuzz_only (test=fuzz) every cluster runs only the fuzzer. */
static int run_suite(bool fuzz_only)
{
	const struct { const struct utest *t; unsigned n; } tables[] = {
		{ sys_tests, sys_tests_count },
		{ caps_tests, caps_tests_count },
		{ ipc_tests, ipc_tests_count },
		{ fault_tests, fault_tests_count },
		{ fpu_tests, fpu_tests_count },
		{ process_tests, process_tests_count },
		{ irq_tests, irq_tests_count },
		{ isolation_tests, isolation_tests_count },
		{ hostile_tests, hostile_tests_count },
		{ entry_tests, entry_tests_count },
		{ long_tests, long_tests_count },
		{ fuzz_tests, fuzz_tests_count },
		{ smp_tests, smp_tests_count },
	};
	static struct utest all[256];
	static char prefix[24];
	bool zero = suite_bi->cluster_id == 0;
	unsigned n = 0, passed, failed, xp = 0, xf = 0, op = 0, of = 0;

	for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (unsigned j = 0; j < tables[i].n && n < 256; j++)
			if (tables[i].t != irq_tests && (!fuzz_only || tables[i].t == fuzz_tests))
				all[n++] = tables[i].t[j]; /* devices: cluster 0, after the others */
	unsigned kp = suite_bi->ktests_passed, kf = suite_bi->ktests_failed;
	if (!zero) {
		ksnprintf(prefix, sizeof(prefix), "cluster %u: ", suite_bi->cluster_id);
		ut_prefix = prefix;
		failed = ut_run(all, n, 0, &passed);
		atoll_debug_entry_report(ROOT_DEBUG); /* cluster 0's kernel prints its own when the run ends */
		uint64_t m[CHAN_MSG_WORDS] = { XC_RESULT, passed, failed };
		chan_send(&xc[0], m);
		xc_serve();
		for (;;)
			atoll_ntfn_wait(ROOT_XNOTIF); /* done: nothing more to do here */
	}
	printf("# test suite: kernel objects and IPC (%u tests, after %u kernel self-tests)\n", n, kp + kf);
	failed = ut_run(all, n, kp + kf, &passed);
	if (suite_bi->cluster_count > 1) {
		xc_collect(&op, &of);
		printf("# the other %u clusters: %u passed, %u failed\n", suite_bi->cluster_count - 1, op, of);
		if (!fuzz_only)
			xf = ut_run(xc_tests, xc_tests_count, kp + kf + n, &xp);
		xc_done();
	}
	/* The serial driver writes the UART itself, past the kernel's console
	 * lock: it runs last, when the other clusters are quiet. */
	unsigned ip = 0, fi = fuzz_only ? 0 : ut_run(irq_tests, irq_tests_count, kp + kf + n + xp + xf, &ip);
	printf("%u passed, %u failed\n", passed + kp + xp + op + ip, failed + kf + xf + of + fi);
	return failed + kf + xf + of + fi ? 1 : 0;
}

void demo_run(void);
bool launch_requested(const struct abi_bootinfo *bi, char *name, size_t cap);
int launch_app(const char *name);
int main(struct abi_bootinfo *bi);
int main(struct abi_bootinfo *bi)
{
	if (bi->magic != ABI_BOOTINFO_MAGIC) {
		printf("root: bad boot information magic\n");
		return 1;
	}
	suite_bi = bi;
	alloc_init(bi);
	xc_open(bi);
	if (bi->cluster_id != 0 || bi->cluster_count > 1)
		printf("root[%u]: cluster %u of %u, cores %u-%u, %u untyped capabilities\n", bi->cluster_id,
		       bi->cluster_id, bi->cluster_count, bi->core_first, bi->core_first + bi->core_count - 1,
		       bi->untyped_count);
	printf("root: running in user mode; %u untyped capabilities, free slots %u-%u\n",
	       bi->untyped_count, bi->empty_first, bi->empty_last - 1);
	if (cmdline_has(bi->cmdline, "test=suite"))
		return run_suite(false);
	if (cmdline_has(bi->cmdline, "test=fuzz"))
		return run_suite(true);
	if (bi->cluster_id != 0) { /* answer cluster 0's pings until it is done */
		xc_serve();
		for (;;)
			atoll_ntfn_wait(ROOT_XNOTIF);
	}
	char app[48];
	if (launch_requested(bi, app, sizeof(app))) { /* app=<name>: that program instead of the demo */
		int status = launch_app(app);
		xc_done();
		return status;
	}
	demo_run();
	xc_demo();
	xc_done();
	return 0;
}
