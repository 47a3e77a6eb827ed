/*
 * hello: the smallest application. It prints, shows its boot information
 * and the capabilities it was started with, checks that what it was not
 * given is out of reach, uses its own memory, and exits with status 0
 * (1 if any check failed). Started with `make run APP=hello`.
 */
#include "atoll/alloc.h"
#include "atoll/app.h"
#include "kstring.h"

static const char *const err_name[E_COUNT] = {
#define X(name, num, doc) [num] = "E_" #name,
#include "abi/errors.def"
#undef X
};

static const char *ename(uint64_t e)
{
	return e < E_COUNT ? err_name[e] : "E_?";
}

static int failures;

/* One refused operation: print it, and count it if the error is not the one expected. */
static void refused(const char *what, uint64_t got, uint64_t want)
{
	printf("hello: %s: %s%s\n", what, ename(got), got == want ? "" : " (UNEXPECTED)");
	failures += got != want;
}

/* Which of the 256 slots hold a capability: SYS_POLL looks the slot up
 * (E_FAILED_LOOKUP when it is empty) and changes nothing. */
static void show_slots(void)
{
	char line[256];
	int n = ksnprintf(line, sizeof(line), "hello: occupied slots:");

	for (uint64_t s = 0; s < 256; s++)
		if (atoll_ntfn_poll(s).err != E_FAILED_LOOKUP)
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %llu", (unsigned long long)s);
	printf("%s\n", line);
}

/* What it was not given: the root task's device and control capabilities
 * (slots 6-8 there), slots past its CNode, the debug rights beyond
 * printing, receiving on the launcher's endpoints, a priority above its
 * MCP, memory beyond its untyped. */
static void check_walls(void)
{
	refused("IRQ control (slot 6 in a root task)", atoll_irq_control_get(ROOT_IRQ_CONTROL, 4, APP_SLOT_CNODE, 40),
		E_FAILED_LOOKUP);
	refused("I/O port control (slot 7 in a root task)",
		atoll_ioport_issue(ROOT_IOPORT_CONTROL, 0x3F8, 0x3FF, APP_SLOT_CNODE, 40), E_FAILED_LOOKUP);
	refused("cross-cluster notification (slot 8 in a root task)", atoll_ntfn_wait(ROOT_XNOTIF).err,
		E_FAILED_LOOKUP);
	refused("cptr 4096, outside its CNode", atoll_ntfn_poll(4096).err, E_FAILED_LOOKUP);
	refused("end the run through its debug capability", atoll_debug_exit(APP_SLOT_DEBUG, 0), E_INVALID_CAPABILITY);
	refused("read the kernel's counters", atoll_debug_stats(APP_SLOT_DEBUG, 0, false, NULL), E_INVALID_CAPABILITY);
	refused("receive on the launcher's endpoint (send right only)", atoll_ipc_nbrecv(APP_SLOT_EXIT, 0).err,
		E_INVALID_CAPABILITY);
	refused("receive on its fault endpoint (send right only)", atoll_ipc_nbrecv(APP_SLOT_FAULT, 0).err,
		E_INVALID_CAPABILITY);
	refused("raise its priority above its MCP (100)", atoll_tcb_set_priority(APP_SLOT_TCB, APP_PRIO + 1),
		E_RANGE_ERROR);
	refused("2 MiB from its 1 MiB untyped",
		atoll_untyped_retype(APP_SLOT_UNTYPED, OBJ_UNTYPED, 21, APP_SLOT_CNODE, 40, 1), E_NOT_ENOUGH_MEMORY);
}

/* Its own memory: a notification signalled and polled, a page mapped and written. */
static void use_memory(struct abi_bootinfo *bi)
{
	uint64_t e;
	cptr_t n, page;

	alloc_init(bi);
	if (!(n = obj_alloc(OBJ_NOTIFICATION, 0, &e)) || (e = atoll_ntfn_signal(n))) {
		refused("make and signal a notification", e, E_OK);
		return;
	}
	struct ipc_result r = atoll_ntfn_poll(n);
	printf("hello: made a notification in slot %llu from its untyped; signalled, polled: %s\n",
	       (unsigned long long)n, ename(r.err));
	failures += r.err != E_OK;
	if (!(page = page_alloc_at(0x40000000))) {
		refused("map a page of its own", E_NOT_ENOUGH_MEMORY, E_OK);
		return;
	}
	*(volatile uint64_t *)0x40000000 = 0x4E110;
	printf("hello: mapped a page at 0x40000000 (frame in slot %llu), wrote and read back %#llx\n",
	       (unsigned long long)page, (unsigned long long)*(volatile uint64_t *)0x40000000);
}

/* Whether the command line holds the word w. */
static bool has_word(const char *cmd, const char *w)
{
	size_t n = strlen(w);

	for (const char *p = cmd; *p; p++)
		if ((p == cmd || p[-1] == ' ') && strncmp(p, w, n) == 0 && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

int main(struct abi_bootinfo *bi)
{
	printf("hello: hello, world, from an application in its own address space\n");
	if (has_word(bi->cmdline, "hello=write-bootinfo")) { /* a test: the page is read-only, so this faults */
		printf("hello: writing to its boot information\n");
		*(volatile uint64_t *)&bi->magic = 0;
		printf("hello: the write went through\n");
		return 1;
	}
	printf("hello: cluster %u, %s, TSC %llu MHz; command line '%s'\n", bi->cluster_id, atoll_cpu_brand(bi),
	       (unsigned long long)(bi->tsc_hz / 1000000), bi->cmdline);
	printf("hello: untyped in slot %u (%u KiB), free slots %u-%u, module '%s' (%llu bytes)\n", bi->untyped_first,
	       bi->untyped_count ? 1u << (bi->untyped[0].size_bits - 10) : 0, bi->empty_first, bi->empty_last - 1,
	       bi->module_count ? bi->modules[0].name : "none",
	       (unsigned long long)(bi->module_count ? bi->modules[0].size : 0));
	show_slots();
	check_walls();
	use_memory(bi);
	printf("hello: %d unexpected results; exiting with status %d\n", failures, failures ? 1 : 0);
	return failures ? 1 : 0;
}
