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

/* cluster_size=smt|l2|llc|socket: cores that share that resource form one
 * cluster (docs/clusters.md, "Clusters that follow the machine"). */
enum cluster_by { CLUSTER_BY_COUNT, CLUSTER_BY_SMT, CLUSTER_BY_L2, CLUSTER_BY_LLC, CLUSTER_BY_SOCKET };

/* How APIC ids split into threads, cores, caches and packages, from the boot
 * core's CPUID (arch_cpu_topology): two ids share a resource exactly when
 * they agree above its shift. */
struct cpu_topology {
	uint8_t smt_shift;            /* ids >> smt_shift name a core (its SMT siblings share it) */
	uint8_t pkg_shift;            /* ids >> pkg_shift name a package (socket) */
	uint8_t l2_shift, llc_shift;  /* ids >> shift name an L2 / the last-level cache */
	uint8_t llc_level;            /* the last-level cache's level (2, 3...), 0 = unknown */
	bool l2_known, llc_known;     /* the cache leaves described them */
	const char *source;           /* the CPUID leaves used, e.g. "cpuid 0xb + 4" */
};

/* The name of a cluster_by value ("smt", "l2", ...; "count" for a number). */
const char *cluster_by_name(enum cluster_by by);

/*
 * cluster_size=<by> on the cores apic[0..n) (apic[0] = the boot core):
 * reorders apic[1..n) so the cores sharing the resource follow each other,
 * the boot core's group first, groups by ascending id, cores by APIC id;
 * returns the cluster size: the group size, a multiple of it when there
 * would be more than MAX_CLUSTERS groups (SMT siblings never split). Groups
 * of different sizes (a hybrid CPU) or an unknown cache warn() and return 0
 * (one cluster of all), resp. fall back to the next larger resource.
 */
uint32_t cluster_topology_plan(enum cluster_by by, const struct cpu_topology *t, uint32_t *apic,
			       uint32_t n, void (*warn)(void *ctx, const char *msg), void *ctx);

/* One line of the boot log for core i of apic[0..n): APIC, package, core
 * and thread ids, and the cores (bits by index in apic[]) sharing its L2
 * and last-level cache. */
void cluster_topology_line(const struct cpu_topology *t, const uint32_t *apic, uint32_t n, uint32_t i,
			   char *buf, size_t len);

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
