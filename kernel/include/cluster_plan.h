/*
 * Cluster planning at boot (pure C, host-tested): which cores form which
 * cluster, and how free physical memory splits into one partition per
 * cluster plus the small shared region. See docs/clusters.md.
 */
#pragma once
#include "bootmem.h"
#include "types.h"

#define MAX_CORES 64        /* cores Atoll uses; more are left halted */
#define MAX_CLUSTERS 32     /* kernel instances */
#define PART_MAX_RANGES 16  /* physical ranges per partition */
#define PART_ALIGN LARGE_PAGE_SIZE    /* partitions are 2 MiB granular */
#define PART_MIN_BYTES (8ull << 20)  /* a cluster needs at least this much */

struct cluster_layout {
	uint32_t size;  /* cores per cluster, as used */
	uint32_t count; /* clusters */
	uint32_t cores; /* cores used: size * count */
};

/*
 * Cores 0..ncores-1 (0 = the boot core) go into clusters of `requested`
 * consecutive cores (0 = all). A size that does not fit falls back to the
 * nearest one that does, and warn() says why (msg is NUL-terminated).
 */
void cluster_layout_plan(uint32_t requested, uint32_t ncores, struct cluster_layout *l,
			 void (*warn)(void *ctx, const char *msg), void *ctx);

struct mem_range {
	paddr_t base, end; /* [base, end) */
};

struct mem_partition {
	uint32_t n;
	uint64_t bytes;
	struct mem_range r[PART_MAX_RANGES];
};

struct mem_plan {
	struct mem_range shared;               /* 2 MiB aligned, shared by all */
	uint32_t count;                        /* partitions = clusters */
	struct mem_partition part[MAX_CLUSTERS];
	uint64_t unused;                       /* free bytes left out (fringes) */
};

/*
 * Split the free ranges of `free` (sorted, disjoint) into `clusters` equal
 * partitions of 2 MiB-aligned memory after taking `shared_bytes` (rounded up
 * to 2 MiB) for the shared region. Returns NULL, or what is wrong (too little
 * memory); on error *p is zeroed.
 */
const char *mem_partition_plan(const struct bootmem *free, uint32_t clusters, uint64_t shared_bytes,
			       struct mem_plan *p);

/* Whether [base, base+len) lies inside one range of the partition. */
bool mem_partition_contains(const struct mem_partition *part, paddr_t base, uint64_t len);
