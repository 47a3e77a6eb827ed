/* System-call basics: registers, debug calls, bad numbers and arguments. */
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
	struct ipc_result r = sys_call6(999, 0, 0, 0, 0, 0, 0, 0);
	EXPECT_EQ(r.err, E_ILLEGAL_OPERATION);
}

static void t_debug_puts_bad_pointer(void)
{
	EXPECT_EQ(sys_debug_puts((const char *)0x7000000000ull, 16), E_INVALID_ARGUMENT);
	EXPECT_EQ(sys_debug_puts((const char *)0xFFFF800000000000ull, 16), E_INVALID_ARGUMENT);
	EXPECT_EQ(sys_debug_puts("x", 1u << 20), E_RANGE_ERROR);
	EXPECT_EQ(sys_debug_puts("", 0), E_OK);
}

static void t_lookup_empty_slot(void)
{
	struct ipc_result r = ipc_send(4000, 0, 0, 0, 0, 0);
	EXPECT_EQ(r.err, E_FAILED_LOOKUP);
	EXPECT_EQ(r.mr[0], LOOKUP_MISSING_CAP);
}

static void t_lookup_guard_mismatch(void)
{
	/* The root CNode's guard is 52 zero bits: any high bit is a mismatch. */
	struct ipc_result r = ipc_send(1ull << 40 | ROOT_TCB, 0, 0, 0, 0, 0);
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
	EXPECT_EQ(ipc_recv(ROOT_TCB, 0).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(ntfn_wait(ROOT_CNODE).err, E_INVALID_CAPABILITY);
	EXPECT_EQ(ntfn_signal(ROOT_TCB), E_INVALID_CAPABILITY);
}

const struct utest sys_tests[] = {
	{ "registers preserved across a system call", t_regs_yield },
	{ "unknown system call number fails cleanly", t_regs_bad_syscall },
	{ "debug output rejects bad pointers and lengths", t_debug_puts_bad_pointer },
	{ "lookup of an empty slot: missing capability", t_lookup_empty_slot },
	{ "lookup with wrong guard bits: guard mismatch", t_lookup_guard_mismatch },
	{ "invocation with a label of another type fails", t_invoke_wrong_label },
	{ "invocation with too few arguments: truncated message", t_invoke_truncated },
	{ "receive or wait on a non-IPC capability fails", t_recv_on_non_endpoint },
};
const unsigned sys_tests_count = sizeof(sys_tests) / sizeof(sys_tests[0]);
