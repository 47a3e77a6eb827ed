/* `make run` without test=: the root task starts the peer program in an
 * address space of its own and prints a short client/server exchange. */
#include "atoll/process.h"

void demo_run(void);

#define DEMO_PEER_PRIO 150
#define DEMO_PEER_ID 0xA5

static cptr_t demo_obj(uint64_t type)
{
	uint64_t err;

	return obj_alloc(type, 0, &err);
}

/* The calls, one line each; the WHO answer shows whose stack replied. */
static void demo_calls(cptr_t ep)
{
	struct ipc_buffer *b = atoll_ipcbuf;
	struct ipc_result r = atoll_ipc_call(ep, msginfo(PEER_WHO, 0, 0, 0), 0, 0, 0, 0);

	printf("demo: root -> peer who()             = id %#llx, rsp %#llx (peer's address space)\n",
	       (unsigned long long)r.mr[1], (unsigned long long)r.mr[2]);
	r = atoll_ipc_call(ep, msginfo(PEER_ECHO, 0, 0, 4), 7, 8, 9, 10);
	printf("demo: root -> peer echo(7, 8, 9, 10) = %llu %llu %llu %llu (answered by peer, id %#x)\n",
	       (unsigned long long)r.mr[0], (unsigned long long)r.mr[1], (unsigned long long)r.mr[2],
	       (unsigned long long)r.mr[3], DEMO_PEER_ID);
	r = atoll_ipc_call(ep, msginfo(PEER_ADD, 0, 0, 2), 40, 2, 0, 0);
	printf("demo: root -> peer add(40, 2)        = %llu (answered by peer, id %#x)\n",
	       (unsigned long long)r.mr[0], DEMO_PEER_ID);
	for (unsigned i = 4; i < 10; i++)
		b->mr[i] = i + 1;
	r = atoll_ipc_call(ep, msginfo(PEER_SUM, 0, 0, 10), 1, 2, 3, 4);
	printf("demo: root -> peer sum(1..10)        = %llu over %llu words, 6 via the IPC buffers "
	       "(answered by peer, id %#x)\n",
	       (unsigned long long)r.mr[0], (unsigned long long)r.mr[1], DEMO_PEER_ID);
}

void demo_run(void)
{
	struct process p;
	cptr_t ep = demo_obj(OBJ_ENDPOINT), reply = demo_obj(OBJ_REPLY);
	uint64_t e;

	if (!ep || !reply) {
		printf("demo: out of memory\n");
		return;
	}
	e = process_spawn(&p, "peer", DEMO_PEER_ID, DEMO_PEER_PRIO, 0);
	if (e) {
		printf("demo: cannot start the peer (error %llu: %s)\n", (unsigned long long)e, p.why);
		return;
	}
	if ((e = process_give(&p, PEER_SLOT_EP, ep, RIGHT_READ, 0)) ||
	    (e = process_give(&p, PEER_SLOT_REPLY, reply, RIGHTS_ALL, 0))) {
		printf("demo: cannot give the peer its capabilities (error %llu)\n", (unsigned long long)e);
		process_destroy(&p);
		return;
	}
	printf("demo: root task started 'peer' (entry %#llx) in its own address space and CSpace\n",
	       (unsigned long long)p.entry);
	demo_calls(ep);
	process_destroy(&p);
	printf("demo: peer destroyed; the root task goes on\n");
}
