/*
 * Applications: a program from a boot module started as a process
 * (atoll/process.h) with a small, fixed set of capabilities and a boot
 * information page of its own, so that its main(bi) reads like a root
 * task's: the runtime prints through APP_SLOT_DEBUG (the same slot number
 * as ROOT_DEBUG) and the allocators of atoll/alloc.h work on the CNode
 * slots and untyped memory its boot information lists. The root task's
 * launcher (kernel command line app=<name>) starts one; an application can
 * start more with app_spawn (the echo example starts its client so).
 * Guide: docs/programming.md.
 */
#pragma once
#include "atoll/process.h"

/* An application's CNode (radix 8: cptr n < 256 names slot n). Exactly
 * these slots are filled when it starts; every other slot is empty. */
enum app_slot {
	APP_SLOT_TCB = PROC_SLOT_TCB,       /* 1: its own thread */
	APP_SLOT_CNODE = PROC_SLOT_CNODE,   /* 2: its CNode (all rights: it manages its slots) */
	APP_SLOT_VSPACE = PROC_SLOT_VSPACE, /* 3: its PML4 (it maps its own memory) */
	APP_SLOT_FAULT = PROC_SLOT_FAULT,   /* 4: where its faults go (the parent's endpoint, badged) */
	APP_SLOT_EXIT = 5,                  /* 5: the parent's endpoint, send right only, badged:
					     * atoll_exit sends the exit status here */
	APP_SLOT_DEBUG = ROOT_DEBUG,        /* 9: debug capability with the print right only */
	APP_SLOT_UNTYPED = 10,              /* 10: untyped memory of its own (if the parent gave some) */
	APP_SLOT_GIVEN = 16,                /* 16-31: extra capabilities its parent gives (app_give) */
	APP_SLOT_FREE = 32,                 /* 32-255: empty, for the application's own use */
};
#define APP_SLOT_GIVEN_END APP_SLOT_FREE
/* atoll_exit's message on APP_SLOT_EXIT: label APP_EXIT_LABEL, MR0 = status. */
#define APP_EXIT_LABEL 0xE1
/* The default memory an application gets: one untyped of 2^APP_UNTYPED_BITS bytes. */
#define APP_UNTYPED_BITS 20
/* Its boot information (struct abi_bootinfo, read-only) at ABI_BOOTINFO_VADDR,
 * the address main receives; its own ELF image (if given) at ABI_MODULES_VADDR. */
#define APP_MAX_COPIED 64 /* boot information + image pages */
#define APP_PRIO 100      /* default priority (the root task runs at 255) */

struct app_params {
	const char *module;    /* boot module to start (in the spawner's boot information) */
	const char *cmdline;   /* copied into its boot information's cmdline */
	cptr_t ep;             /* spawner's endpoint: faults and the exit status arrive here */
	uint64_t fault_badge;  /* badge of its fault messages (nonzero) */
	uint64_t exit_badge;   /* badge of its exit message (nonzero) */
	unsigned untyped_bits; /* its memory: 0 = none, else 12..40 */
	bool give_image;       /* map a copy of its own module, listed as module 0 */
	uint64_t prio;         /* its priority and its MCP (at most the spawner's MCP): it may
				* run children up to its own priority */
};

struct app {
	struct process p;
	cptr_t fault_cap;          /* spawner's badged copy of ep for the fault slot */
	cptr_t untyped;            /* the original of its untyped (revoked at destroy) */
	cptr_t copied[APP_MAX_COPIED]; /* frames of its boot information and image */
	unsigned ncopied;
	const char *why;           /* after a failure: what went wrong (static text) */
};

/* Start a.module as a process with the capabilities listed above, at
 * priority prio, main(bi) with bi = its boot information. Returns E_OK or
 * an error with a->why set; on failure everything made is deleted again. */
uint64_t app_spawn(struct app *a, const struct app_params *prm);
/* (One thread of a program spawns at a time: app_spawn is not reentrant.) */
/* Put a copy of src (a spawner cptr) with `rights` (badged if nonzero) into
 * slot APP_SLOT_GIVEN..APP_SLOT_GIVEN_END-1 of the application's CNode. */
uint64_t app_give(struct app *a, uint64_t slot, cptr_t src, uint64_t rights, uint64_t badge);
/* Stop it and delete everything made for it, including every object it
 * made from its untyped memory. Safe on a partial application. */
void app_destroy(struct app *a);
