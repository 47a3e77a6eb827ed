/*
 * Hostile input, at random. A seeded random system-call stress test: an
 * untrusted thread with a CSpace of its own and a few capabilities makes
 * `stress=N` random system calls (seed `seed=S`, both from the kernel
 * command line); the root task, as checker, then confirms its own memory
 * and capabilities are untouched and the kernel still works. Work that
 * could make the kernel loop runs under a watchdog (bounded.c), so such a
 * bug fails the test instead of hanging. The targeted hostile cases are in
 * test_hostile.c.
 */
#include "atoll/rand.h"
#include "kstring.h"
#include "suite.h"

/* --- the kernel command line: seed=<u64> stress=<count> ----------------- */

/* Decimal or 0x-hex up to the next space; dflt if malformed. */
static uint64_t parse_num(const char *s, uint64_t dflt)
{
	unsigned radix = 10;
	uint64_t x = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		radix = 16;
		s += 2;
	}
	for (; *s && *s != ' '; s++, digits++) {
		unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0') :
			     *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10) :
			     *s >= 'A' && *s <= 'F' ? (unsigned)(*s - 'A' + 10) : 99;
		if (d >= radix || x > (~0ull - d) / radix)
			return dflt;
		x = x * radix + d;
	}
	return digits ? x : dflt;
}

/* The value of key=... on the command line (the last one wins), or dflt. */
static uint64_t cmdline_u64(const char *key, uint64_t dflt)
{
	const char *cmd = suite_bi->cmdline, *p;
	size_t n = strlen(key);
	uint64_t v = dflt;

	for (p = cmd; *p; p++)
		if ((p == cmd || p[-1] == ' ') && strncmp(p, key, n) == 0 && p[n] == '=')
			v = parse_num(p + n + 1, dflt);
	return v;
}

/* --- the untrusted thread ------------------------------------------------ */

/* Its CSpace: a radix-6 CNode (retype gives it a 58-bit zero guard, so a
 * cptr below 64 names that slot). What it holds at the start: */
enum stress_slot {
	S_EP = 1,          /* endpoint, all rights */
	S_CNODE = 2,       /* its own CNode */
	S_NTFN = 3,        /* notification */
	S_UNTYPED = 4,     /* 64 KiB untyped (the original capability) */
	S_FRAME = 5,       /* 4 KiB frame, unmapped */
	S_REPLY = 6,       /* reply object */
	S_IOPORT = 7,      /* I/O port 0x80 only (POST diagnostics) */
	S_VSPACE = 8,      /* a PML4 nobody runs in */
	S_VICTIM = 9,      /* a TCB; with MCP 0 the thread cannot make it run */
	S_FAULT_EP = 10,   /* its own fault endpoint (the root holds the original) */
	S_EP_BADGED = 11,  /* badged copy of S_EP */
	S_NTFN_BADGED = 12, /* badged copy of S_NTFN */
	S_PT = 13,         /* page table, unmapped */
	S_FIRST_FREE = 14,
};
#define S_RADIX 6
#define S_SLOTS (1u << S_RADIX)

/* Its memory, in the root's VSpace: the only pages it writes. */
#define STRESS_AREA 0x70000000ull /* IPC buffer page */
#define STRESS_REPORT (STRESS_AREA + 0x1000)
#define STRESS_STACK_PAGES 4
#define WORK_PRIO BOUNDED_PRIO /* the stress thread and the watchdogs; the root waits at 255 */
#define STRESS_DONE 0x53545245535344ull
#define KICK_RAX 0x4B49434Bull /* rax the watchdog gives a blocked call it ends */
#define RESULT_OTHER E_COUNT
#define RESULT_KICKED (E_COUNT + 1)
#define RESULT_SLOTS (E_COUNT + 2)

struct stress_call {
	uint64_t no, cap, info, reply, mr[4];
};
_Static_assert(__builtin_offsetof(struct stress_call, mr) == 32, "used by stress_syscall");

/* Written only by the stress thread (its report page); read by the root. */
struct stress_report {
	uint64_t done; /* STRESS_DONE after the last call */
	uint64_t iter; /* calls completed */
	uint64_t result[RESULT_SLOTS];
	struct stress_call cur; /* the call in flight */
};

/* One system call with every ABI register from/to *c. The checker knows a
 * thread stopped at stress_syscall_ret is blocked in a call, and one at
 * stress_park_ud2 has finished; anywhere else it faulted. */
void stress_syscall(struct stress_call *c);
__attribute__((noreturn)) void stress_park(void);
extern const char stress_syscall_ret[], stress_park_ud2[];
__asm__(".pushsection .text\n"
	".globl stress_syscall, stress_syscall_ret, stress_park, stress_park_ud2\n"
	"stress_syscall:\n"
	"	push %rbx\n	push %r12\n	mov %rdi, %rbx\n"
	"	mov 0(%rbx), %rax\n	mov 8(%rbx), %rdi\n	mov 16(%rbx), %rsi\n"
	"	mov 24(%rbx), %rdx\n	mov 32(%rbx), %r10\n	mov 40(%rbx), %r8\n"
	"	mov 48(%rbx), %r9\n	mov 56(%rbx), %r12\n"
	"	syscall\n"
	"stress_syscall_ret:\n"
	"	mov %rax, 0(%rbx)\n	mov %rdi, 8(%rbx)\n	mov %rsi, 16(%rbx)\n"
	"	mov %rdx, 24(%rbx)\n	mov %r10, 32(%rbx)\n	mov %r8, 40(%rbx)\n"
	"	mov %r9, 48(%rbx)\n	mov %r12, 56(%rbx)\n"
	"	pop %r12\n	pop %rbx\n	ret\n"
	"stress_park:\n"
	"stress_park_ud2:\n"
	"	ud2\n	jmp stress_park_ud2\n"
	".popsection\n");

static const uint64_t stress_labels[] = {
#define X(name, num, obj, args) num,
#include "abi/labels.def"
#undef X
};
#define NLABELS (sizeof(stress_labels) / sizeof(stress_labels[0]))

/* A capability address: mostly slots that hold something, sometimes any
 * slot, sometimes garbage (guard mismatch). */
static uint64_t gen_cptr(struct rand64 *r)
{
	switch (rand_below(r, 10)) {
	case 0: return rand_below(r, S_SLOTS);
	case 1: return rand_next(r);
	case 2: return rand_below(r, S_SLOTS) | 1ull << rand_below(r, 64);
	default: return rand_below(r, S_FIRST_FREE + 4);
	}
}

/* An argument word from a mix of classes that mean something somewhere. */
static uint64_t gen_word(struct rand64 *r)
{
	uint64_t x = rand_next(r);

	switch (rand_below(r, 16)) {
	case 0: case 1: return x & 7;
	case 2: case 3: return rand_below(r, S_SLOTS);
	case 4: return rand_below(r, OBJ_COUNT + 3);                  /* object type */
	case 5: return rand_below(r, 70);                             /* size bits */
	case 6: return x & 0x00007FFFFFFFF000ull;                     /* user page */
	case 7: return 0x1000000ull + (x & 0x3FFFFF8ull);             /* near the root's code */
	case 8: return 0xFFFF800000000000ull | (x & 0x7FFFFFFFF000ull); /* kernel half */
	case 9: return 0x0000800000000000ull | (x & 0x7FFFFFFFFFFFull); /* non-canonical */
	case 10: return ~0ull << rand_below(r, 64);
	case 11: return x;
	case 12: return rand_chance(r, 50) ? 0x80 : x & 0xFFFF;        /* I/O port */
	case 13: return x & RIGHTS_ALL;
	case 14: return rand_below(r, 64) | (x & 0xF) << 6;            /* CNode guard word */
	default: return 1ull << rand_below(r, 64);
	}
}

/* A system-call number: every real one (DEBUG_EXIT excepted: the thread
 * has no debug capability, but a kernel bug there would end the run with a
 * random verdict), weighted towards invocations, plus invalid ones. */
static uint64_t gen_sysno(struct rand64 *r)
{
	static const struct { uint8_t upto, no; } w[] = {
		{ 45, SYS_CALL }, { 53, SYS_NBSEND }, { 61, SYS_NBRECV }, { 65, SYS_SEND },
		{ 68, SYS_RECV }, { 71, SYS_REPLY }, { 73, SYS_REPLYRECV }, { 75, SYS_YIELD },
		{ 80, SYS_SIGNAL }, { 82, SYS_WAIT }, { 87, SYS_POLL }, { 89, SYS_DEBUG_PUTS },
	};
	uint64_t k = rand_below(r, 100), no;

	for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++)
		if (k < w[i].upto)
			return w[i].no;
	no = k < 95 ? rand_below(r, 32) : rand_next(r);
	return no == SYS_DEBUG_EXIT ? 0 : no;
}

static uint64_t gen_info(struct rand64 *r)
{
	uint64_t k = rand_below(r, 100), label, len;

	label = k < 70 ? stress_labels[rand_below(r, NLABELS)] : k < 80 ? 0 :
		k < 95 ? rand_below(r, 128) : rand_next(r) >> 12;
	k = rand_below(r, 100);
	len = k < 80 ? rand_below(r, 7) : k < 95 ? rand_below(r, 16) : rand_below(r, 128);
	return msginfo(label, rand_chance(r, 95) ? 0 : (unsigned)rand_below(r, 8),
		       rand_chance(r, 80) ? 0 : (unsigned)rand_range(r, 1, 3), (unsigned)len);
}

/* The IPC-buffer words an invocation or message may read. */
static void gen_buffer(struct rand64 *r, struct ipc_buffer *b)
{
	unsigned top = rand_chance(r, 2) ? MSG_MAX_WORDS : 8;

	for (unsigned i = 2; i < top; i++)
		b->mr[i] = gen_word(r);
	for (unsigned i = 0; i < MSG_MAX_EXTRA_CAPS; i++)
		b->caps[i] = gen_cptr(r);
	b->receive_cnode = rand_chance(r, 50) ? S_CNODE : gen_cptr(r);
	b->receive_index = rand_chance(r, 80) ? rand_below(r, S_SLOTS) : gen_word(r);
}

/* A plausible invocation, so that the deeper paths run and succeed: */
static void gen_cnode_op(struct rand64 *r, struct stress_call *c, uint64_t free_slot)
{
	uint64_t k = rand_below(r, 6);

	c->cap = rand_chance(r, 85) ? S_CNODE : free_slot; /* maybe a CNode it made */
	c->info = msginfo(INV_CNODE_COPY + k, 0, 0, 4);
	c->mr[0] = k >= 4 && rand_chance(r, 90) ? free_slot : rand_below(r, S_SLOTS);
	c->mr[1] = rand_below(r, S_SLOTS);
	c->mr[2] = k == 3 ? gen_word(r) : rand_below(r, 16);
	c->mr[3] = rand_chance(r, 50) ? rand_below(r, 256) : gen_word(r);
}

static void gen_tcb_op(struct rand64 *r, struct stress_call *c, struct ipc_buffer *b)
{
	static const uint8_t tcb_labels[] = { 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 90 };
	uint64_t label = tcb_labels[rand_below(r, sizeof(tcb_labels))];

	c->cap = rand_chance(r, 90) ? S_VICTIM : rand_below(r, S_SLOTS);
	c->info = msginfo(label, 0, 0, label == INV_TCB_WRITE_REGISTERS ? 20 : 5);
	c->mr[0] = label == INV_TCB_CONFIGURE ? gen_cptr(r) : rand_below(r, 4);
	c->mr[1] = label == INV_TCB_CONFIGURE ? S_CNODE : rand_below(r, 19);
	c->mr[2] = S_VSPACE;
	c->mr[3] = rand_chance(r, 80) ? 0x10000000ull + (rand_below(r, 64) << 12) : gen_word(r);
	b->mr[4] = rand_chance(r, 80) ? S_FRAME : gen_cptr(r);
	if (label == INV_TCB_BIND_NOTIFICATION)
		c->mr[0] = rand_chance(r, 70) ? S_NTFN : gen_cptr(r);
}

static void gen_paging_op(struct rand64 *r, struct stress_call *c, uint64_t free_slot)
{
	bool frame = rand_chance(r, 50);
	uint64_t k = rand_below(r, frame ? 3 : 2);

	c->cap = rand_chance(r, 60) ? (frame ? S_FRAME : S_PT) : free_slot;
	c->info = msginfo((frame ? INV_FRAME_MAP : INV_PAGE_TABLE_MAP) + k, 0, 0, 4);
	c->mr[0] = rand_chance(r, 85) ? S_VSPACE : gen_cptr(r);
	c->mr[1] = rand_chance(r, 70) ? 0x10000000ull + (rand_below(r, 1024) << 12) : gen_word(r);
	c->mr[2] = rand_below(r, 16);
	c->mr[3] = rand_below(r, 2);
}

static void gen_invocation(struct rand64 *r, struct stress_call *c, struct ipc_buffer *b)
{
	uint64_t free_slot = rand_range(r, S_FIRST_FREE, S_SLOTS - 1);

	c->no = SYS_CALL;
	switch (rand_below(r, 8)) {
	case 0: /* retype into its own CNode */
		c->cap = rand_chance(r, 85) ? S_UNTYPED : free_slot;
		c->info = msginfo(INV_UNTYPED_RETYPE, 0, 0, 5);
		c->mr[0] = rand_range(r, 1, OBJ_COUNT);
		c->mr[1] = rand_below(r, 17);
		c->mr[2] = rand_chance(r, 90) ? S_CNODE : gen_cptr(r);
		c->mr[3] = free_slot;
		b->mr[4] = rand_range(r, 1, 3);
		break;
	case 1: case 2: gen_cnode_op(r, c, free_slot); break;
	case 3: gen_tcb_op(r, c, b); break;
	case 4: gen_paging_op(r, c, free_slot); break;
	case 5: /* port I/O around its one port */
		c->cap = S_IOPORT;
		c->info = msginfo(rand_range(r, INV_IOPORT_IN8, INV_IOPORT_OUT32), 0, 0, 2);
		c->mr[0] = rand_range(r, 0x7E, 0x82);
		break;
	case 6: /* IPC objects, non-blocking, with extra caps */
		c->no = rand_chance(r, 50) ? SYS_NBSEND : rand_chance(r, 50) ? SYS_NBRECV : SYS_POLL;
		c->cap = rand_range(r, S_EP, S_NTFN_BADGED);
		c->reply = S_REPLY;
		break;
	default: /* any label on a slot that holds something */
		c->cap = rand_below(r, S_FIRST_FREE + 8);
		c->info = msginfo(stress_labels[rand_below(r, NLABELS)], 0, 0, rand_below(r, 9));
		break;
	}
}

/* DEBUG_PUTS (rdi the random cptr gen_call chose, MR0 the text, MR1 its
 * length): the thread holds no debug capability, so every one must fail;
 * the text is empty or unreadable all the same, so that a kernel that
 * printed anyway would not garble the log. */
static void gen_puts(struct rand64 *r, struct stress_call *c)
{
	uint64_t x = rand_next(r);

	switch (rand_below(r, 4)) {
	case 0: c->mr[0] = 0x7000000000ull + (x & 0xFFFFFFF); break; /* unmapped */
	case 1: c->mr[0] = 0xFFFF800000000000ull | (x & 0x7FFFFFFFFFFFull); break;
	case 2: c->mr[0] = 0x0000800000000000ull | (x & 0x7FFFFFFFFFFFull); break;
	default: c->mr[0] = gen_word(r); c->mr[1] = 0; return;
	}
	c->mr[1] = rand_chance(r, 80) ? rand_range(r, 1, 4096) : x;
}

static void gen_call(struct rand64 *r, struct stress_call *c, struct ipc_buffer *b)
{
	c->no = gen_sysno(r);
	c->cap = gen_cptr(r);
	c->info = gen_info(r);
	c->reply = rand_chance(r, 50) ? 0 : rand_chance(r, 60) ? S_REPLY : gen_cptr(r);
	for (unsigned i = 0; i < 4; i++)
		c->mr[i] = gen_word(r);
	gen_buffer(r, b);
	if (c->no == SYS_CALL && rand_chance(r, 40))
		gen_invocation(r, c, b);
	else if (c->no == SYS_DEBUG_PUTS)
		gen_puts(r, c);
}

/* The thread's body. It writes only its stack, its IPC buffer (area) and
 * its report page: no global of the root task. */
static void stress_main(uint64_t area, uint64_t seed, uint64_t n)
{
	struct ipc_buffer *b = (struct ipc_buffer *)(uintptr_t)area;
	struct stress_report *rep = (struct stress_report *)(uintptr_t)(area + 0x1000);
	struct rand64 r;
	struct stress_call c;

	rand_seed(&r, seed);
	for (uint64_t i = 0; i < n; i++) {
		gen_call(&r, &c, b);
		rep->cur = c;
		stress_syscall(&c);
		rep->result[c.no < E_COUNT ? c.no : c.no == KICK_RAX ? RESULT_KICKED : RESULT_OTHER]++;
		rep->iter = i + 1;
	}
	rep->done = STRESS_DONE;
	stress_park();
}

/* --- the checker (root task) ----------------------------------------------- */

#define CHECK_WORDS 8192 /* 64 KiB */
static uint64_t check_block[CHECK_WORDS];
static uint8_t slot_before[1u << ABI_ROOT_CNODE_RADIX], slot_after[1u << ABI_ROOT_CNODE_RADIX];

static uint64_t pattern(uint64_t seed, uint64_t i)
{
	uint64_t x = seed ^ (i * 0xD6E8FEB86659FD93ull);

	return splitmix64(&x);
}

static uint64_t sum_words(const uint64_t *p, size_t n)
{
	uint64_t s = 0xCBF29CE484222325ull;

	for (size_t i = 0; i < n; i++)
		s = (s ^ p[i]) * 0x100000001B3ull;
	return s;
}

/* Every root slot's answer to "copy this to scratch" (then the copy goes):
 * E_OK for a capability, E_FAILED_LOOKUP for an empty slot, etc. */
static void slot_signature(uint8_t *sig, cptr_t scratch)
{
	unsigned n = 1u << suite_bi->cnode_radix;

	for (cptr_t s = 1; s < n && s < sizeof(slot_before); s++) {
		uint64_t e = s == scratch ? 0xFF : cnode_copy(ROOT_CNODE, scratch, s, RIGHTS_ALL);
		if (e == E_OK)
			cnode_delete(ROOT_CNODE, scratch);
		sig[s] = (uint8_t)e;
	}
}

struct stress_env {
	cptr_t ut, cnode, tcb, ep, ntfn, fault, reply, ipcf, scratch;
	uint64_t seed, n;
	struct stress_report *rep;
};

/* Retype one object from the stress untyped into a slot of `cnode`. */
static uint64_t env_make(struct stress_env *e, uint64_t type, uint64_t bits, cptr_t cnode, uint64_t slot)
{
	return untyped_retype(e->ut, type, bits, cnode, slot, 1);
}

/* Objects in the root's CNode that the stress CNode gets copies of. */
static uint64_t env_root_objects(struct stress_env *e)
{
	uint64_t err;

	if (!(e->ut = obj_alloc(OBJ_UNTYPED, 18, &err)))
		return err;
	e->cnode = slot_alloc();
	e->tcb = slot_alloc();
	e->ep = slot_alloc();
	e->ntfn = slot_alloc();
	e->fault = slot_alloc();
	e->reply = slot_alloc();
	e->scratch = slot_alloc();
	if ((err = env_make(e, OBJ_REPLY, 0, ROOT_CNODE, e->reply)) ||
	    (err = env_make(e, OBJ_CNODE, S_RADIX, ROOT_CNODE, e->cnode)) ||
	    (err = env_make(e, OBJ_TCB, 0, ROOT_CNODE, e->tcb)) ||
	    (err = env_make(e, OBJ_ENDPOINT, 0, ROOT_CNODE, e->ep)) ||
	    (err = env_make(e, OBJ_NOTIFICATION, 0, ROOT_CNODE, e->ntfn)))
		return err;
	return env_make(e, OBJ_ENDPOINT, 0, ROOT_CNODE, e->fault);
}

/* The untrusted thread's CSpace (enum stress_slot). */
static uint64_t env_cspace(struct stress_env *e)
{
	cptr_t cn = e->cnode;
	uint64_t err;

	if ((err = cnode_copy(cn, S_EP, e->ep, RIGHTS_ALL)) ||
	    (err = cnode_copy(cn, S_CNODE, cn, RIGHTS_ALL)) ||
	    (err = cnode_copy(cn, S_NTFN, e->ntfn, RIGHTS_ALL)) ||
	    (err = env_make(e, OBJ_UNTYPED, 16, cn, S_UNTYPED)) ||
	    (err = env_make(e, OBJ_FRAME_4K, 0, cn, S_FRAME)) ||
	    (err = env_make(e, OBJ_REPLY, 0, cn, S_REPLY)) ||
	    (err = suite_has_devices() ? ioport_issue(ROOT_IOPORT_CONTROL, 0x80, 0x80, cn, S_IOPORT)
				       : cnode_copy(cn, S_IOPORT, e->ntfn, RIGHTS_ALL)) ||
	    (err = env_make(e, OBJ_PML4, 0, cn, S_VSPACE)) ||
	    (err = env_make(e, OBJ_TCB, 0, cn, S_VICTIM)) ||
	    (err = cnode_copy(cn, S_FAULT_EP, e->fault, RIGHTS_ALL)) ||
	    (err = cnode_mint(cn, S_EP_BADGED, e->ep, RIGHTS_ALL, 0x5EED)) ||
	    (err = cnode_mint(cn, S_NTFN_BADGED, e->ntfn, RIGHTS_ALL, 0x40)))
		return err;
	return env_make(e, OBJ_PAGE_TABLE, 0, cn, S_PT);
}

/* Its memory and TCB; created suspended. */
static uint64_t env_thread(struct stress_env *e)
{
	uint64_t regs[REG_COUNT] = { 0 }, err, top = STRESS_AREA + ABI_THREAD_AREA;

	if (!(e->ipcf = page_alloc_at(STRESS_AREA)) || !page_alloc_at(STRESS_REPORT))
		return E_NOT_ENOUGH_MEMORY;
	for (uint64_t i = 1; i <= STRESS_STACK_PAGES; i++)
		if (!page_alloc_at(top - i * 4096))
			return E_NOT_ENOUGH_MEMORY;
	e->rep = (struct stress_report *)(uintptr_t)STRESS_REPORT;
	memset(e->rep, 0, sizeof(*e->rep));
	if ((err = tcb_configure(e->tcb, S_FAULT_EP, e->cnode, ROOT_VSPACE, STRESS_AREA, e->ipcf)) ||
	    (err = tcb_set_priority(e->tcb, WORK_PRIO)))
		return err;
	regs[REG_RIP] = (uint64_t)(uintptr_t)stress_main;
	regs[REG_RSP] = top - 8;
	regs[REG_RFLAGS] = 0x202;
	regs[REG_RDI] = STRESS_AREA;
	regs[REG_RSI] = e->seed;
	regs[REG_RDX] = e->n;
	return tcb_write_registers(e->tcb, false, REG_RDI + 1, regs);
}

/* --- supervising the stress thread ------------------------------------------ */

#define STALL_MS 3000 /* no progress for this long: the kernel is looping */

/* What the watchdog saw. */
struct stress_outcome {
	bool finished, faulted, stalled;
	uint64_t kicks, rip, ticks;
	struct ipc_result fault;
};

struct stress_watch {
	struct stress_env *e;
	struct stress_outcome *o;
	cptr_t done_ntfn;
};

/* Where the thread is, as far as one look after a yield can tell. */
enum stress_state { ST_RAN, ST_BLOCKED, ST_RESTARTING, ST_FINISHED, ST_FAULTED, ST_GONE };

static enum stress_state stress_look(struct stress_env *e, uint64_t *prev_rip, uint64_t *prev_iter)
{
	uint64_t regs[REG_COUNT], rip, iter = e->rep->iter;
	uint64_t ret = (uint64_t)(uintptr_t)stress_syscall_ret;

	if (tcb_read_registers(e->tcb, regs) != E_OK)
		return ST_GONE;
	rip = regs[REG_RIP];
	if (rip != *prev_rip || iter != *prev_iter) {
		*prev_rip = rip, *prev_iter = iter;
		return ST_RAN; /* it ran during our yield */
	}
	/* It did not run (or ran without getting anywhere). */
	return rip == (uint64_t)(uintptr_t)stress_park_ud2 ? ST_FINISHED :
	       rip == ret ? ST_BLOCKED :
	       rip == ret - 2 ? ST_RESTARTING : ST_FAULTED; /* 2: the syscall instruction */
}

/* End a blocked call: suspend (which takes it off the queue it waits on)
 * and resume it with rax = KICK_RAX. */
static void stress_kick(struct stress_env *e)
{
	uint64_t regs[REG_COUNT];

	tcb_suspend(e->tcb);
	if (tcb_read_registers(e->tcb, regs) == E_OK) {
		regs[REG_RAX] = KICK_RAX;
		tcb_write_registers(e->tcb, true, REG_RAX + 1, regs);
	}
}

/* The watchdog thread, at the stress thread's priority. */
static void stress_watch_fn(uint64_t p)
{
	struct stress_watch *w = (struct stress_watch *)(uintptr_t)p;
	struct stress_env *e = w->e;
	struct stress_outcome *o = w->o;
	uint64_t prev_rip = ~0ull, prev_iter = ~0ull, t0 = atoll_rdtsc(), progress = t0, last_iter = 0;
	enum stress_state st;

	tcb_resume(e->tcb);
	for (;;) {
		sys_yield();
		st = stress_look(e, &prev_rip, &prev_iter);
		if (e->rep->iter != last_iter)
			last_iter = e->rep->iter, progress = atoll_rdtsc();
		if (st == ST_BLOCKED) {
			o->kicks++;
			stress_kick(e);
			prev_rip = ~0ull;
		} else if (st == ST_RESTARTING || st == ST_RAN) {
			if (atoll_rdtsc() - progress < ms_ticks(STALL_MS))
				continue;
			o->stalled = true;
			tcb_suspend(e->tcb);
			break;
		} else {
			o->finished = st == ST_FINISHED;
			o->faulted = st == ST_FAULTED;
			break;
		}
	}
	o->ticks = atoll_rdtsc() - t0;
	o->rip = prev_rip;
	atoll_ipcbuf->receive_cnode = 0;
	o->fault = ipc_nbrecv(e->fault, e->reply); /* its last fault, if it kept the endpoint */
	tcb_suspend(e->tcb); /* its fault may wait on another endpoint it moved there */
	ntfn_signal(w->done_ntfn);
}

static void print_summary(struct stress_env *e, struct stress_outcome *o)
{
	static const char *const names[E_COUNT] = {
#define X(name, num, doc) [num] = #name,
#include "abi/errors.def"
#undef X
	};
	uint64_t ms = o->ticks / ms_ticks(1);
	char line[400];
	int n;

	/* One write, so that other clusters' lines do not cut into it. */
	n = ksnprintf(line, sizeof(line), "# stress: %llu calls, seed %llu, %llu ms, %llu blocked calls ended by the watchdog; results:",
		      (unsigned long long)e->rep->iter, (unsigned long long)e->seed, (unsigned long long)ms,
		      (unsigned long long)o->kicks);
	for (unsigned i = 0; i < RESULT_SLOTS; i++) {
		char lower[32];
		const char *nm = i < E_COUNT ? names[i] : i == RESULT_OTHER ? "OTHER" : "KICKED";
		unsigned j = 0;
		for (; nm[j] && j < sizeof(lower) - 1; j++)
			lower[j] = nm[j] >= 'A' && nm[j] <= 'Z' ? (char)(nm[j] - 'A' + 'a') : nm[j];
		lower[j] = 0;
		if (e->rep->result[i] && n > 0 && (size_t)n < sizeof(line))
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s=%llu", lower,
				       (unsigned long long)e->rep->result[i]);
	}
	printf("%s\n", line);
}

static void report_stop(struct stress_env *e, struct stress_outcome *o)
{
	struct stress_call *c = &e->rep->cur;

	printf("# stress: stopped after %llu calls at rip %#llx (%s); call in flight: no=%#llx cap=%#llx "
	       "info=%#llx reply=%#llx mr=%#llx %#llx %#llx %#llx; fault message err=%llu label=%llu "
	       "mr=%#llx %#llx %#llx %#llx\n",
	       (unsigned long long)e->rep->iter, (unsigned long long)o->rip,
	       o->faulted ? "fault" : o->stalled ? "no progress: kernel looping?" : "gone",
	       (unsigned long long)c->no, (unsigned long long)c->cap, (unsigned long long)c->info,
	       (unsigned long long)c->reply, (unsigned long long)c->mr[0], (unsigned long long)c->mr[1],
	       (unsigned long long)c->mr[2], (unsigned long long)c->mr[3], (unsigned long long)o->fault.err,
	       (unsigned long long)MSGINFO_LABEL(o->fault.info), (unsigned long long)o->fault.mr[0],
	       (unsigned long long)o->fault.mr[1], (unsigned long long)o->fault.mr[2],
	       (unsigned long long)o->fault.mr[3]);
}

/* Run the stress thread to its end under the watchdog; the root waits.
 * Everything is made before the checker's first look at its slots. */
static uint64_t stress_watch_prepare(struct stress_watch *w, struct uthread *th)
{
	w->done_ntfn = new_obj(OBJ_NOTIFICATION, 0);
	if (!w->done_ntfn)
		return E_NOT_ENOUGH_MEMORY;
	return thread_create_suspended(th, stress_watch_fn, (uintptr_t)w, WORK_PRIO);
}

static void stress_supervise(struct stress_watch *w, struct uthread *th)
{
	EXPECT_EQ(tcb_resume(th->tcb), E_OK);
	ntfn_wait(w->done_ntfn);
}

/* --- the checker's verdict ----------------------------------------------- */

/* State the checker records before and compares after. */
struct checker {
	uint64_t seed, boot_sum, ipcbuf_pa, bootinfo_pa, frame_pa;
};

static void checker_record(struct checker *k, struct stress_env *e)
{
	for (unsigned i = 0; i < CHECK_WORDS; i++)
		check_block[i] = pattern(k->seed, i);
	k->boot_sum = sum_words((const uint64_t *)ABI_BOOTINFO_VADDR, ABI_BOOTINFO_PAGES * 512);
	k->ipcbuf_pa = atoll_invoke(ROOT_IPCBUF, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	k->bootinfo_pa = atoll_invoke(ROOT_BOOTINFO, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	k->frame_pa = atoll_invoke(e->ipcf, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0];
	slot_signature(slot_before, e->scratch);
}

static void ipc_partner_fn(uint64_t ep)
{
	ipc_call(ep, msginfo(3, 0, 0, 2), 40, 2, 0, 0);
}

/* The root's memory and capabilities are as before the run. */
static void checker_verify(struct checker *k, struct stress_env *e)
{
	unsigned bad = 0, slots = 0, first = 0;

	for (unsigned i = 0; i < CHECK_WORDS; i++)
		bad += check_block[i] != pattern(k->seed, i);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(sum_words((const uint64_t *)ABI_BOOTINFO_VADDR, ABI_BOOTINFO_PAGES * 512), k->boot_sum);
	slot_signature(slot_after, e->scratch);
	for (unsigned s = 1; s < sizeof(slot_before); s++)
		if (slot_before[s] != slot_after[s] && !slots++)
			first = s;
	if (slots)
		printf("# stress: %u root slots changed, first %u (%u -> %u)\n", slots, first,
		       slot_before[first], slot_after[first]);
	EXPECT_EQ(slots, 0);
	EXPECT_EQ(atoll_invoke(ROOT_IPCBUF, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0], k->ipcbuf_pa);
	EXPECT_EQ(atoll_invoke(ROOT_BOOTINFO, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0], k->bootinfo_pa);
	EXPECT_EQ(atoll_invoke(e->ipcf, INV_FRAME_GET_ADDRESS, 0, 0, 0, 0, 0).mr[0], k->frame_pa);
}

/* The kernel still works: a call and reply on the run's endpoint, and a
 * signal and poll on its notification. */
static void checker_ipc(struct stress_env *e)
{
	struct uthread th;
	cptr_t reply = new_obj(OBJ_REPLY, 0);

	EXPECT_EQ(ntfn_poll(e->ntfn).err, E_OK); /* drop what the stress thread left */
	EXPECT_EQ(cnode_mint(ROOT_CNODE, e->scratch, e->ntfn, RIGHTS_ALL, 0x21), E_OK);
	EXPECT_EQ(ntfn_signal(e->scratch), E_OK);
	EXPECT_EQ(ntfn_poll(e->ntfn).badge, 0x21);
	EXPECT_EQ(cnode_delete(ROOT_CNODE, e->scratch), E_OK);
	REQUIRE_OK(thread_create(&th, ipc_partner_fn, e->ep, 100));
	struct ipc_result r = ipc_recv(e->ep, reply);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(MSGINFO_LABEL(r.info), 3);
	EXPECT_EQ(r.mr[0] + r.mr[1], 42);
	EXPECT_EQ(ipc_reply(reply, 0, 0, 0, 0, 0).err, E_OK);
}

/* Everything made for the run goes with one revoke of its untyped, and the
 * whole untyped is then free again (run bounded: a looping kernel fails). */
static volatile uint64_t cleanup_err[2];

static void cleanup_fn(uint64_t p)
{
	struct stress_env *e = (struct stress_env *)(uintptr_t)p;

	cleanup_err[0] = cnode_revoke(ROOT_CNODE, e->ut);
	cleanup_err[1] = untyped_retype(e->ut, OBJ_UNTYPED, 18, ROOT_CNODE, e->scratch, 1);
}

static void checker_cleanup(struct stress_env *e)
{
	uint64_t regs[REG_COUNT];

	cleanup_err[0] = cleanup_err[1] = ~0ull;
	if (!run_bounded(cleanup_fn, (uintptr_t)e, 3000)) {
		printf("# stress: revoking the run's untyped did not finish in 3 s\n");
		EXPECT(!"revoke of the stress objects finished");
		return;
	}
	EXPECT_EQ(cleanup_err[0], E_OK);
	EXPECT_EQ(cleanup_err[1], E_OK); /* no child left: the watermark went back to 0 */
	EXPECT_EQ(tcb_read_registers(e->tcb, regs), E_FAILED_LOOKUP);
	EXPECT_EQ(cnode_revoke(ROOT_CNODE, e->ut), E_OK);
}

static void t_stress_random(void)
{
	static bool ran; /* its thread area exists once */
	struct stress_env e = { .seed = cmdline_u64("seed", 1), .n = cmdline_u64("stress", 100000) };
	struct stress_outcome o = { 0 };
	struct checker k = { .seed = e.seed ^ 0xC0FFEE };
	struct stress_watch w = { .e = &e, .o = &o };
	struct uthread wt;
	unsigned codes = 0;

	if (ran) {
		EXPECT(!"the stress test runs once per boot");
		return;
	}
	ran = true;
	REQUIRE_OK(env_root_objects(&e));
	REQUIRE_OK(env_cspace(&e));
	REQUIRE_OK(env_thread(&e));
	REQUIRE_OK(stress_watch_prepare(&w, &wt));
	checker_record(&k, &e);
	stress_supervise(&w, &wt);
	print_summary(&e, &o);
	if (!o.finished)
		report_stop(&e, &o);
	EXPECT(o.finished);
	EXPECT_EQ(e.rep->done, STRESS_DONE);
	EXPECT_EQ(e.rep->iter, e.n);
	checker_verify(&k, &e);
	checker_ipc(&e);
	checker_cleanup(&e);
	/* Not vacuous: some calls succeeded and many kinds of error came back. */
	for (unsigned i = 0; i < E_COUNT; i++)
		codes += e.rep->result[i] != 0;
	if (e.n >= 10000) {
		EXPECT(e.rep->result[E_OK] > e.n / 100);
		EXPECT(codes >= 8);
	}
}

const struct utest stress_tests[] = {
	{ "seeded random system calls from an untrusted thread; checker intact", t_stress_random },
};
const unsigned stress_tests_count = sizeof(stress_tests) / sizeof(stress_tests[0]);
