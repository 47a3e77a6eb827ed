/* Faults of user threads: delivered to the fault endpoint, handled, resumed. */
#include "suite.h"

#define FAULT_VM 1
#define FAULT_EXCEPTION 2
#define FAULT_ADDR 0x60000000ull

static volatile uint64_t done;

static void reader_fn(uint64_t addr)
{
	done = *(volatile uint64_t *)addr; /* faults until the handler maps it */
}

/* Wait for one fault on ep; return its message. */
static struct ipc_result take_fault(cptr_t ep, cptr_t reply)
{
	return atoll_ipc_recv(ep, reply);
}

static void t_page_fault_resumed(void)
{
	struct uthread th;
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), reply = new_obj(OBJ_REPLY, 0), f;

	done = 0;
	REQUIRE_OK(thread_create_ex(&th, reader_fn, FAULT_ADDR + 8, 10, ep, true));
	struct ipc_result r = take_fault(ep, reply);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_VM);
	EXPECT_EQ(r.mr[1], FAULT_ADDR + 8);
	EXPECT_EQ(r.mr[2], 14);
	EXPECT_EQ(r.mr[3] & 4, 4); /* user-mode access */
	EXPECT((f = page_alloc_at(FAULT_ADDR)) != 0);
	*(volatile uint64_t *)(FAULT_ADDR + 8) = 0xFEED;
	EXPECT_EQ(atoll_ipc_reply(reply, 0, 0, 0, 0, 0).err, E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK); /* let it finish */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	EXPECT_EQ(done, 0xFEED);
}

static void ud_fn(uint64_t unused)
{
	__asm__ volatile("ud2");
	done = 1;
}

static void de_fn(uint64_t unused)
{
	__asm__ volatile("xor %%ecx, %%ecx; div %%ecx" ::: "rax", "rdx", "rcx");
	done = 2;
}

static void gp_fn(uint64_t unused)
{
	__asm__ volatile("hlt"); /* privileged */
	done = 3;
}

/* The handler's answer to exception fault r of thread th: its registers
 * into regs (the faulting rip must be r's), rip moved `len` bytes on, the
 * reply, and the thread left to run on. */
static void skip_and_resume(struct uthread *th, cptr_t reply, struct ipc_result r, uint64_t len,
			    uint64_t regs[REG_COUNT])
{
	REQUIRE_OK(atoll_tcb_read_registers(th->tcb, regs));
	EXPECT_EQ(regs[REG_RIP], r.mr[0]);
	regs[REG_RIP] += len;
	REQUIRE_OK(atoll_tcb_write_registers(th->tcb, false, REG_COUNT, regs));
	EXPECT_EQ(atoll_ipc_reply(reply, 0, 0, 0, 0, 0).err, E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
}

/* Run fn with a fault handler that skips `len` bytes at the faulting rip. */
static void exception_case(void (*fn)(uint64_t), uint64_t vector, uint64_t len, uint64_t want)
{
	struct uthread th;
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), reply = new_obj(OBJ_REPLY, 0);
	uint64_t regs[REG_COUNT];

	done = 0;
	REQUIRE_OK(thread_create_ex(&th, fn, 0, 10, ep, true));
	struct ipc_result r = take_fault(ep, reply);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(r.mr[2], vector);
	skip_and_resume(&th, reply, r, len, regs);
	EXPECT_EQ(done, want);
}

static void t_ud_fault(void) { exception_case(ud_fn, 6, 2, 1); }
static void t_de_fault(void) { exception_case(de_fn, 0, 2, 2); }
static void t_gp_fault(void) { exception_case(gp_fn, 13, 1, 3); }

static void t_fault_without_handler(void)
{
	struct uthread th;
	uint64_t regs[REG_COUNT];

	done = 0;
	REQUIRE_OK(thread_create(&th, reader_fn, 0x61000000ull, 10));
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	EXPECT_EQ(done, 0); /* it never got past the fault: suspended */
	EXPECT_EQ(atoll_tcb_read_registers(th.tcb, regs), E_OK);
	EXPECT_EQ(atoll_tcb_resume(th.tcb), E_OK); /* faults again, suspended again */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	EXPECT_EQ(done, 0);
}

static void t_fault_handler_wrong_cap(void)
{
	struct uthread th;

	done = 0;
	/* A fault "endpoint" that is a notification: treated as no handler. */
	REQUIRE_OK(thread_create_ex(&th, reader_fn, 0x62000000ull, 10, new_obj(OBJ_NOTIFICATION, 0), true));
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	EXPECT_EQ(done, 0);
}

/* rax holds a known value when the ud2 faults; the handler checks that no
 * error code was ever written over it. */
#define UD_RAX 0x5EEDull
static void ud_rax_fn(uint64_t unused)
{
	__asm__ volatile("mov %0, %%rax\n\tud2" ::"i"(UD_RAX) : "rax");
	done = 4;
}

/* The handler deletes the reply object it received the fault with: the
 * faulting thread is not told an error (its registers are its own); it
 * runs the instruction again, faults again, and the handler gets a second
 * fault message. */
static void t_fault_reply_deleted(void)
{
	struct uthread th;
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), reply = new_obj(OBJ_REPLY, 0);
	uint64_t regs[REG_COUNT];

	done = 0;
	REQUIRE_OK(thread_create_ex(&th, ud_rax_fn, 0, 10, ep, true));
	struct ipc_result r = take_fault(ep, reply);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, reply), E_OK); /* the fault is never answered */
	reply = new_obj(OBJ_REPLY, 0);
	r = take_fault(ep, reply); /* it ran again and faulted again */
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_EXCEPTION);
	EXPECT_EQ(r.mr[2], 6);
	skip_and_resume(&th, reply, r, 2, regs);
	EXPECT_EQ(regs[REG_RAX], UD_RAX); /* as read at the fault: no error written over it */
	EXPECT_EQ(done, 4);
}

/* The fault endpoint is deleted while the thread waits to send its fault
 * there: it faults again, finds no handler and is suspended, registers
 * untouched. */
static void t_fault_endpoint_deleted(void)
{
	struct uthread th;
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0);
	uint64_t regs[REG_COUNT];

	done = 0;
	REQUIRE_OK(thread_create_ex(&th, ud_rax_fn, 0, 10, ep, true));
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK); /* it faults and blocks on ep */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, ep), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK); /* it runs, faults, is suspended */
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
	REQUIRE_OK(atoll_tcb_read_registers(th.tcb, regs));
	EXPECT_EQ(regs[REG_RAX], UD_RAX);
	EXPECT_EQ(done, 0);
}

const struct utest fault_tests[] = {
	{ "page fault goes to the handler and the thread resumes", t_page_fault_resumed },
	{ "#UD from user mode is a fault message; handler skips it", t_ud_fault },
	{ "#DE from user mode is a fault message; handler skips it", t_de_fault },
	{ "#GP from user mode is a fault message; handler skips it", t_gp_fault },
	{ "fault without a handler suspends the thread", t_fault_without_handler },
	{ "fault endpoint of the wrong type: thread suspended", t_fault_handler_wrong_cap },
	{ "fault reply object deleted: no error in its registers, it faults again", t_fault_reply_deleted },
	{ "fault endpoint deleted while sending: suspended, registers intact", t_fault_endpoint_deleted },
};
const unsigned fault_tests_count = sizeof(fault_tests) / sizeof(fault_tests[0]);
