/* Processes: the peer program loaded from its boot module into an address
 * space and CSpace of its own; IPC, badges and faults across spaces. */
#include "atoll/process.h"
#include "kstring.h"
#include "suite.h"

#define FAULT_VM 1
#define PRIO_PEER 150
#define PRIO_CLIENT 100
#define FAULT_BADGE 0xFA17
#define VALUE_PAGE 0x69000000ull  /* root page used to fill frames for the peer */
#define IMAGE_COPY 0x6A000000ull  /* root pages holding a copy of the peer's ELF */

/* A running peer and the root's objects it serves on. */
struct server {
	struct process p;
	cptr_t ep, reply, fault_ep, fault_reply;
};

static volatile uint64_t client_result[4];

/* Spawn the peer with a fresh endpoint and reply object (and a fault
 * endpoint, badged FAULT_BADGE, if with_fault). */
static uint64_t server_start(struct server *s, uint64_t arg, bool with_fault)
{
	uint64_t e;
	cptr_t badged = 0;

	memset(s, 0, sizeof(*s));
	s->ep = new_obj(OBJ_ENDPOINT, 0);
	s->reply = new_obj(OBJ_REPLY, 0);
	if (with_fault) {
		s->fault_ep = new_obj(OBJ_ENDPOINT, 0);
		s->fault_reply = new_obj(OBJ_REPLY, 0);
		badged = slot_alloc();
		if ((e = atoll_cnode_mint(ROOT_CNODE, badged, s->fault_ep, RIGHTS_ALL, FAULT_BADGE)))
			return e;
	}
	if ((e = process_spawn(&s->p, "peer", arg, PRIO_PEER, badged)))
		return e;
	if ((e = process_give(&s->p, PEER_SLOT_EP, s->ep, RIGHT_READ, 0)))
		return e;
	return process_give(&s->p, PEER_SLOT_REPLY, s->reply, RIGHTS_ALL, 0);
}

static void server_stop(struct server *s)
{
	process_destroy(&s->p);
}

/* Let lower-priority threads run until they block. */
static void let_others_run(void)
{
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 5), E_OK);
	EXPECT_EQ(atoll_tcb_set_priority(ROOT_TCB, 255), E_OK);
}

/* Let the others run, then take the fault message waiting on the server's
 * fault endpoint (info 0 if there is none: no hang when no fault came). */
static struct ipc_result take_fault(struct server *s)
{
	let_others_run();
	return atoll_ipc_nbrecv(s->fault_ep, s->fault_reply);
}

/* A frame (root cptr) holding `v` in its first word, mapped nowhere. */
static cptr_t value_frame(uint64_t v)
{
	cptr_t f = page_alloc_at(VALUE_PAGE);

	if (!f)
		return 0;
	*(volatile uint64_t *)VALUE_PAGE = v;
	atoll_frame_unmap(f);
	return f;
}

static void drop_frame(cptr_t f)
{
	atoll_cnode_delete(ROOT_CNODE, f);
	slot_free(f);
}

/* --- spawning ------------------------------------------------------------------- */

static void t_spawn_runs_in_own_space(void)
{
	struct server s;

	REQUIRE_OK(server_start(&s, 0x5EED, false));
	EXPECT(s.p.tcb && s.p.cnode && s.p.vspace);
	EXPECT(s.p.nframes >= 1 + PROC_STACK_PAGES + 3);
	struct ipc_result r = atoll_ipc_call(s.ep, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 4);
	EXPECT_EQ(r.mr[1], 0x5EED);                       /* its rdi at start */
	EXPECT(r.mr[2] > PROC_THREAD_AREA && r.mr[2] < PROC_THREAD_AREA + ABI_THREAD_AREA);
	EXPECT_EQ(r.mr[3], PROC_IPCBUF_VADDR);            /* its stack finds its IPC buffer */
	server_stop(&s);
}

static void t_missing_module(void)
{
	struct process p;
	cptr_t probe = slot_alloc();

	slot_free(probe);
	EXPECT_EQ(process_spawn(&p, "no-such-module", 0, PRIO_PEER, 0), E_FAILED_LOOKUP);
	EXPECT(p.why != NULL);
	EXPECT_EQ(p.tcb, 0);
	EXPECT_EQ(process_spawn(&p, "", 0, PRIO_PEER, 0), E_FAILED_LOOKUP);
	EXPECT_EQ(slot_alloc(), probe); /* nothing was taken */
	slot_free(probe);
}

/* A copy of the peer's image in root memory, to corrupt. */
static uint8_t *image_copy(uint64_t *size)
{
	static uint64_t copied;
	const struct abi_module *m = NULL;

	for (uint32_t i = 0; i < suite_bi->module_count; i++)
		if (strcmp(suite_bi->modules[i].name, "peer") == 0)
			m = &suite_bi->modules[i];
	if (!m)
		return NULL;
	for (; copied < m->size; copied += 4096)
		if (!page_alloc_at(IMAGE_COPY + copied))
			return NULL;
	memcpy((void *)(uintptr_t)IMAGE_COPY, (const void *)(uintptr_t)m->vaddr, m->size);
	*size = m->size;
	return (uint8_t *)(uintptr_t)IMAGE_COPY;
}

static void t_bad_elf_refused(void)
{
	struct process p;
	uint64_t size = 0, phoff, word;
	uint8_t *img = image_copy(&size);

	EXPECT(img != NULL);
	if (!img)
		return;
	/* The intact copy loads (so the refusals below are about the damage). */
	EXPECT_EQ(process_spawn_image(&p, img, size, 0, PRIO_PEER, 0), E_OK);
	process_destroy(&p);
	EXPECT_EQ(p.tcb, 0);
	img[0] = 'X'; /* magic */
	EXPECT_EQ(process_spawn_image(&p, img, size, 0, PRIO_PEER, 0), E_INVALID_ARGUMENT);
	EXPECT(p.why && strncmp(p.why, "elf: not an ELF", 15) == 0);
	img[0] = 0x7F;
	EXPECT_EQ(process_spawn_image(&p, img, 100, 0, PRIO_PEER, 0), E_INVALID_ARGUMENT); /* truncated */
	memcpy(&word, img + 24, 8);
	memcpy(img + 24, &(uint64_t){ 0x2000 }, 8); /* entry outside every segment */
	EXPECT_EQ(process_spawn_image(&p, img, size, 0, PRIO_PEER, 0), E_INVALID_ARGUMENT);
	EXPECT(p.why && strcmp(p.why, "elf: entry point is not in an executable segment") == 0);
	memcpy(img + 24, &word, 8);
	memcpy(&phoff, img + 32, 8);
	memcpy(&word, img + phoff + 16, 8); /* first segment's vaddr: up where the stack goes */
	memcpy(img + phoff + 16, &(uint64_t){ PROC_VA_LIMIT - 4096 }, 8);
	EXPECT_EQ(process_spawn_image(&p, img, size, 0, PRIO_PEER, 0), E_INVALID_ARGUMENT);
	EXPECT(p.why && strcmp(p.why, "elf: segment outside the allowed address range") == 0);
	memcpy(img + phoff + 16, &word, 8);
	EXPECT_EQ(process_spawn_image(&p, img, size, 0, PRIO_PEER, 0), E_OK); /* repaired */
	process_destroy(&p);
}

static void t_failed_spawn_cleans_up(void)
{
	struct process p;
	cptr_t probe = slot_alloc();

	slot_free(probe);
	/* Priority above the root's MCP: refused at the very end of the build. */
	EXPECT_EQ(process_spawn(&p, "peer", 0, 256, 0), E_RANGE_ERROR);
	EXPECT(p.why != NULL);
	EXPECT_EQ(p.tcb, 0);
	EXPECT_EQ(p.vspace, 0);
	EXPECT_EQ(p.nframes, 0);
	EXPECT_EQ(p.ntables, 0);
	EXPECT_EQ(slot_alloc(), probe); /* its slots came back (the PML4's last) */
	slot_free(probe);
	/* And the same module spawns fine afterwards. */
	EXPECT_EQ(process_spawn(&p, "peer", 0, PRIO_PEER, 0), E_OK);
	process_destroy(&p);
}

/* --- IPC between address spaces ---------------------------------------------- */

static void t_call_zero_words(void)
{
	struct server s;
	struct ipc_buffer *b = atoll_ipcbuf;

	REQUIRE_OK(server_start(&s, 0, false));
	for (unsigned i = 4; i < 10; i++)
		b->mr[i] = 0;
	struct ipc_result r = atoll_ipc_call(s.ep, msginfo(PEER_SUM, 0, 0, 0), 5, 6, 7, 8);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(r.mr[0], 0); /* no word travelled: MR0-3 were not part of the message */
	EXPECT_EQ(r.mr[1], 0);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 10);
	EXPECT_EQ(b->mr[9], PEER_SUM_FILL + 9); /* the long reply came back through the buffers */
	server_stop(&s);
}

static void t_call_four_words(void)
{
	struct server s;

	REQUIRE_OK(server_start(&s, 0, false));
	struct ipc_result r = atoll_ipc_call(s.ep, msginfo(PEER_ECHO, 0, 0, 4), 0x11, 0x2222, 0x333333, ~0ull);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(MSGINFO_LABEL(r.info), 0);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 4);
	EXPECT_EQ(r.mr[0], 0x11);
	EXPECT_EQ(r.mr[1], 0x2222);
	EXPECT_EQ(r.mr[2], 0x333333);
	EXPECT_EQ(r.mr[3], ~0ull);
	r = atoll_ipc_call(s.ep, msginfo(PEER_ADD, 0, 0, 2), 40, 2, 0, 0);
	EXPECT_EQ(r.mr[0], 42);
	EXPECT_EQ(MSGINFO_LENGTH(r.info), 1);
	r = atoll_ipc_call(s.ep, msginfo(77, 0, 0, 0), 0, 0, 0, 0);
	EXPECT_EQ(MSGINFO_LABEL(r.info), PEER_BAD_LABEL);
	server_stop(&s);
}

static void t_call_ten_words(void)
{
	struct server s;
	struct ipc_buffer *b = atoll_ipcbuf;
	bool ok = true;

	REQUIRE_OK(server_start(&s, 0, false));
	for (uint64_t round = 0; round < 50; round++) {
		for (unsigned i = 4; i < 10; i++)
			b->mr[i] = 100 * round + i;
		struct ipc_result r = atoll_ipc_call(s.ep, msginfo(PEER_SUM, 0, 0, 10), 1, 2, 3, round);
		uint64_t want = 6 + round + 600 * round + (4 + 5 + 6 + 7 + 8 + 9);
		ok &= r.err == E_OK && r.mr[0] == want && r.mr[1] == 10 && MSGINFO_LENGTH(r.info) == 10;
		for (unsigned i = 4; i < 10; i++)
			ok &= b->mr[i] == PEER_SUM_FILL + i;
	}
	EXPECT(ok);
	server_stop(&s);
}

static void t_badges_across_spaces(void)
{
	struct server s;
	cptr_t a = slot_alloc(), c = slot_alloc(), n = new_obj(OBJ_NOTIFICATION, 0);

	REQUIRE_OK(server_start(&s, 0, false));
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, a, s.ep, RIGHTS_ALL, 0xA11CE), E_OK);
	EXPECT_EQ(atoll_cnode_mint(ROOT_CNODE, c, s.ep, RIGHTS_ALL, 0xB0B), E_OK);
	EXPECT_EQ(atoll_ipc_call(a, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0).mr[0], 0xA11CE);
	EXPECT_EQ(atoll_ipc_call(c, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0).mr[0], 0xB0B);
	EXPECT_EQ(atoll_ipc_call(s.ep, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0).mr[0], 0);
	/* The other way: a badge the parent minted into the child's CSpace. */
	EXPECT_EQ(process_give(&s.p, PEER_SLOT_NTFN, n, RIGHT_WRITE, 0x40), E_OK);
	EXPECT_EQ(process_give(&s.p, 3, n, RIGHT_WRITE, 0x40), E_RANGE_ERROR); /* fixed slot */
	struct ipc_result r = atoll_ipc_call(s.ep, msginfo(PEER_SIGNAL, 0, 0, 0), 0, 0, 0, 0);
	EXPECT_EQ(r.mr[0], E_OK);
	EXPECT_EQ(atoll_ntfn_poll(n).badge, 0x40);
	server_stop(&s);
}

/* --- the debug capability in another CSpace ----------------------------------------- */

static uint64_t peer_debug(struct server *s, uint64_t label, cptr_t slot)
{
	struct ipc_result r = atoll_ipc_call(s->ep, msginfo(label, 0, 0, 1), slot, 0, 0, 0);

	EXPECT_EQ(r.err, E_OK);
	return r.mr[0];
}

static void t_process_debug_cap(void)
{
	struct server s;

	REQUIRE_OK(server_start(&s, 0, false));
	/* Nothing ambient: without a debug capability of its own, a clean error. */
	EXPECT_EQ(peer_debug(&s, PEER_PUTS, PEER_SLOT_DEBUG), E_FAILED_LOOKUP);
	EXPECT_EQ(peer_debug(&s, PEER_PUTS, PEER_SLOT_EP), E_INVALID_CAPABILITY);
	EXPECT_EQ(peer_debug(&s, PEER_PUTS, ROOT_DEBUG), E_INVALID_CAPABILITY); /* its reply object there */
	EXPECT_EQ(peer_debug(&s, PEER_EXIT, PEER_SLOT_DEBUG), E_FAILED_LOOKUP);
	/* Given copies: the one with the write right prints, neither ends the run. */
	EXPECT_EQ(process_give(&s.p, PEER_SLOT_DEBUG, ROOT_DEBUG, DEBUG_RIGHT_STATS, 0), E_OK);
	EXPECT_EQ(process_give(&s.p, PEER_SLOT_DEBUG + 1, ROOT_DEBUG, DEBUG_RIGHT_PUTS, 0), E_OK);
	EXPECT_EQ(peer_debug(&s, PEER_PUTS, PEER_SLOT_DEBUG), E_INVALID_CAPABILITY);
	EXPECT_EQ(peer_debug(&s, PEER_PUTS, PEER_SLOT_DEBUG + 1), E_OK);
	EXPECT_EQ(peer_debug(&s, PEER_EXIT, PEER_SLOT_DEBUG), E_INVALID_CAPABILITY);
	EXPECT_EQ(peer_debug(&s, PEER_EXIT, PEER_SLOT_DEBUG + 1), E_INVALID_CAPABILITY);
	server_stop(&s);
}

/* --- faults in another address space ----------------------------------------------- */

static void client_fn(uint64_t ep)
{
	struct ipc_result r = atoll_ipc_call(ep, msginfo(PEER_READ_FAR, 0, 0, 0), 0, 0, 0, 0);

	client_result[0] = r.err;
	client_result[1] = r.mr[0];
}

static void t_fault_reaches_handler(void)
{
	struct server s;
	struct uthread th;
	cptr_t f;

	client_result[0] = client_result[1] = 0xDEAD;
	REQUIRE_OK(server_start(&s, 0, true));
	REQUIRE_OK(thread_create(&th, client_fn, s.ep, PRIO_CLIENT));
	struct ipc_result r = take_fault(&s); /* the peer faulted serving the client */
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_VM);
	EXPECT_EQ(r.badge, FAULT_BADGE);
	EXPECT_EQ(r.mr[1], PEER_FAR_ADDR);
	EXPECT_EQ(r.mr[3] & 5, 4); /* user mode, page not present */
	EXPECT(r.mr[0] >= s.p.entry - 0x10000 && r.mr[0] < s.p.entry + 0x10000); /* its code */
	/* Handle it: map a page holding the answer into the peer's space. */
	EXPECT((f = value_frame(0xC0FFEE)) != 0);
	EXPECT_EQ(process_map(&s.p, f, PEER_FAR_ADDR, RIGHT_READ, 1), E_OK);
	EXPECT_EQ(atoll_ipc_reply(s.fault_reply, 0, 0, 0, 0, 0).err, E_OK);
	let_others_run();
	EXPECT_EQ(client_result[0], E_OK);
	EXPECT_EQ(client_result[1], 0xC0FFEE);
	drop_frame(f);
	server_stop(&s);
}

static void t_segment_rights_enforced(void)
{
	struct server s;

	REQUIRE_OK(server_start(&s, 0, true));
	EXPECT_EQ(atoll_ipc_send(s.ep, msginfo(PEER_WRITE_TEXT, 0, 0, 0), 0, 0, 0, 0).err, E_OK);
	struct ipc_result r = take_fault(&s);
	EXPECT_EQ(MSGINFO_LABEL(r.info), FAULT_VM);
	EXPECT_EQ(r.badge, FAULT_BADGE);
	EXPECT_EQ(r.mr[3] & 7, 7); /* present, write, user: its code is mapped read-only */
	EXPECT(r.mr[1] >= 0x1000000 && r.mr[1] < s.p.entry + 0x10000);
	server_stop(&s);
	EXPECT_EQ(atoll_ipc_reply(s.fault_reply, 0, 0, 0, 0, 0).err, E_ILLEGAL_OPERATION); /* it is gone */
}

static void t_same_vaddr_two_spaces(void)
{
	struct server s1, s2;
	cptr_t f1, f2;

	REQUIRE_OK(server_start(&s1, 1, false));
	REQUIRE_OK(server_start(&s2, 2, false));
	EXPECT((f1 = value_frame(0x1111)) != 0);
	EXPECT((f2 = value_frame(0x2222)) != 0);
	EXPECT_EQ(process_map(&s1.p, f1, PEER_FAR_ADDR, RIGHT_READ, 1), E_OK);
	EXPECT_EQ(process_map(&s2.p, f2, PEER_FAR_ADDR, RIGHT_READ, 1), E_OK);
	EXPECT_EQ(atoll_ipc_call(s1.ep, msginfo(PEER_READ_FAR, 0, 0, 0), 0, 0, 0, 0).mr[0], 0x1111);
	EXPECT_EQ(atoll_ipc_call(s2.ep, msginfo(PEER_READ_FAR, 0, 0, 0), 0, 0, 0, 0).mr[0], 0x2222);
	EXPECT_EQ(atoll_ipc_call(s1.ep, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0).mr[1], 1);
	EXPECT_EQ(atoll_ipc_call(s2.ep, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0).mr[1], 2);
	drop_frame(f1);
	drop_frame(f2);
	server_stop(&s1);
	server_stop(&s2);
}

/* --- destruction ------------------------------------------------------------------ */

static void t_destroy_keeps_endpoint(void)
{
	struct server s;
	struct process again;

	REQUIRE_OK(server_start(&s, 7, false));
	EXPECT_EQ(atoll_ipc_call(s.ep, msginfo(PEER_ADD, 0, 0, 2), 1, 2, 0, 0).mr[0], 3);
	server_stop(&s);
	EXPECT_EQ(s.p.tcb, 0);
	/* The parent's endpoint survives, with nobody receiving on it now. */
	EXPECT_EQ(atoll_ipc_nbsend(s.ep, 0, 0, 0, 0, 0).err, E_OK);
	EXPECT_EQ(atoll_ipc_nbrecv(s.ep, 0).info, 0);
	/* A new process serves on it. */
	REQUIRE_OK(process_spawn(&again, "peer", 8, PRIO_PEER, 0));
	EXPECT_EQ(process_give(&again, PEER_SLOT_EP, s.ep, RIGHT_READ, 0), E_OK);
	EXPECT_EQ(process_give(&again, PEER_SLOT_REPLY, s.reply, RIGHTS_ALL, 0), E_OK);
	struct ipc_result r = atoll_ipc_call(s.ep, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0);
	EXPECT_EQ(r.err, E_OK);
	EXPECT_EQ(r.mr[1], 8);
	process_destroy(&again);
}

static void t_destroy_mid_call(void)
{
	struct server s;
	struct uthread th;

	client_result[0] = client_result[1] = 0xDEAD;
	REQUIRE_OK(server_start(&s, 0, true));
	REQUIRE_OK(thread_create(&th, client_fn, s.ep, PRIO_CLIENT));
	struct ipc_result r = take_fault(&s);
	EXPECT_EQ(r.badge, FAULT_BADGE);
	server_stop(&s); /* the server dies holding the client's call */
	EXPECT_EQ(atoll_ipc_reply(s.fault_reply, 0, 0, 0, 0, 0).err, E_ILLEGAL_OPERATION);
	let_others_run();
	EXPECT_EQ(client_result[0], 0xDEAD); /* still waiting on the reply object */
	EXPECT_EQ(atoll_cnode_delete(ROOT_CNODE, s.reply), E_OK); /* its last capability */
	slot_free(s.reply);
	let_others_run();
	EXPECT_EQ(client_result[0], E_INVALID_CAPABILITY);
}

const struct utest process_tests[] = {
	{ "spawned peer runs in its own address space and CSpace", t_spawn_runs_in_own_space },
	{ "spawn of a missing module fails cleanly", t_missing_module },
	{ "spawn of a damaged ELF image is refused", t_bad_elf_refused },
	{ "a spawn failing late gives everything back", t_failed_spawn_cleans_up },
	{ "call to another address space with 0 words", t_call_zero_words },
	{ "call to another address space with 4 words", t_call_four_words },
	{ "call to another address space with 10 words", t_call_ten_words },
	{ "badges are delivered across address spaces", t_badges_across_spaces },
	{ "a process prints only through a debug capability it was given", t_process_debug_cap },
	{ "a fault in another address space reaches its handler", t_fault_reaches_handler },
	{ "the peer's code segment is mapped read-only", t_segment_rights_enforced },
	{ "one virtual address, two address spaces, two frames", t_same_vaddr_two_spaces },
	{ "destroying a process leaves its endpoint usable", t_destroy_keeps_endpoint },
	{ "destroying a server mid-call: the caller gets an error", t_destroy_mid_call },
};
const unsigned process_tests_count = sizeof(process_tests) / sizeof(process_tests[0]);
