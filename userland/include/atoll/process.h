/*
 * Processes: a program from a boot module in an address space and CSpace
 * of its own, built by the root task (userland/lib/elf_load.c). The parent
 * keeps the original capability to every object it made for the process
 * (in the root CNode, listed in struct process); destroying the process
 * deletes them all, which makes the kernel finalise the objects.
 */
#pragma once
#include "atoll/alloc.h"

/* The child's CNode: radix 8 with a 56-bit guard, so a cptr n < 256 names
 * slot n, as in the root CNode. Fixed slots: */
enum process_slot {
	PROC_SLOT_TCB = 1,    /* its own TCB */
	PROC_SLOT_CNODE = 2,  /* its CNode */
	PROC_SLOT_VSPACE = 3, /* its PML4 */
	PROC_SLOT_FAULT = 4,  /* the fault endpoint given at spawn (empty if none) */
	PROC_SLOT_GIVEN = 8,  /* first slot for process_give */
};
#define PROC_CNODE_RADIX 8

/* The child's address space: ELF segments below PROC_VA_LIMIT; one thread
 * area (IPC buffer page at its base, stack pages at its top) above it. */
#define PROC_VA_LIMIT 0x00007F0000000000ull
#define PROC_THREAD_AREA PROC_VA_LIMIT
#define PROC_IPCBUF_VADDR PROC_THREAD_AREA
#define PROC_STACK_PAGES 8
#define PROC_MAX_FRAMES 128 /* ELF pages + IPC buffer + stack pages */
#define PROC_MAX_TABLES 24  /* PDPTs, page directories, page tables */

struct process {
	cptr_t tcb, cnode, vspace; /* root-CNode slots: the original capabilities */
	cptr_t frames[PROC_MAX_FRAMES];
	cptr_t tables[PROC_MAX_TABLES];
	uint64_t table_va[PROC_MAX_TABLES]; /* the region each table covers, with its level */
	unsigned nframes, ntables;
	uint64_t entry;
	const char *why; /* after a failed spawn: what went wrong (static text) */
};

/* Use bi's module list (optional: by default the root task's own boot
 * information at ABI_BOOTINFO_VADDR). The root allocators must be ready. */
void process_init(struct abi_bootinfo *bi);
/* Load boot module `module_name` as a new process and start its thread at
 * priority prio with rdi = arg; faults go to fault_ep (a root cptr, copied
 * into PROC_SLOT_FAULT; 0 = none). Returns E_OK, E_FAILED_LOOKUP (no such
 * module), E_INVALID_ARGUMENT (not a loadable ELF; p->why says why),
 * E_RANGE_ERROR (too many pages) or a kernel error. On failure every
 * capability made is deleted again and its slot freed (the untyped memory
 * is not reclaimed), and p->why says what went wrong. */
uint64_t process_spawn(struct process *p, const char *module_name, uint64_t arg, uint64_t prio,
		       cptr_t fault_ep);
/* The same, but the thread is left stopped: the parent finishes the
 * process (process_give, process_map) and starts it with
 * atoll_tcb_resume(p->tcb). Another core of the cluster cannot run it early. */
uint64_t process_spawn_stopped(struct process *p, const char *module_name, uint64_t arg, uint64_t prio,
			       cptr_t fault_ep);
/* The same from an image in the root's memory (size bytes at img). */
uint64_t process_spawn_image(struct process *p, const void *img, uint64_t size, uint64_t arg,
			     uint64_t prio, cptr_t fault_ep);
/* Give the child a copy of src (a root cptr) in slot (PROC_SLOT_GIVEN..255)
 * with fewer rights; a nonzero badge mints it (Endpoint, Notification). */
uint64_t process_give(struct process *p, uint64_t slot, cptr_t src, uint64_t rights, uint64_t badge);
/* Map a frame (root cptr) at vaddr in the child's space, making paging
 * structures as needed; attrs bit 0 = no-execute. The frame stays the
 * caller's (not deleted by process_destroy). */
uint64_t process_map(struct process *p, cptr_t frame, uint64_t vaddr, uint64_t rights, uint64_t attrs);
/* Stop the thread and delete every capability the parent holds to the
 * process's objects (and their copies): TCB, CNode (with the capabilities
 * given to it), frames, paging structures, PML4. Safe on a partial process. */
void process_destroy(struct process *p);
/* Revoke and delete the capability in the caller's slot *s (retrying on
 * preemption), free the slot and zero *s; nothing if *s is 0. */
void slot_drop(cptr_t *s);

/*
 * The peer server (userland/peer): slot 8 an endpoint it receives on, slot 9
 * its reply object, slot 10 (optional) a notification, slot 11 (optional)
 * a debug capability. Request labels:
 */
enum peer_label {
	PEER_ECHO = 1,       /* reply MR0..3 as received (4 words) */
	PEER_ADD = 2,        /* reply MR0 + MR1 (1 word) */
	PEER_SUM = 3,        /* reply: sum of the received words, their count, then
			      * words 2..9 = PEER_SUM_FILL + index (10 words) */
	PEER_READ_FAR = 4,   /* read the word at PEER_FAR_ADDR (unmapped unless
			      * the parent maps it) and reply it (1 word) */
	PEER_WHO = 5,        /* reply: badge received, spawn argument, rsp, IPC buffer */
	PEER_WRITE_TEXT = 6, /* write to its own (read-only) code; reply 0 if it survived */
	PEER_SIGNAL = 7,     /* signal the notification in slot 10; reply its error */
	PEER_PUTS = 8,       /* print a line through the debug capability in slot MR0
			      * (runtime output from then on too); reply the error */
	PEER_EXIT = 9,       /* DEBUG_EXIT, verdict fail, through slot MR0; reply the
			      * error (a run that ends here fails) */
};
#define PEER_SLOT_EP 8
#define PEER_SLOT_REPLY 9
#define PEER_SLOT_NTFN 10
#define PEER_SLOT_DEBUG 11
#define PEER_FAR_ADDR 0x0000000050000000ull
#define PEER_SUM_FILL 1000
#define PEER_BAD_LABEL 0xFFF /* reply label for an unknown request */
