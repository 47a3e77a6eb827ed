/*
 * The clustered multikernel (DESIGN §2, docs/clusters.md): the cores are
 * grouped into clusters; each runs its own kernel instance with its own copy
 * of .data/.bss and its own partition of physical memory, behind its own
 * kernel page tables. Inside a cluster of several cores one fair kernel lock
 * is taken on every kernel entry (kernel_enter; SYS_NULL makes none). Across
 * clusters only the shared region (the cross-cluster notification words and
 * channel rings) and .kshared are touched (docs/clusters.md §5).
 *
 * smp/ is a service of the kernel: kernel/ calls it, it calls nothing in
 * kernel/ but the leaf services (panic, kprintf, boot memory, the cluster
 * plan) and reaches the CPU through arch_* functions only. The one place it
 * writes kernel state is struct core (smp/README.md says why).
 */
#pragma once
#include "cluster_plan.h"
#include "layout.h"
#include "sched.h"

struct cpu;
struct core;
struct kernel_boot;

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

/* What one kernel instance knows about itself and the others. Written by
 * the boot core in smp_boot (into each cluster's copy of .data), read-only
 * after. */
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
 * tables and data (cluster, cluster_cores and the boot record `kb`, which
 * must lie in .data/.bss, copied into each). Returns in cluster 0. */
void smp_boot(struct kernel_boot *kb);
/* Boot core, after smp_boot and its first kernel entry (it holds cluster
 * 0's lock): start every other core (each calls kernel_ap_main), then
 * switch to cluster 0's own tables. */
void smp_start_cores(void);
/* This core's LINT0/LINT1 from the MADT's NMI entries (every core, once). */
void smp_core_lints(const struct kernel_boot *kb);
/* Cores online in the whole machine (boot core's count). */
uint32_t smp_cores_online(void);

/* The kernel lock (ticket lock; a no-op when !cluster.lock_on). Taken and
 * dropped by the kernel's entry and exit hooks only (kernel/entry.c).
 * klock_acquire serves this core's requests while it waits and returns
 * the TSC ticks it waited (0 if it did not). */
uint64_t klock_acquire(void);
void klock_release(void);

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
/* Page tables rooted at `root` changed (0: any, e.g. an ASID reused):
 * cores of the cluster that may hold translations of it flush (this core
 * has flushed its own: the arch primitive did). Called by the object
 * layer when a primitive reports that it removed a live entry. */
void smp_tlb_shootdown(paddr_t root);
