/*
 * The clustered multikernel (DESIGN §2, docs/clusters.md): the cores are
 * grouped into clusters; each runs its own kernel instance with its own copy
 * of .data/.bss and its own partition of physical memory, behind its own
 * kernel page tables. Inside a cluster of several cores one fair kernel lock
 * is taken on every kernel entry. Across clusters only the cross-cluster
 * notification words in the shared region are touched.
 */
#pragma once
#include "cluster_plan.h"
#include "kernel.h"
#include "layout.h"
#include "sched.h"

struct cpu;
struct core;

/* The shared region: one cache line per cluster's inbound cross-cluster
 * notification word, then one message-ring page per ordered pair. */
#define CHAN_RING_BYTES 4096ull
#define SHARED_RINGS_OFFSET 0x10000ull

/* Shared by all clusters (the shared region, not .kshared): every access
 * to the word is one atomic read-modify-write or an acquire load, as the
 * protocol says (kernel/object/xnotif.c, docs/xnotif.md). */
struct xnotif_line {
	uint64_t word;
	uint64_t pad[7];
} __attribute__((aligned(64)));

struct shared_region {
	struct xnotif_line inbound[MAX_CLUSTERS];
};
_Static_assert(sizeof(struct shared_region) <= SHARED_RINGS_OFFSET, "shared header fits");

/* What one kernel instance knows about itself and the others. */
struct cluster {
	uint32_t id, count;           /* this cluster; how many there are */
	uint32_t first_core, ncores;  /* its cores: logical [first_core, first_core + ncores) */
	uint32_t total_cores;         /* cores used by all clusters */
	uint32_t core_apic[MAX_CORES]; /* logical core -> APIC id (every cluster's) */
	paddr_t shared_pa;            /* the shared region */
	uint64_t shared_bytes;
	struct mem_partition part;    /* this cluster's memory */
	paddr_t part_base[MAX_CLUSTERS]; /* where each cluster's partition starts (self-tests) */
	paddr_t kernel_pml4;          /* this cluster's kernel tables */
	bool lock_on;                 /* more than one core: the kernel lock is taken */
	bool lock_stats;              /* count lock and IPI statistics */
};
extern struct cluster cluster;

static inline struct shared_region *shared_region(void)
{
	return phys_to_virt(cluster.shared_pa);
}
/* The ring page cluster `from` writes and cluster `to` reads. */
static inline paddr_t chan_ring_pa(uint32_t from, uint32_t to)
{
	return cluster.shared_pa + SHARED_RINGS_OFFSET + ((paddr_t)from * cluster.count + to) * CHAN_RING_BYTES;
}
uint64_t shared_region_bytes(uint32_t clusters);

/* Boot core: plan the clusters, partition memory, set up each cluster's
 * tables and data, start every core. Returns in cluster 0, on its tables. */
void smp_boot(struct kernel_boot *kb);
/* An application processor, in its cluster's tables (never returns). */
NORETURN void smp_ap_main(struct cpu *c);
/* The rest of a cluster's boot on its first core: the root task, then run. */
NORETURN void cluster_run(struct kernel_boot *kb);
/* Cores online in the whole machine (boot core's count). */
uint32_t smp_cores_online(void);

/* The kernel lock (ticket lock; a no-op in a cluster of one core). */
extern bool klock_active; /* = cluster.lock_on; read by the entry code */
void klock_acquire(void);
void klock_release(void);
/* Kernel entry from user mode: take the lock. Returns false if, while this
 * core waited, another core stopped its thread (sched_stall): the entry's
 * work for that thread is then void. */
enum { ENTRY_NONE, ENTRY_SYSCALL, ENTRY_TRAP };
bool kernel_enter(int kind);

/* Requests to another core of the cluster, by IPI. */
#define KICK_RESCHED 1u /* choose again */
#define KICK_STALL 2u   /* stop running the current thread */
#define KICK_TLB 4u     /* flush the TLB */
#define KICK_ROOT 8u    /* stop using the page tables being destroyed (smp_forget_root) */
void smp_kick(struct core *c, uint32_t what);      /* asynchronous */
void smp_kick_sync(struct core *c, uint32_t what); /* waits until done */
/* Run the requests other cores left for this one. */
void smp_poll_kicks(void);
/* The page tables rooted at `root` are being destroyed: every core of the
 * cluster that has them in CR3 (an idle core keeps the last thread's)
 * switches to the kernel's tables first, this one included. */
void smp_forget_root(paddr_t root);
/* Page tables rooted at `root` changed: cores of the cluster that may hold
 * translations of it flush (this core has flushed its own). */
void smp_tlb_shootdown(paddr_t root);
/* This core loaded `root` into CR3 (inline: it is on the IPC fastpath's
 * address-space switch, which must stay a leaf function). */
static inline void smp_note_cr3(paddr_t root)
{
	if (cluster_cores)
		this_core()->cr3_root = root;
}
