/*
 * Long kernel operations at their worst, each in one system call: deleting
 * an endpoint or a notification that 1024 threads wait on, a chain of 1024
 * CNodes each holding the last capability of the next, retype of 256 PML4s
 * and of 256 TCBs, revoke of their untyped, a console write of 64 lines. Each must give its usual result; those that preempt must have
 * been preempted (the kernel's count, SYS_DEBUG_STATS word 10). Under
 * -icount the boot case boot.longest-entry checks that no kernel entry of
 * the suite, these included, exceeded 100,000 instructions
 * (docs/kernel.md, "Bounded kernel entries").
 */
#include "kstring.h"
#include "suite.h"

#define WAITERS 1024
#define WAITER_PRIO 200 /* below the root task: they run only when it lets them */

/* A waiter needs neither stack nor IPC buffer: rax = system call, rdi =
 * what it waits on (a cptr in its CSpace, the CNode of the test), rbx =
 * where it stores the error it wakes with, r13 = a notification it then
 * waits on for good (until the test deletes its CNode, and it). */
__asm__(".text\n"
	".globl long_waiter\n"
	"long_waiter:\n"
	"	xor %edx, %edx\n"
	"	xor %esi, %esi\n"
	"	syscall\n"
	"	mov %rax, (%rbx)\n"
	"1:	mov %r13, %rdi\n"
	"	mov $10, %eax\n" /* SYS_WAIT */
	"	xor %esi, %esi\n"
	"	syscall\n"
	"	pause\n"
	"	jmp 1b\n");
void long_waiter(void);
_Static_assert(SYS_WAIT == 10, "long_waiter's parking call");

static volatile uint64_t woke[WAITERS];

static uint64_t preemptions(void)
{
	atoll_debug_stats(ROOT_DEBUG, 0, false, NULL);
	return atoll_ipcbuf->mr[10];
}

/* Let the lower-priority threads run until they block. */
static void let_them_run(void)
{
	atoll_tcb_set_priority(ROOT_TCB, 1);
	atoll_tcb_set_priority(ROOT_TCB, 255);
}

/* CNode cn: slot 0 a copy of obj, slot 1 the parking notification, slots
 * 2.. the waiters' TCBs. Each waiter runs `sys` on slot 0 and blocks. */
static bool start_waiters(cptr_t cn, cptr_t obj, uint64_t sys)
{
	cptr_t park = new_obj(OBJ_NOTIFICATION, 0), s;
	uint64_t e, regs[REG_COUNT] = { 0 };
	unsigned ok = 0;

	if (!park)
		return false;
	ok += atoll_cnode_copy(cn, 0, obj, RIGHTS_ALL) == E_OK;
	ok += atoll_cnode_move(cn, 1, park) == E_OK;
	for (unsigned i = 0; i < WAITERS; i++) {
		woke[i] = ~0ull;
		if (!(s = obj_alloc(OBJ_TCB, 0, &e)))
			break;
		regs[REG_RIP] = (uint64_t)(uintptr_t)long_waiter;
		regs[REG_RFLAGS] = 0x202;
		regs[REG_RAX] = sys;
		regs[REG_RDI] = 0;
		regs[REG_RBX] = (uint64_t)(uintptr_t)&woke[i];
		regs[REG_R13] = 1;
		ok += atoll_tcb_configure(s, 0, cn, ROOT_VSPACE, 0, 0) == E_OK;
		ok += atoll_tcb_set_priority(s, WAITER_PRIO) == E_OK;
		ok += atoll_tcb_write_registers(s, true, REG_COUNT, regs) == E_OK;
		ok += atoll_cnode_move(cn, 2 + i, s) == E_OK;
		slot_free(s);
	}
	let_them_run(); /* each blocks on slot 0 */
	EXPECT_EQ(ok, 2 + 4 * WAITERS);
	return ok == 2 + 4 * WAITERS;
}

/* Delete the last capability to obj while WAITERS threads wait on it: all
 * wake with E_INVALID_CAPABILITY, and the deletion was preempted several
 * times (one waiter per unit of work). Then the CNode holding the waiters
 * (and the notification they park on) goes, with all of them. */
static void many_waiters(uint64_t type, uint64_t sys)
{
	cptr_t cn = new_obj(OBJ_CNODE, 11), obj = new_obj(type, 0);
	unsigned errs = 0;
	uint64_t p0;

	if (!cn || !obj || !start_waiters(cn, obj, sys))
		return;
	EXPECT_EQ(atoll_cnode_delete(cn, 0), E_OK); /* a copy: nobody wakes */
	let_them_run();
	EXPECT_EQ(woke[0], ~0ull);
	p0 = preemptions();
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, obj), E_OK); /* the last one */
	EXPECT(preemptions() - p0 >= WAITERS / 256);
	let_them_run(); /* each stores what it woke with, then parks */
	for (unsigned i = 0; i < WAITERS; i++)
		errs += woke[i] == E_INVALID_CAPABILITY;
	EXPECT_EQ(errs, WAITERS);
	/* Each waiter's CSpace is a copy of cn: those go first, then cn
	 * itself is the last capability and takes everything in it along. */
	p0 = preemptions();
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, cn), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, cn), E_OK); /* the parked waiters, then their TCBs */
	EXPECT(preemptions() - p0 >= 2 * WAITERS / 256);
}

static void t_endpoint_many_waiters(void) { many_waiters(OBJ_ENDPOINT, SYS_RECV); }
static void t_notification_many_waiters(void) { many_waiters(OBJ_NOTIFICATION, SYS_WAIT); }

/* CNodes nested 1024 deep, each holding the only capability to the next:
 * deleting the top one goes through a chain of zombies that deep. */
static void t_deep_cnode_chain(void)
{
	cptr_t ut = new_obj(OBJ_UNTYPED, 17), inner = slot_alloc(), outer = slot_alloc();
	unsigned ok = 0, depth = 1024;
	uint64_t p0;

	if (!ut || !inner || !outer)
		return;
	ok += atoll_untyped_retype(ut, OBJ_CNODE, 1, ROOT_CNODE, inner, 1) == E_OK;
	ok += atoll_cnode_copy(inner, 1, ROOT_TCB, RIGHTS_ALL) == E_OK; /* something at the bottom */
	for (unsigned i = 1; i < depth; i++) {
		ok += atoll_untyped_retype(ut, OBJ_CNODE, 1, ROOT_CNODE, outer, 1) == E_OK;
		ok += atoll_cnode_move(outer, 0, inner) == E_OK; /* outer holds the last capability to inner */
		ok += atoll_cnode_move(ROOT_CNODE, inner, outer) == E_OK;
	}
	EXPECT_EQ(ok, 2 + 3 * (depth - 1));
	p0 = preemptions();
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, inner), E_OK);
	EXPECT(preemptions() - p0 >= depth / 256);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, OBJ_UNTYPED, 17, ROOT_CNODE, inner, 1), E_OK); /* all of it is free */
	slot_free(outer);
}

/* Retype of the largest count of the dearest objects, then revoke. */
static void retype_256(uint64_t type, uint64_t ut_bits)
{
	cptr_t ut = new_obj(OBJ_UNTYPED, ut_bits), cn = new_obj(OBJ_CNODE, 8);

	if (!ut || !cn)
		return;
	EXPECT_EQ(atoll_untyped_retype(ut, type, 0, cn, 0, 256), E_OK);
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
	EXPECT_EQ(atoll_untyped_retype(ut, type, 0, cn, 0, 256), E_OK); /* all 256 free again */
	EXPECT_EQ(atoll_cnode_revoke(ROOT_CNODE, ut), E_OK);
}

static void t_retype_256_pml4s(void) { retype_256(OBJ_PML4, 20); }
static void t_retype_256_tcbs(void) { retype_256(OBJ_TCB, 19); }

/* One console write of 64 short lines (384 bytes; each line scrolls the
 * screen): more console work than one kernel entry may do, so it is
 * continued by restarts, and every line is written once. */
static void t_long_console_write(void)
{
	static char text[64 * 6 + 1];
	size_t n = 0;
	uint64_t p0;

	for (unsigned i = 0; i < 64; i++)
		n += (size_t)ksnprintf(text + n, sizeof(text) - n, "#  %02u\n", i);
	p0 = preemptions();
	EXPECT_EQ(atoll_debug_puts(ROOT_DEBUG, text, n), E_OK);
	EXPECT(preemptions() - p0 >= 1);
}

const struct utest long_tests[] = {
	{ "deleting an endpoint 1024 threads wait on is preempted; all wake with an error", t_endpoint_many_waiters },
	{ "deleting a notification 1024 threads wait on is preempted; all wake with an error", t_notification_many_waiters },
	{ "deleting a chain of 1024 nested CNodes is preempted and frees all", t_deep_cnode_chain },
	{ "retype of 256 PML4s in one call, twice", t_retype_256_pml4s },
	{ "retype of 256 TCBs in one call, twice", t_retype_256_tcbs },
	{ "a console write of 64 lines is continued by restarts", t_long_console_write },
};
const unsigned long_tests_count = sizeof(long_tests) / sizeof(long_tests[0]);
