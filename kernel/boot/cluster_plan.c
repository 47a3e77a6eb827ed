/* Cluster planning: cores into clusters, memory into partitions. */
#include "cluster_plan.h"
#include "kstring.h"
#include "printf.h"

static uint32_t largest_divisor_at_most(uint32_t n, uint32_t k)
{
	while (k > 1 && n % k)
		k--;
	return k ? k : 1;
}

static uint32_t smallest_divisor_at_least(uint32_t n, uint32_t k)
{
	while (k < n && n % k)
		k++;
	return k;
}

void cluster_layout_plan(uint32_t requested, uint32_t ncores, struct cluster_layout *l,
			 void (*warn)(void *ctx, const char *msg), void *ctx)
{
	char msg[160];
	uint32_t size;

	if (ncores == 0)
		ncores = 1;
	if (ncores > MAX_CORES) {
		ksnprintf(msg, sizeof(msg), "clusters: %u cores found; Atoll uses the first %u", ncores,
			  MAX_CORES);
		warn(ctx, msg);
		ncores = MAX_CORES;
	}
	size = requested == 0 ? ncores : requested;
	if (size > ncores) {
		ksnprintf(msg, sizeof(msg),
			  "clusters: cluster_size=%u is more than the %u core%s: using one cluster of %u",
			  size, ncores, ncores == 1 ? "" : "s", ncores);
		warn(ctx, msg);
		size = ncores;
	} else if (ncores % size) {
		uint32_t fit = largest_divisor_at_most(ncores, size);
		ksnprintf(msg, sizeof(msg),
			  "clusters: %u cores do not split into clusters of %u: using clusters of %u",
			  ncores, size, fit);
		warn(ctx, msg);
		size = fit;
	}
	if (ncores / size > MAX_CLUSTERS) {
		uint32_t fit = smallest_divisor_at_least(ncores, (ncores + MAX_CLUSTERS - 1) / MAX_CLUSTERS);
		ksnprintf(msg, sizeof(msg),
			  "clusters: %u clusters of %u is more than the %u kernel instances supported: "
			  "using clusters of %u", ncores / size, size, MAX_CLUSTERS, fit);
		warn(ctx, msg);
		size = fit;
	}
	l->size = size;
	l->count = ncores / size;
	l->cores = l->size * l->count;
}

bool mem_partition_contains(const struct mem_partition *part, paddr_t base, uint64_t len)
{
	for (uint32_t i = 0; i < part->n; i++)
		if (base >= part->r[i].base && len <= part->r[i].end - base)
			return true;
	return false;
}

/* The 2 MiB-aligned core of every free range. */
static uint32_t aligned_ranges(const struct bootmem *free, struct mem_range *out, uint32_t max,
			       uint64_t *fringe)
{
	uint32_t n = 0;

	*fringe = 0;
	for (uint32_t i = 0; i < free->count; i++) {
		paddr_t b = ALIGN_UP(free->free[i].base, PART_ALIGN);
		paddr_t e = ALIGN_DOWN(free->free[i].end, PART_ALIGN);
		uint64_t len = free->free[i].end - free->free[i].base;
		if (b < free->free[i].base || e <= b || n == max) { /* wrapped, too small, no room */
			*fringe += len;
			continue;
		}
		*fringe += len - (e - b);
		out[n++] = (struct mem_range){ b, e };
	}
	return n;
}

const char *mem_partition_plan(const struct bootmem *free, uint32_t clusters, uint64_t shared_bytes,
			       struct mem_plan *p)
{
	static struct mem_range r[BOOTMEM_MAX_RANGES]; /* boot core only, at boot */
	uint64_t total = 0, per, shared = ALIGN_UP(shared_bytes, PART_ALIGN);
	uint32_t n, c = 0;

	memset(p, 0, sizeof(*p));
	if (clusters == 0 || clusters > MAX_CLUSTERS)
		return "clusters: bad cluster count";
	n = aligned_ranges(free, r, BOOTMEM_MAX_RANGES, &p->unused);
	for (uint32_t i = 0; i < n && shared && !p->shared.end; i++)
		if (r[i].end - r[i].base >= shared) {
			p->shared = (struct mem_range){ r[i].base, r[i].base + shared };
			r[i].base += shared;
		}
	if (shared && !p->shared.end) {
		memset(p, 0, sizeof(*p));
		return "clusters: no 2 MiB-aligned room for the shared region";
	}
	for (uint32_t i = 0; i < n; i++)
		total += r[i].end - r[i].base;
	per = ALIGN_DOWN(total / clusters, PART_ALIGN);
	if (per < PART_MIN_BYTES) {
		memset(p, 0, sizeof(*p));
		return "clusters: not enough memory for a partition of 8 MiB per cluster";
	}
	p->count = clusters;
	for (uint32_t i = 0; i < n; i++) {
		while (r[i].base < r[i].end) {
			struct mem_partition *part = &p->part[c];
			uint64_t want = c + 1 == clusters ? r[i].end - r[i].base : per - part->bytes;
			uint64_t take = MIN(want, r[i].end - r[i].base);
			if (part->n == PART_MAX_RANGES) { /* too scattered: the rest is left out */
				p->unused += r[i].end - r[i].base;
				break;
			}
			part->r[part->n++] = (struct mem_range){ r[i].base, r[i].base + take };
			part->bytes += take;
			r[i].base += take;
			if (part->bytes >= per && c + 1 < clusters)
				c++;
		}
	}
	for (uint32_t i = 0; i < clusters; i++)
		if (p->part[i].bytes < PART_MIN_BYTES) {
			memset(p, 0, sizeof(*p));
			return "clusters: memory too scattered to give every cluster 8 MiB";
		}
	return NULL;
}
