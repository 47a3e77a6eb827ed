/* The launcher: with app=<name> on the kernel command line, cluster 0's
 * root task starts boot module <name> as an application (atoll/app.h: its
 * own CSpace and VSpace, the capabilities listed there and nothing else),
 * waits for its exit status or its first fault, deletes everything it
 * made, and ends the run with a one-test TAP report, so that
 * scripts/boot-test.sh can judge it. Guide: docs/programming.md. */
#include "atoll/alloc.h"
#include "atoll/app.h"
#include "kstring.h"
#include "suite.h"

#define LAUNCH_FAULT_BADGE 0xFA
#define LAUNCH_EXIT_BADGE 0xE7

/* The value of `key=` in cmd (at most cap-1 bytes), or false. */
static bool cmdline_value(const char *cmd, const char *key, char *out, size_t cap)
{
	size_t n = strlen(key), i = 0;

	for (const char *p = cmd; *p; p++) {
		if ((p != cmd && p[-1] != ' ') || strncmp(p, key, n) != 0)
			continue;
		for (p += n; *p && *p != ' ' && i + 1 < cap; p++)
			out[i++] = *p;
		out[i] = 0;
		return i > 0;
	}
	return false;
}

bool launch_requested(const struct abi_bootinfo *bi, char *name, size_t cap)
{
	return cmdline_value(bi->cmdline, "app=", name, cap);
}

/* A fault message (docs/abi.md "IPC"): label 1 a page fault (MR0 rip, MR1
 * address, MR3 error code), label 2 another exception (MR0 rip, MR1 rsp,
 * MR2 vector, MR3 error code). */
static void report_fault(const char *name, const struct ipc_result *r)
{
	const unsigned long long *m = (const unsigned long long *)r->mr;

	if (MSGINFO_LABEL(r->info) == 1)
		printf("launcher: '%s' faulted: page fault at rip %#llx, address %#llx, error code %#llx\n", name, m[0],
		       m[1], m[3]);
	else
		printf("launcher: '%s' faulted: exception %llu at rip %#llx, rsp %#llx, error code %#llx\n", name, m[2],
		       m[0], m[1], m[3]);
}

/* Wait for the application's exit message (true, *status set) or its
 * fault (reported; false). */
static bool wait_app(const char *name, cptr_t ep, cptr_t reply, long *status)
{
	for (;;) {
		struct ipc_result r = atoll_ipc_recv(ep, reply);
		if (r.err) {
			printf("launcher: receive failed: error %llu\n", (unsigned long long)r.err);
			return false;
		}
		if (r.badge == LAUNCH_EXIT_BADGE && MSGINFO_LABEL(r.info) == APP_EXIT_LABEL) {
			*status = (long)r.mr[0];
			return true;
		}
		if (r.badge == LAUNCH_FAULT_BADGE) {
			report_fault(name, &r);
			return false;
		}
		printf("launcher: ignored a message (badge %#llx, label %llu)\n", (unsigned long long)r.badge,
		       (unsigned long long)MSGINFO_LABEL(r.info));
	}
}

int launch_app(const char *name)
{
	struct app a;
	uint64_t e;
	cptr_t ep = new_obj(OBJ_ENDPOINT, 0), reply = new_obj(OBJ_REPLY, 0);
	const struct app_params prm = {
		.module = name, .cmdline = suite_bi->cmdline, .ep = ep, .fault_badge = LAUNCH_FAULT_BADGE,
		.exit_badge = LAUNCH_EXIT_BADGE, .untyped_bits = APP_UNTYPED_BITS, .give_image = true,
		.prio = APP_PRIO,
	};
	long status = -1;
	bool exited = false;

	if (!ep || !reply)
		return 1;
	printf("launcher: starting '%s' in its own CSpace and VSpace (slots 1-5, 9, 10: docs/programming.md)\n",
	       name);
	if ((e = app_spawn(&a, &prm)))
		printf("launcher: cannot start '%s': %s (error %llu)\n", name, a.why, (unsigned long long)e);
	else
		exited = wait_app(name, ep, reply, &status);
	app_destroy(&a);
	if (exited)
		printf("launcher: '%s' exited with status %ld\n", name, status);
	else if (!e)
		printf("launcher: '%s' ended without an exit status\n", name);
	status = exited ? status : -1;
	printf("%s 1 - app %s ran and exited with status 0\n", status == 0 ? "ok" : "not ok", name);
	printf("%u passed, %u failed\n", status == 0 ? 1u : 0u, status == 0 ? 0u : 1u);
	return status == 0 ? 0 : 1;
}
