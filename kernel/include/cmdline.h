/*
 * Kernel command line (from grub.cfg): space-separated key=value options.
 * Unknown keys warn; bad values get a message and a safe default. Pure C,
 * host-tested.
 */
#pragma once
#include "types.h"

#define KOPT_STR_MAX 32
#define CLUSTER_SIZE_ALL 0 /* cluster_size=all */

struct kopts {
	uint32_t cluster_size;        /* cluster_size=1..256|all; default all */
	uint8_t cluster_by;           /* cluster_size=smt|l2|llc|socket: enum cluster_by
	                                 (cluster_plan.h); CLUSTER_BY_COUNT (0) for a number or all */
	char test[KOPT_STR_MAX];      /* test=<name>: run a test mode; "" = none */
	uint32_t loglevel;            /* loglevel=0..4; default 2 */
	bool fastpath;                /* fastpath=on|off; default on */
	bool lock_stats;              /* lockstats=on|off: kernel lock statistics; default off */
	bool entry_stats;             /* entrystats=on|off: time every kernel entry; default on
	                                 exactly when test= is given */
	uint64_t seed;                /* seed=<u64>; default 1 */
	bool poweroff;                /* false for exit=halt: stay on screen at the end */
	uint8_t exit;                 /* exit=poweroff|halt|reboot|qemu|acpi (KEXIT_*);
	                                 default poweroff */
	char bench[KOPT_STR_MAX];     /* bench=<name>; "" = none */
	char init[KOPT_STR_MAX];      /* init=<module>: the root task; default "init" */
	bool compat32;                /* compat32=on|off: a 32-bit user code segment (tests); default off */
	uint8_t kcheck;               /* kcheck=off|on|full: invariant checks (KCHECK_*); default off */
	uint32_t kcheck_every;        /* kcheck_every=N: a full check every N entries; 0 = the default */
	uint32_t test_ap_fail;        /* test_ap_fail=N: logical core N (1..255) does not answer its
	                                 start-up (tests the boot without it); 0 = none */
};

/* exit= values: how a run ends (docs/boot.md, "Ending a run"). */
#define KEXIT_POWEROFF 0 /* emulator exit ports under a hypervisor, else ACPI S5 */
#define KEXIT_HALT 1     /* message on screen, halt: no port written, anywhere */
#define KEXIT_REBOOT 2   /* FADT reset register */
#define KEXIT_QEMU 3     /* emulator exit ports even without a hypervisor bit */
#define KEXIT_ACPI 4     /* ACPI S5 even under a hypervisor (tests the PC path) */

/* kcheck= values (docs/invariants.md). */
#define KCHECK_MODE_OFF 0
#define KCHECK_MODE_ON 1   /* entry checks after every kernel entry, a full check every N */
#define KCHECK_MODE_FULL 2 /* a full check after every kernel entry */

/* Called once per problem found: a complete message without newline. */
typedef void (*kopt_warn_fn)(void *ctx, const char *msg);

/* Fill *o with defaults, then apply `line` (may be NULL). Returns the number
 * of warnings issued. Never fails: every bad input has a default. */
unsigned cmdline_parse(const char *line, struct kopts *o, kopt_warn_fn warn, void *ctx);
