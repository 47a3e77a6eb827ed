/*
 * The kernel's entry and exit paths against hostile user contexts: SYSCALL
 * from 32-bit compatibility mode, SYSENTER, INT n for every n, and register
 * values (TCB_WriteRegisters, also from a fault handler) that the CPU would
 * refuse on the way back or that would raise a thread's privilege. Each
 * case ends with the kernel alive and the thread's fault handler told.
 * Compatibility mode exists only with compat32=on (docs/kernel.md); without
 * it the far jump into it is itself the fault.
 */
#include "kstring.h"
#include "suite.h"

#define FAULT_VM 1
#define FAULT_EXCEPTION 2
#define USER_TOP ABI_USER_TOP /* abi/abi.h */
#define SEL_UCODE32 0x18
#define RFLAGS_KEPT 0x244DD5ull /* CF PF AF ZF SF TF DF OF NT AC ID */
#define RFLAGS_IF 0x200ull
#define HIGH_VA 0x0000700000000000ull /* above 4 GiB, canonical, never mapped here */

static volatile uint64_t reached;

/* A thread with its own fault endpoint and the reply object its handler
 * (the root task, at a higher priority) answers faults with. */
struct victim {
	struct uthread th;
	cptr_t ep, reply;
};

static uint64_t victim_start(struct victim *v, void (*fn)(uint64_t))
{
	v->ep = new_obj(OBJ_ENDPOINT, 0);
	v->reply = new_obj(OBJ_REPLY, 0);
	if (!v->ep || !v->reply)
		return E_NOT_ENOUGH_MEMORY;
	return thread_create_ex(&v->th, fn, 0, 10, v->ep, true);
}

static struct ipc_result victim_fault(struct victim *v)
{
	return atoll_ipc_recv(v->ep, v->reply);
}

/* Write the victim's rip, rsp and rflags (the rest as they are) and answer
 * its fault, so it resumes there. */
static uint64_t victim_resume_at(struct victim *v, uint64_t rip, uint64_t rflags)
{
	uint64_t regs[REG_COUNT], e;

	if ((e = atoll_tcb_read_registers(v->th.tcb, regs)))
		return e;
	regs[REG_RIP] = rip;
	regs[REG_RSP] = v->th.area + ABI_THREAD_AREA - 8;
	regs[REG_RFLAGS] = rflags;
	if ((e = atoll_tcb_write_registers(v->th.tcb, false, REG_COUNT, regs)))
		return e;
	return atoll_ipc_reply(v->reply, 0, 0, 0, 0, 0).err;
}

/* Where a victim ends: it says so, then faults (#UD) for good; the handler
 * takes that last fault and suspends it. */
static void victim_end_fn(void)
{
	reached = 1;
	for (;;)
		__asm__ volatile("ud2");
}

static void victim_finish(struct victim *v)
{
	struct ipc_result r;

	EXPECT_EQ(victim_resume_at(v, (uintptr_t)victim_end_fn, 0x202), E_OK);
	r = victim_fault(v);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(r.mr[2], 6);
	EXPECT_EQ(reached, 1);
	EXPECT_EQ(atoll_tcb_suspend(v->th.tcb), E_OK);
}

static bool compat32(void)
{
	return cmdline_has(suite_bi->cmdline, "compat32=on");
}

/* --- 32-bit compatibility mode ------------------------------------------- */

/* A far jump to the 32-bit user code selector (0x1b), then, in
 * compatibility mode, SYSCALL (or ud2). (A jump through memory, not LRETQ:
 * QEMU 7.2's TCG reads LRETQ's stack as a supervisor access, which SMAP
 * refuses, so the far return page-faults there.) */
void compat_syscall_fn(uint64_t unused);
void compat_ud_fn(uint64_t unused);
extern char compat_far_syscall[], compat_far_ud[], compat_syscall_insn[], compat_ud_insn[];
__asm__(".pushsection .text\n"
	".globl compat_syscall_fn, compat_ud_fn\n"
	"compat_syscall_fn:\n"
	"compat_far_syscall:\n"
	"	ljmpl *1f(%rip)\n"
	"1:	.long 2f\n"
	"	.word 0x1b\n"
	".code32\n"
	"2:	movl $0x5eed, %eax\n"
	"compat_syscall_insn:\n"
	"	syscall\n"
	"	ud2\n"
	".code64\n"
	"compat_ud_fn:\n"
	"compat_far_ud:\n"
	"	ljmpl *1f(%rip)\n"
	"1:	.long compat_ud_insn\n"
	"	.word 0x1b\n"
	".code32\n"
	"compat_ud_insn:\n"
	"	ud2\n"
	".code64\n"
	".popsection\n");

/* Without compat32 the far jump is a #GP naming selector 0x18. */
static void expect_no_compat_mode(struct ipc_result r, char *far)
{
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(r.mr[0], (uintptr_t)far);
	EXPECT_EQ(r.mr[2], 13);
	EXPECT_EQ(r.mr[3], SEL_UCODE32);
}

/* On AMD CPUs (and in Bochs and QEMU whatever the vendor) SYSCALL in
 * compatibility mode enters at MSR_CSTAR; Intel CPUs raise #UD. Atoll makes
 * it a #UD fault of the thread at the SYSCALL, every time it runs it. */
static void t_compat_syscall(void)
{
	struct victim v;
	struct ipc_result r;

	reached = 0;
	REQUIRE_OK(victim_start(&v, compat_syscall_fn));
	r = victim_fault(&v);
	if (!compat32()) {
		expect_no_compat_mode(r, compat_far_syscall);
	} else {
		for (int i = 0; i < 2; i++) { /* answered unchanged, it runs the SYSCALL again */
			EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
			EXPECT_EQ(r.mr[0], (uintptr_t)compat_syscall_insn);
			EXPECT_EQ(r.mr[2], 6);
			EXPECT_EQ(r.mr[3], 0);
			EXPECT_EQ(r.mr[1] >> 32, 0); /* ESP, zero-extended */
			EXPECT(r.mr[1] > v.th.area && r.mr[1] <= v.th.area + ABI_THREAD_AREA);
			if (i == 0) {
				EXPECT_EQ(atoll_ipc_reply(v.reply, 0, 0, 0, 0, 0).err, E_OK);
				r = victim_fault(&v);
			}
		}
	}
	victim_finish(&v);
}

/* A thread in compatibility mode given a RIP above 4 GiB. Kept in
 * compatibility mode, the IRETQ would either drop the upper half (Bochs and
 * QEMU do: the thread ran at HIGH_VA & 0xffffffff) or, by the letter of the
 * SDM's limit check, refuse it with a #GP in ring 0. New registers make a
 * 64-bit context, so the thread runs (page-faults) at exactly that address. */
static void t_compat_high_rip(void)
{
	struct victim v;
	struct ipc_result r;

	reached = 0;
	REQUIRE_OK(victim_start(&v, compat_ud_fn));
	r = victim_fault(&v);
	if (!compat32()) {
		expect_no_compat_mode(r, compat_far_ud);
		victim_finish(&v);
		ut_skip("no 32-bit code segment (compat32=off): the far jump faults");
		return;
	}
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(r.mr[0], (uintptr_t)compat_ud_insn);
	EXPECT_EQ(r.mr[2], 6);
	EXPECT_EQ(victim_resume_at(&v, HIGH_VA, 0x202), E_OK);
	r = victim_fault(&v);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_VM);
	EXPECT_EQ(r.mr[0], HIGH_VA);
	EXPECT_EQ(r.mr[1], HIGH_VA);
	EXPECT_EQ(r.mr[3] & 0x14, 0x14); /* a user-mode instruction fetch */
	victim_finish(&v);
}

/* --- SYSENTER and INT n --------------------------------------------------- */

void sysenter_fn(uint64_t unused);
extern char sysenter_insn[];
__asm__(".pushsection .text\n"
	".globl sysenter_fn\n"
	"sysenter_fn:\n"
	"sysenter_insn:\n"
	"	sysenter\n"
	"	ud2\n"
	".popsection\n");

/* SYSENTER_CS is zero: #GP(0) (Intel, Bochs) or #UD (AMD in long mode). */
static void t_sysenter(void)
{
	struct victim v;
	struct ipc_result r;

	reached = 0;
	REQUIRE_OK(victim_start(&v, sysenter_fn));
	r = victim_fault(&v);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(r.mr[0], (uintptr_t)sysenter_insn);
	EXPECT(r.mr[2] == 13 || r.mr[2] == 6);
	EXPECT_EQ(r.mr[3], 0);
	victim_finish(&v);
}

void wrbase_fn(uint64_t unused);
extern char wrgsbase_insn[], wrfsbase_insn[], wrbase_end[];
__asm__(".pushsection .text\n"
	".globl wrbase_fn\n"
	"wrbase_fn:\n"
	"	movabsq $0xffff800000000000, %rax\n"
	"wrgsbase_insn:\n"
	"	wrgsbase %rax\n"
	"wrfsbase_insn:\n"
	"	wrfsbase %rax\n"
	"wrbase_end:\n"
	"	ud2\n"
	".popsection\n");

/* CR4.FSGSBASE is off: WRGSBASE and WRFSBASE are #UD, so a thread cannot
 * aim the GS base (which SWAPGS exchanges with the kernel's) anywhere. */
static void t_fsgsbase(void)
{
	struct victim v;
	struct ipc_result r;

	reached = 0;
	REQUIRE_OK(victim_start(&v, wrbase_fn));
	r = victim_fault(&v);
	EXPECT_EQ(r.mr[0], (uintptr_t)wrgsbase_insn);
	EXPECT_EQ(r.mr[2], 6);
	EXPECT_EQ(victim_resume_at(&v, (uintptr_t)wrfsbase_insn, 0x202), E_OK);
	r = victim_fault(&v);
	EXPECT_EQ(r.mr[0], (uintptr_t)wrfsbase_insn);
	EXPECT_EQ(r.mr[2], 6);
	victim_finish(&v);
}

/* `int $n` for n = 0..255 (two bytes each), then ICEBP, then ud2. */
void int_all_fn(uint64_t unused);
extern char int_table[], int_icebp[], int_end[];
__asm__(".pushsection .text\n"
	".globl int_all_fn\n"
	"int_all_fn:\n"
	"int_table:\n"
	"	.set n, 0\n"
	"	.rept 256\n"
	"	.byte 0xcd, n\n"
	"	.set n, n + 1\n"
	"	.endr\n"
	"int_icebp:\n"
	"	.byte 0xf1\n"
	"int_end:\n"
	"	ud2\n"
	".popsection\n");

/* Only the breakpoint gate (3) is open to user mode: every other INT n is a
 * #GP whose error code names the IDT entry (n * 8 + 2), however the kernel
 * uses that vector (exceptions with error codes, IST ones, interrupts);
 * QEMU's TCG reports n * 16 + 2, which is accepted if it does so for all.
 * ICEBP raises #DB without the gate check (a trap on hardware and Bochs;
 * QEMU 7.2's TCG raises #UD at it). */
static void t_int_n_all(void)
{
	struct victim v;
	struct ipc_result r;
	unsigned bad = 0, qemu_err = 0;

	reached = 0;
	REQUIRE_OK(victim_start(&v, int_all_fn));
	for (unsigned n = 0; n < 256; n++) {
		uint64_t at = (uintptr_t)int_table + 2 * n;
		uint64_t want_rip = n == 3 ? at + 2 : at, want_vec = n == 3 ? 3 : 13;
		uint64_t want_err = n == 3 ? 0 : n * 8 + 2;
		r = victim_fault(&v);
		if (n != 3 && n != 0 && r.mr[3] == n * 16 + 2) {
			qemu_err++; /* QEMU's TCG counts 16-byte gates: n * 16 + 2 */
			want_err = r.mr[3];
		}
		if (MSGINFO_LABEL(r.info) != FAULT_EXCEPTION || r.mr[0] != want_rip || r.mr[2] != want_vec ||
		    r.mr[3] != want_err) {
			if (bad++ < 4)
				printf("# int $%u: label %llu rip %#llx vector %llu error %#llx\n", n,
				       (unsigned long long)MSGINFO_LABEL(r.info), (unsigned long long)r.mr[0],
				       (unsigned long long)r.mr[2], (unsigned long long)r.mr[3]);
			if (MSGINFO_LABEL(r.info) != FAULT_EXCEPTION)
				break;
		}
		if (victim_resume_at(&v, at + 2, 0x202) != E_OK)
			break;
	}
	EXPECT_EQ(bad, 0);
	EXPECT(qemu_err == 0 || qemu_err == 254); /* one convention throughout */
	r = victim_fault(&v);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT((r.mr[2] == 1 && (r.mr[0] == (uintptr_t)int_end || r.mr[0] == (uintptr_t)int_icebp)) ||
	       (r.mr[2] == 13 && r.mr[0] == (uintptr_t)int_icebp && r.mr[3] == 1 * 8 + 2) ||
	       (r.mr[2] == 6 && r.mr[0] == (uintptr_t)int_icebp));
	EXPECT_EQ(victim_resume_at(&v, (uintptr_t)int_end, 0x202), E_OK);
	r = victim_fault(&v);
	EXPECT_EQ(r.mr[0], (uintptr_t)int_end);
	EXPECT_EQ(r.mr[2], 6);
	victim_finish(&v);
}

/* --- TCB_WriteRegisters ---------------------------------------------------- */

/* WriteRegisters of n registers from regs; the error, and the detail word. */
static uint64_t write_regs(cptr_t tcb, unsigned n, const uint64_t *regs, uint64_t *detail)
{
	struct ipc_result r;

	for (unsigned i = 0; i < n; i++)
		atoll_ipcbuf->mr[2 + i] = regs[i];
	r = atoll_invoke(tcb, INV_TCB_WRITE_REGISTERS, 2 + n, 0, n, 0, 0);
	*detail = r.mr[0];
	return r.err;
}

static void idle_fn(uint64_t unused) {}

static const uint64_t bad_addrs[] = {
	USER_TOP,                /* the last user page: SYSRET would be unsafe at its end */
	0x00007FFFFFFFFFFFull,   /* the last user byte */
	0x0000800000000000ull,   /* the first non-canonical address */
	0x8000000000000000ull,
	0xFFFF800000000000ull,   /* the kernel half: canonical */
	0xFFFFFFFF80000000ull,   /* the kernel image */
	~0ull,
};

/* A RIP or RSP that is not a user address is refused with
 * E_INVALID_ARGUMENT naming its message word (2 rip, 3 rsp), and nothing is
 * written, not even the registers before it. */
static void t_write_registers_bad_addresses(void)
{
	struct uthread th;
	uint64_t before[REG_COUNT], after[REG_COUNT], regs[REG_COUNT], detail;
	unsigned bad = 0;

	REQUIRE_OK(thread_create_suspended(&th, idle_fn, 0, 10));
	REQUIRE_OK(atoll_tcb_read_registers(th.tcb, before));
	for (unsigned i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		for (unsigned which = REG_RIP; which <= REG_RSP; which++) {
			memcpy(regs, before, sizeof(regs));
			regs[REG_RIP] = 0x1000000;
			regs[REG_RSP] = 0x2000000;
			regs[REG_RAX] = 0xBAD;
			regs[which] = bad_addrs[i];
			uint64_t e = write_regs(th.tcb, REG_COUNT, regs, &detail);
			if (e != E_INVALID_ARGUMENT || detail != 2 + which) {
				if (bad++ < 4)
					printf("# %s %#llx: error %llu detail %llu\n", which ? "rsp" : "rip",
					       (unsigned long long)bad_addrs[i], (unsigned long long)e,
					       (unsigned long long)detail);
			}
			REQUIRE_OK(atoll_tcb_read_registers(th.tcb, after));
			if (memcmp(before, after, sizeof(before)) != 0 && bad++ < 4)
				printf("# a refused write changed registers\n");
		}
	}
	EXPECT_EQ(bad, 0);
	/* The bounds themselves are fine. */
	regs[REG_RIP] = USER_TOP - 1;
	regs[REG_RSP] = 0;
	EXPECT_EQ(write_regs(th.tcb, 2, regs, &detail), E_OK);
	REQUIRE_OK(atoll_tcb_read_registers(th.tcb, after));
	EXPECT_EQ(after[REG_RIP], USER_TOP - 1);
	EXPECT_EQ(after[REG_RSP], 0);
}

static const uint64_t evil_flags[] = {
	0x3000,    /* IOPL 3 */
	0x1000,    /* IOPL 1 */
	0x4000,    /* NT */
	0x10000,   /* RF */
	0x20000,   /* VM */
	0x80000,   /* VIF */
	0x100000,  /* VIP */
	0,         /* IF clear, the always-one bit 1 clear */
	~0ull,     /* everything, reserved bits too */
};

/* RFLAGS is reduced, never refused: the bits ring-3 POPF may change pass,
 * IF is set, IOPL, VM, RF, VIF, VIP and the reserved bits are clear. */
static void t_write_registers_rflags(void)
{
	struct uthread th;
	uint64_t regs[REG_COUNT] = { 0 }, got[REG_COUNT], detail;
	unsigned bad = 0;

	REQUIRE_OK(thread_create_suspended(&th, idle_fn, 0, 10));
	for (unsigned i = 0; i < sizeof(evil_flags) / sizeof(evil_flags[0]); i++) {
		regs[REG_RIP] = 0x1000000;
		regs[REG_RSP] = 0x2000000;
		regs[REG_RFLAGS] = evil_flags[i];
		EXPECT_EQ(write_regs(th.tcb, 3, regs, &detail), E_OK);
		REQUIRE_OK(atoll_tcb_read_registers(th.tcb, got));
		uint64_t want = (evil_flags[i] & RFLAGS_KEPT) | RFLAGS_IF | 2;
		if (got[REG_RFLAGS] != want && bad++ < 4)
			printf("# rflags %#llx became %#llx, not %#llx\n", (unsigned long long)evil_flags[i],
			       (unsigned long long)got[REG_RFLAGS], (unsigned long long)want);
	}
	EXPECT_EQ(bad, 0);
}

/* The flags a thread sees, then two privileged instructions that IOPL 3
 * would allow: each must be a #GP. */
static volatile uint64_t flags_seen;
extern char flags_cli[], flags_in[], flags_end[];
void flags_fn(void);
__asm__(".pushsection .text\n"
	".globl flags_fn\n"
	"flags_fn:\n"
	"	pushfq\n"
	"	popq %rax\n"
	"	movq %rax, flags_seen(%rip)\n"
	"flags_cli:\n"
	"	cli\n"
	"flags_in:\n"
	"	inb $0x80, %al\n"
	"flags_end:\n"
	"	ud2\n"
	".popsection\n");

/* A fault handler answers with evil registers: a non-canonical RIP is
 * refused and the thread stays where it was; IOPL 3 (and VM, RF, ...) in
 * RFLAGS is dropped, so the thread gets no port I/O and cannot mask
 * interrupts. */
static void t_fault_reply_evil_registers(void)
{
	struct victim v;
	struct ipc_result r;
	uint64_t regs[REG_COUNT], detail;
	const uint64_t evil = ~0ull & ~0x100ull; /* all but TF (that would trap after each instruction) */

	reached = 0;
	flags_seen = 0;
	REQUIRE_OK(victim_start(&v, (void (*)(uint64_t))(uintptr_t)victim_end_fn));
	r = victim_fault(&v); /* its ud2 */
	EXPECT_EQ(r.mr[2], 6);
	reached = 0;
	REQUIRE_OK(atoll_tcb_read_registers(v.th.tcb, regs));
	regs[REG_RIP] = 0x0000800000000000ull;
	EXPECT_EQ(write_regs(v.th.tcb, REG_COUNT, regs, &detail), E_INVALID_ARGUMENT);
	EXPECT_EQ(detail, 2);
	regs[REG_RIP] = 0xFFFF800000001000ull;
	EXPECT_EQ(write_regs(v.th.tcb, REG_COUNT, regs, &detail), E_INVALID_ARGUMENT);
	EXPECT_EQ(victim_resume_at(&v, (uintptr_t)flags_fn, evil), E_OK);
	r = victim_fault(&v);
	EXPECT_EQ(flags_seen, (evil & RFLAGS_KEPT) | RFLAGS_IF | 2);
	EXPECT_EQ(flags_seen & 0x3000, 0); /* IOPL 0 */
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(r.mr[0], (uintptr_t)flags_cli);
	EXPECT_EQ(r.mr[2], 13);
	EXPECT_EQ(victim_resume_at(&v, (uintptr_t)flags_in, 0x202), E_OK);
	r = victim_fault(&v);
	EXPECT_EQ(r.mr[0], (uintptr_t)flags_in);
	EXPECT_EQ(r.mr[2], 13);
	EXPECT_EQ(victim_resume_at(&v, (uintptr_t)flags_end, 0x202), E_OK);
	r = victim_fault(&v);
	EXPECT_EQ(r.mr[0], (uintptr_t)flags_end);
	EXPECT_EQ(r.mr[2], 6);
	victim_finish(&v);
}

/* --- read once ---------------------------------------------------------------- */

/* While the root task calls WriteRegisters(rip only) over and over, a
 * thread on another core flips that message word between a good and a
 * non-canonical value. The kernel must check and use one copy: every call
 * either fails or writes the good value. */
#define FLIP_GOOD 0x1000000ull
#define FLIP_BAD 0x8000000000000000ull
#define FLIP_CALLS 20000
static volatile uint64_t flip_stop, flip_started;

static void flipper_fn(uint64_t buf)
{
	volatile uint64_t *w = &((struct ipc_buffer *)(uintptr_t)buf)->mr[2];

	do {
		*w = FLIP_BAD;
		*w = FLIP_GOOD;
		flip_started = 1;
	} while (!flip_stop);
}

static void t_write_registers_read_once(void)
{
	struct uthread victim, flipper;
	struct ipc_result r;
	unsigned ok = 0, refused = 0, wrong = 0;

	if (suite_bi->core_count < 2) {
		ut_skip("one core in this cluster: no other core to rewrite the buffer");
		return;
	}
	flip_stop = flip_started = 0;
	REQUIRE_OK(thread_create_suspended(&victim, idle_fn, 0, 10));
	REQUIRE_OK(thread_create_suspended(&flipper, flipper_fn, (uintptr_t)atoll_ipcbuf, 10));
	atoll_ipcbuf->mr[2] = FLIP_GOOD; /* (creating the flipper wrote its own rip there) */
	REQUIRE_OK(atoll_invoke(victim.tcb, INV_TCB_WRITE_REGISTERS, 3, 0, 1, 0, 0).err);
	REQUIRE_OK(atoll_tcb_set_affinity(flipper.tcb, 1));
	REQUIRE_OK(atoll_tcb_resume(flipper.tcb));
	while (!flip_started)
		atoll_yield();
	for (unsigned i = 0; i < FLIP_CALLS; i++) {
		r = atoll_invoke(victim.tcb, INV_TCB_WRITE_REGISTERS, 3, 0, 1, 0, 0);
		if (r.err == E_OK)
			ok++;
		else
			refused++;
		r = atoll_invoke(victim.tcb, INV_TCB_READ_REGISTERS, 0, 0, 0, 0, 0);
		if (r.err != E_OK || r.mr[0] != FLIP_GOOD) {
			if (wrong++ < 4)
				printf("# read once: call %u: error %llu, rip %#llx\n", i, (unsigned long long)r.err,
				       (unsigned long long)r.mr[0]);
		}
	}
	flip_stop = 1;
	EXPECT_EQ(atoll_tcb_suspend(flipper.tcb), E_OK);
	printf("# read once: %u written, %u refused, %u with another value\n", ok, refused, wrong);
	EXPECT_EQ(wrong, 0);
	EXPECT_EQ(ok + refused, FLIP_CALLS);
}

const struct utest entry_tests[] = {
	{ "SYSCALL from compatibility mode is a #UD fault of the thread", t_compat_syscall },
	{ "RIP above 4 GiB for a thread in compatibility mode: a user page fault", t_compat_high_rip },
	{ "SYSENTER from user mode is a fault of the thread", t_sysenter },
	{ "WRGSBASE and WRFSBASE from user mode are #UD", t_fsgsbase },
	{ "INT n for every n: #BP for 3, #GP naming the gate for the others", t_int_n_all },
	{ "WriteRegisters refuses a RIP or RSP outside user space, writes nothing", t_write_registers_bad_addresses },
	{ "WriteRegisters reduces RFLAGS to what user mode may hold", t_write_registers_rflags },
	{ "fault reply with evil registers: refused or reduced; no IOPL", t_fault_reply_evil_registers },
	{ "WriteRegisters reads its message words once", t_write_registers_read_once },
};
const unsigned entry_tests_count = sizeof(entry_tests) / sizeof(entry_tests[0]);
