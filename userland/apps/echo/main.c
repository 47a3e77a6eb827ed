/*
 * echo: a server and its client, two processes, each with its own CSpace
 * and VSpace. Started by the launcher, the program is the server: it makes
 * an endpoint and a reply object from its own untyped memory, starts a
 * second copy of its own image as the client (command line "echo=client")
 * and gives it two badged, send-only copies of the endpoint. The client
 * Calls through both; the server tells the callers apart by the badge and
 * answers each with ReplyRecv through its reply object. The client's exit
 * status comes back on the same endpoint under a third badge; the server
 * exits with it. Started with `make run APP=echo`.
 */
#include "atoll/alloc.h"
#include "atoll/app.h"
#include "kstring.h"

#define BADGE_A 0xA         /* the client's slot 16 */
#define BADGE_B 0xB         /* the client's slot 17 */
#define BADGE_FAULT 0xF0    /* the client faulted */
#define BADGE_EXIT 0xE0     /* the client exited */
#define CLIENT_SLOT_A APP_SLOT_GIVEN
#define CLIENT_SLOT_B (APP_SLOT_GIVEN + 1)
#define ECHO_LONG_WORDS 10  /* a message longer than the 4 register words */

/* Up to 32 bytes of text in four message words, and back. */
static void pack(const char *s, uint64_t w[4])
{
	memset(w, 0, 4 * sizeof(uint64_t));
	memcpy(w, s, strnlen(s, 4 * sizeof(uint64_t) - 1));
}

static const char *unpack(const uint64_t *w, char *buf)
{
	memcpy(buf, w, 4 * sizeof(uint64_t));
	buf[4 * sizeof(uint64_t)] = 0;
	return buf;
}

/* --- the client: its own process, started by the server ------------------ */

static int failures;

/* Call through slot `ep` with text `s`; the reply must echo it under the label 1. */
static void call_text(cptr_t ep, const char *s)
{
	uint64_t w[4];
	char back[33];

	pack(s, w);
	struct ipc_result r = atoll_ipc_call(ep, msginfo(1, 0, 0, 4), w[0], w[1], w[2], w[3]);
	bool ok = r.err == E_OK && MSGINFO_LENGTH(r.info) == 4 && memcmp(r.mr, w, sizeof(w)) == 0;
	printf("echo client: Call on slot %llu: '%s' -> '%s', label %llu%s\n", (unsigned long long)ep, s,
	       unpack(r.mr, back), (unsigned long long)MSGINFO_LABEL(r.info), ok ? "" : " (WRONG)");
	failures += !ok;
}

/* A 10-word message: words 4-9 travel through the IPC buffers. */
static void call_long(cptr_t ep)
{
	struct ipc_buffer *b = atoll_ipcbuf;
	uint64_t sum = 0;
	bool ok;

	for (unsigned i = 4; i < ECHO_LONG_WORDS; i++)
		b->mr[i] = 1000 + i;
	struct ipc_result r = atoll_ipc_call(ep, msginfo(2, 0, 0, ECHO_LONG_WORDS), 1, 2, 3, 4);
	for (unsigned i = 4; i < ECHO_LONG_WORDS; i++)
		sum += b->mr[i];
	ok = r.err == E_OK && MSGINFO_LENGTH(r.info) == ECHO_LONG_WORDS && r.mr[3] == 4 && sum == 6000 + 39;
	printf("echo client: Call with %u words (6 through the IPC buffer): %u words back, sum of words 4-9 %llu%s\n",
	       ECHO_LONG_WORDS, (unsigned)MSGINFO_LENGTH(r.info), (unsigned long long)sum, ok ? "" : " (WRONG)");
	failures += !ok;
}

static int client(void)
{
	uint64_t e;

	printf("echo client: running in a second address space\n");
	call_text(CLIENT_SLOT_A, "ping through A");
	call_text(CLIENT_SLOT_B, "ping through B");
	call_long(CLIENT_SLOT_A);
	/* What it may not do with what it got, and what it did not get. */
	e = atoll_ipc_nbrecv(CLIENT_SLOT_A, 0).err;
	printf("echo client: receive on its send-only endpoint: %s\n", e == E_INVALID_CAPABILITY ? "refused" : "ALLOWED");
	failures += e != E_INVALID_CAPABILITY;
	e = atoll_ntfn_poll(APP_SLOT_UNTYPED).err;
	printf("echo client: slot %u (no untyped given): %s\n", APP_SLOT_UNTYPED, e == E_FAILED_LOOKUP ? "empty" : "FULL");
	failures += e != E_FAILED_LOOKUP;
	printf("echo client: done, exiting with status %d\n", failures ? 1 : 0);
	return failures ? 1 : 0;
}

/* --- the server -------------------------------------------------------------- */

static int start_client(struct app *c, cptr_t ep)
{
	const struct app_params prm = {
		.module = "echo", .cmdline = "echo=client", .ep = ep, .fault_badge = BADGE_FAULT,
		.exit_badge = BADGE_EXIT, .untyped_bits = 0, .give_image = false, .prio = APP_PRIO - 10,
	};
	uint64_t e = app_spawn(c, &prm);

	if (!e)
		e = app_give(c, CLIENT_SLOT_A, ep, RIGHT_WRITE | RIGHT_GRANT_REPLY, BADGE_A);
	if (!e)
		e = app_give(c, CLIENT_SLOT_B, ep, RIGHT_WRITE | RIGHT_GRANT_REPLY, BADGE_B);
	if (e)
		printf("echo server: cannot start the client: %s (error %llu)\n", c->why ? c->why : "app_give",
		       (unsigned long long)e);
	return e ? -1 : 0;
}

/* Serve until the client exits (its status) or faults (-1). */
static long serve(cptr_t ep, cptr_t reply)
{
	struct ipc_result r = atoll_ipc_recv(ep, reply);
	char text[33];

	for (;;) {
		if (r.err)
			return -1;
		if (r.badge == BADGE_EXIT) {
			printf("echo server: badge %#llx: the client exited with status %llu\n",
			       (unsigned long long)r.badge, (unsigned long long)r.mr[0]);
			return (long)r.mr[0];
		}
		if (r.badge == BADGE_FAULT) {
			printf("echo server: badge %#llx: the client faulted (fault %llu at %#llx)\n",
			       (unsigned long long)r.badge, (unsigned long long)MSGINFO_LABEL(r.info),
			       (unsigned long long)r.mr[0]);
			return -1;
		}
		unsigned len = (unsigned)MSGINFO_LENGTH(r.info);
		if (MSGINFO_LABEL(r.info) == 1)
			printf("echo server: badge %#llx (caller %c): '%s'\n", (unsigned long long)r.badge,
			       r.badge == BADGE_A ? 'A' : 'B', unpack(r.mr, text));
		else
			printf("echo server: badge %#llx: %u words, echoed\n", (unsigned long long)r.badge, len);
		/* The same words back: MR0-3 in registers, the rest already in our IPC buffer. */
		r = atoll_ipc_replyrecv(ep, reply, msginfo(1, 0, 0, len), r.mr[0], r.mr[1], r.mr[2], r.mr[3]);
	}
}

int main(struct abi_bootinfo *bi)
{
	struct app c;
	uint64_t e;
	cptr_t ep, reply;

	if (strcmp(bi->cmdline, "echo=client") == 0) /* the copy the server started */
		return client();
	alloc_init(bi);
	if (!(ep = obj_alloc(OBJ_ENDPOINT, 0, &e)) || !(reply = obj_alloc(OBJ_REPLY, 0, &e))) {
		printf("echo server: cannot make its endpoint and reply object: error %llu\n", (unsigned long long)e);
		return 1;
	}
	printf("echo server: endpoint in slot %llu, reply object in slot %llu; starting the client\n",
	       (unsigned long long)ep, (unsigned long long)reply);
	if (start_client(&c, ep))
		return 1;
	long status = serve(ep, reply);
	app_destroy(&c);
	printf("echo server: client gone, exiting with status %ld\n", status);
	return status == 0 ? 0 : 1;
}
