/* The root task: the first user program of a cluster. With test=suite on
 * the kernel command line it runs the in-guest test suite. */
#include "atoll/alloc.h"
#include "kstring.h"
#include "suite.h"

struct abi_bootinfo *suite_bi;

cptr_t new_obj(uint64_t type, uint64_t size_bits)
{
	uint64_t err;
	cptr_t s = obj_alloc(type, size_bits, &err);

	EXPECT_EQ(err, E_OK);
	return s;
}

static bool cmdline_has(const char *cmd, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = cmd; *p; p++)
		if ((p == cmd || p[-1] == ' ') && strncmp(p, word, n) == 0 && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static int run_suite(void)
{
	const struct { const struct utest *t; unsigned n; } tables[] = {
		{ sys_tests, sys_tests_count },
		{ caps_tests, caps_tests_count },
		{ ipc_tests, ipc_tests_count },
		{ fault_tests, fault_tests_count },
		{ process_tests, process_tests_count },
		{ irq_tests, irq_tests_count },
		{ stress_tests, stress_tests_count },
	};
	static struct utest all[256];
	unsigned n = 0, passed, failed;

	for (unsigned i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		for (unsigned j = 0; j < tables[i].n && n < 256; j++)
			all[n++] = tables[i].t[j];
	unsigned kp = suite_bi->ktests_passed, kf = suite_bi->ktests_failed;
	printf("# test suite: kernel objects and IPC (%u tests, after %u kernel self-tests)\n", n, kp + kf);
	failed = ut_run(all, n, kp + kf, &passed);
	printf("%u passed, %u failed\n", passed + kp, failed + kf);
	return failed + kf ? 1 : 0;
}

void demo_run(void);
int main(struct abi_bootinfo *bi);
int main(struct abi_bootinfo *bi)
{
	if (bi->magic != ABI_BOOTINFO_MAGIC) {
		printf("root: bad boot information magic\n");
		return 1;
	}
	suite_bi = bi;
	alloc_init(bi);
	if (bi->cluster_id != 0) {
		printf("root[%u]: cluster %u of %u, cores %u-%u, %u untyped capabilities\n", bi->cluster_id,
		       bi->cluster_id, bi->cluster_count, bi->core_first, bi->core_first + bi->core_count - 1,
		       bi->untyped_count);
		for (;;)
			ntfn_wait(ROOT_XNOTIF);
	}
	printf("root: running in user mode; %u untyped capabilities, free slots %u-%u\n",
	       bi->untyped_count, bi->empty_first, bi->empty_last - 1);
	if (cmdline_has(bi->cmdline, "test=suite"))
		return run_suite();
	demo_run();
	return 0;
}
