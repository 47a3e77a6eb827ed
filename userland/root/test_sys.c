/* System-call basics: registers, debug calls, bad numbers and arguments. */
#include "kstring.h"
#include "suite.h"

/* Fill every general register with a pattern, make a system call, and
 * count the registers that came back changed (rax, rcx, r11 excepted). */
static uint64_t regs_changed_across(uint64_t sysno)
{
	uint64_t changed = sysno;

	__asm__ volatile(
		"push %%rbp\n\t"
		"mov $0x1111111111111111, %%rbx\n\t"
		"mov $0x2222222222222222, %%rdx\n\t"
		"mov $0x3333333333333333, %%rsi\n\t"
		"mov $0x4444444444444444, %%rdi\n\t"
		"mov $0x5555555555555555, %%rbp\n\t"
		"mov $0x8888888888888888, %%r8\n\t"
		"mov $0x9999999999999999, %%r9\n\t"
		"mov $0xAAAAAAAAAAAAAAAA, %%r10\n\t"
		"mov $0xCCCCCCCCCCCCCCCC, %%r12\n\t"
		"mov $0xDDDDDDDDDDDDDDDD, %%r13\n\t"
		"mov $0xEEEEEEEEEEEEEEEE, %%r14\n\t"
		"mov $0xFFFFFFFFFFFFFFFF, %%r15\n\t"
		"syscall\n\t"
		"xor %%eax, %%eax\n\t"
		"mov $0x1111111111111111, %%rcx; cmp %%rcx, %%rbx; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0x2222222222222222, %%rcx; cmp %%rcx, %%rdx; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0x3333333333333333, %%rcx; cmp %%rcx, %%rsi; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0x4444444444444444, %%rcx; cmp %%rcx, %%rdi; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0x5555555555555555, %%rcx; cmp %%rcx, %%rbp; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0x8888888888888888, %%rcx; cmp %%rcx, %%r8; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0x9999999999999999, %%rcx; cmp %%rcx, %%r9; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0xAAAAAAAAAAAAAAAA, %%rcx; cmp %%rcx, %%r10; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0xCCCCCCCCCCCCCCCC, %%rcx; cmp %%rcx, %%r12; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0xDDDDDDDDDDDDDDDD, %%rcx; cmp %%rcx, %%r13; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0xEEEEEEEEEEEEEEEE, %%rcx; cmp %%rcx, %%r14; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"mov $0xFFFFFFFFFFFFFFFF, %%rcx; cmp %%rcx, %%r15; setne %%cl; movzx %%cl, %%rcx; add %%rcx, %%rax\n\t"
		"pop %%rbp\n\t"
		: "+a"(changed)
		:
		: "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14",
		  "r15", "memory", "cc");
	return changed;
}

static void t_regs_yield(void)
{
	EXPECT_EQ(regs_changed_across(SYS_YIELD), 0);
}

static void t_regs_bad_syscall(void)
{
	/* An unknown number fails, and the error path writes only rax, rsi, MR0, MR1. */
	struct ipc_result r = atoll_call6(999, 0, 0, 0, 0, 0, 0, 0);
	EXPECT_EQ(r.err, E_ILLEGAL_OPERATION);
}

/* --- the debug calls need a debug capability (ROOT_DEBUG) -------------- */

#define EDGE_VA 0x6C000000ull /* one mapped page; the next one is not */

/* Every debug call through `dbg` fails with `err`. The exit asks for a
 * failed run, so a kernel that let it through would fail the suite. */
static void expect_no_debug(cptr_t dbg, uint64_t err)
{
	static const char text[] = "# this line must not be printed\n";

	EXPECT_EQ(atoll_debug_puts(dbg, text, sizeof(text) - 1), err);
	EXPECT_EQ(atoll_debug_stats(dbg, 0, false, NULL), err);
	EXPECT_EQ(atoll_debug_stats(dbg, 0, true, NULL), err);
	EXPECT_EQ(atoll_debug_exit(dbg, 1), err);
}

static void t_debug_needs_cap(void)
{
	expect_no_debug(ROOT_NULL, E_FAILED_LOOKUP);
	expect_no_debug(4000, E_FAILED_LOOKUP);             /* an empty slot */
	expect_no_debug(1ull << 40 | ROOT_DEBUG, E_FAILED_LOOKUP); /* guard mismatch */
	expect_no_debug(ROOT_TCB, E_INVALID_CAPABILITY);    /* another type */
	expect_no_debug(ROOT_CNODE, E_INVALID_CAPABILITY);
	expect_no_debug(ROOT_BOOTINFO, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_debug_stats(ROOT_DEBUG, 0, false, NULL), E_OK); /* the real one works */
}

static void t_debug_deleted_or_revoked_cap(void)
{
	cptr_t s = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, s, ROOT_DEBUG, RIGHTS_ALL), E_OK);
	EXPECT_EQ(atoll_debug_puts(s, "", 0), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, s), E_OK);
	expect_no_debug(s, E_FAILED_LOOKUP);
	/* Revoking the original takes every copy, and keeps the original. */
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, s, ROOT_DEBUG, DEBUG_RIGHT_PUTS), E_OK);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ROOT_DEBUG), E_OK);
	expect_no_debug(s, E_FAILED_LOOKUP);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, "", 0), E_OK);
	slot_free(s);
}

static void t_debug_rights(void)
{
	static const char line[] = "# printed through a copy with the write right only\n";
	cptr_t w = slot_alloc(), r = slot_alloc(), rw = slot_alloc();

	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, w, ROOT_DEBUG, DEBUG_RIGHT_PUTS), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, r, ROOT_DEBUG, DEBUG_RIGHT_STATS), E_OK);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, rw, ROOT_DEBUG, DEBUG_RIGHT_STATS | DEBUG_RIGHT_PUTS), E_OK);
	EXPECT_EQ(atoll_debug_puts(w, line, sizeof(line) - 1), E_OK);
	EXPECT_EQ(atoll_debug_stats(w, 0, false, NULL), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_debug_exit(w, 1), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_debug_puts(r, line, sizeof(line) - 1), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_debug_stats(r, 0, false, NULL), E_OK);
	EXPECT_EQ(atoll_debug_stats(r, 0, true, NULL), E_INVALID_CAPABILITY); /* reset: write too */
	EXPECT_EQ(atoll_debug_exit(rw, 1), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_debug_stats(rw, 0, true, NULL), E_OK);
	EXPECT_EQ(atoll_debug_stats(rw, suite_bi->core_count, false, NULL), E_RANGE_ERROR);
	EXPECT_EQ(atoll_debug_stats(rw, ~0ull, true, NULL), E_RANGE_ERROR);
	/* Not badged: a mint with a badge is refused, one without is a copy. */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, w), E_OK);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, w, ROOT_DEBUG, RIGHTS_ALL, 5), E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, w, ROOT_DEBUG, DEBUG_RIGHT_PUTS, 0), E_OK);
	EXPECT_EQ(atoll_debug_puts(w, "", 0), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, w), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, r), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, rw), E_OK);
	slot_free(w);
	slot_free(r);
	slot_free(rw);
}

/* MR2 flags: DEBUG_PUTS_SERIAL_ONLY prints to the serial line (the line
 * below is in the serial log, not on the screen); any other bit is refused
 * before anything is printed; the write right is needed all the same. */
static void t_debug_puts_flags(void)
{
	static const char line[] = "# serial only: printed with DEBUG_PUTS_SERIAL_ONLY\n";
	static const char bad[] = "# this line must not be printed (bad flags)\n";
	cptr_t r = slot_alloc();

	EXPECT_EQ(atoll_debug_puts_flags(ROOT_DEBUG, line, sizeof(line) - 1, DEBUG_PUTS_SERIAL_ONLY), E_OK);
	EXPECT_EQ(atoll_debug_puts_flags(ROOT_DEBUG, bad, sizeof(bad) - 1, 2), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_debug_puts_flags(ROOT_DEBUG, bad, sizeof(bad) - 1, 1ull << 63), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_debug_puts_flags(ROOT_DEBUG, bad, sizeof(bad) - 1, ~0ull), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_debug_puts_flags(ROOT_DEBUG, bad, DEBUG_PUTS_MAX + 1, DEBUG_PUTS_SERIAL_ONLY),
		  E_RANGE_ERROR);
	EXPECT_EQ(atoll_debug_puts_flags(ROOT_DEBUG, (const char *)0x7000000000ull, 16, DEBUG_PUTS_SERIAL_ONLY),
		  E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_cnode_copy(ROOT_CNODE, r, ROOT_DEBUG, DEBUG_RIGHT_STATS), E_OK);
	EXPECT_EQ(atoll_debug_puts_flags(r, bad, sizeof(bad) - 1, DEBUG_PUTS_SERIAL_ONLY), E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, r), E_OK);
	slot_free(r);
	EXPECT_EQ(puts_serial("", 0), E_OK);
}

static void t_debug_puts_bad_pointer(void)
{
	char *edge = (char *)(uintptr_t)(EDGE_VA + 4096 - 7);

	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, (const char *)0x7000000000ull, 16), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, (const char *)0xFFFF800000000000ull, 16), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, (const char *)0x0000800000000000ull, 16), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, "", 0), E_OK);
	/* Text running off its page: refused whole (read before printing). */
	REQUIRE_OK(page_alloc_at(EDGE_VA) ? E_OK : E_NOT_ENOUGH_MEMORY);
	memcpy(edge, "# edge\n", 7);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, edge, 16), E_INVALID_ARGUMENT);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, edge, 7), E_OK);
}

static void t_debug_puts_bounded(void)
{
	static char text[DEBUG_PUTS_MAX + 64], lines[4 * 150];

	/* One line exactly as long as a call may be, and one byte more. */
	for (unsigned i = 0; i < sizeof(text); i++)
		text[i] = i == 0 ? '#' : i == DEBUG_PUTS_MAX - 1 ? '\n' : '.';
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, text, DEBUG_PUTS_MAX), E_OK);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, text, DEBUG_PUTS_MAX + 1), E_RANGE_ERROR);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, text, 1u << 20), E_RANGE_ERROR);
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, text, ~0ull), E_RANGE_ERROR);
	/* Longer text: the runtime splits it, at line ends. */
	for (unsigned i = 0; i < sizeof(lines); i++)
		lines[i] = i % 150 == 0 ? '#' : i % 150 == 149 ? '\n' : '-';
	EXPECT_EQ(puts_raw(lines, sizeof(lines)), E_OK);
}

static void t_lookup_empty_slot(void)
{
	struct ipc_result r = atoll_ipc_send(4000, 0, 0, 0, 0, 0);
	EXPECT_EQ(r.err, E_FAILED_LOOKUP);
	EXPECT_EQ(r.mr[0], LOOKUP_MISSING_CAP);
}

static void t_lookup_guard_mismatch(void)
{
	/* The root CNode's guard is 52 zero bits: any high bit is a mismatch. */
	struct ipc_result r = atoll_ipc_send(1ull << 40 | ROOT_TCB, 0, 0, 0, 0, 0);
	EXPECT_EQ(r.err, E_FAILED_LOOKUP);
	EXPECT_EQ(r.mr[0], LOOKUP_GUARD_MISMATCH);
}

static void t_invoke_wrong_label(void)
{
	EXPECT_EQ(atoll_invoke(ROOT_TCB, INV_UNTYPED_RETYPE, 5, 0, 0, 0, 0).err, E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_invoke(ROOT_CNODE, 12345, 1, 0, 0, 0, 0).err, E_ILLEGAL_OPERATION);
	EXPECT_EQ(atoll_invoke(ROOT_VSPACE, INV_FRAME_MAP, 4, 0, 0, 0, 0).err, E_ILLEGAL_OPERATION);
}

static void t_invoke_truncated(void)
{
	EXPECT_EQ(atoll_invoke(suite_bi->untyped_first, INV_UNTYPED_RETYPE, 2, OBJ_ENDPOINT, 0, 0, 0).err,
		  E_TRUNCATED_MESSAGE);
	EXPECT_EQ(atoll_invoke(ROOT_CNODE, INV_CNODE_COPY, 1, 100, 0, 0, 0).err, E_TRUNCATED_MESSAGE);
}

static void t_recv_on_non_endpoint(void)
{
	EXPECT_EQ(atoll_ipc_recv(ROOT_TCB, 0).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_ntfn_wait(ROOT_CNODE).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(atoll_ntfn_signal(ROOT_TCB), E_INVALID_CAPABILITY);
}

const struct utest sys_tests[] = {
	{ "registers preserved across a system call", t_regs_yield },
	{ "unknown system call number fails cleanly", t_regs_bad_syscall },
	{ "debug calls without a debug capability, or with another type, fail", t_debug_needs_cap },
	{ "debug calls through a deleted or revoked copy fail", t_debug_deleted_or_revoked_cap },
	{ "each debug call needs its right of the debug capability", t_debug_rights },
	{ "debug output rejects bad pointers, and text that runs off its page", t_debug_puts_bad_pointer },
	{ "debug output to the serial line only; unknown flags are refused", t_debug_puts_flags },
	{ "debug output: at most 512 bytes a call; the runtime splits longer text", t_debug_puts_bounded },
	{ "lookup of an empty slot: missing capability", t_lookup_empty_slot },
	{ "lookup with wrong guard bits: guard mismatch", t_lookup_guard_mismatch },
	{ "invocation with a label of another type fails", t_invoke_wrong_label },
	{ "invocation with too few arguments: truncated message", t_invoke_truncated },
	{ "receive or wait on a non-IPC capability fails", t_recv_on_non_endpoint },
};
const unsigned sys_tests_count = sizeof(sys_tests) / sizeof(sys_tests[0]);
