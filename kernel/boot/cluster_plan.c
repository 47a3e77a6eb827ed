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

/* --- clusters that follow the machine's topology --- */

const char *cluster_by_name(enum cluster_by by)
{
	static const char *const names[] = { "count", "smt", "l2", "llc", "socket" };

	return (unsigned)by < ARRAY_SIZE(names) ? names[by] : "?";
}

/* A cache's shift as used: never across packages (leaf 4 gives the most
 * ids that could share it, which can exceed the package: Bochs' static
 * CPUID says two single-core packages share an L2), never below SMT. */
static uint8_t cache_shift(const struct cpu_topology *t, uint8_t s)
{
	return MAX(MIN(s, t->pkg_shift), t->smt_shift);
}

/* The shift naming the resource `by`, after the fallbacks for an unknown
 * cache; never below the SMT shift (siblings never split). */
static uint8_t group_shift(enum cluster_by *by, const struct cpu_topology *t,
			   void (*warn)(void *ctx, const char *msg), void *ctx)
{
	char msg[160];
	uint8_t s;

	if ((*by == CLUSTER_BY_L2 && !t->l2_known) || (*by == CLUSTER_BY_LLC && !t->llc_known)) {
		enum cluster_by to = *by == CLUSTER_BY_L2 ? CLUSTER_BY_SMT : CLUSTER_BY_SOCKET;
		ksnprintf(msg, sizeof(msg), "clusters: cluster_size=%s: the CPU describes no such cache (%s): "
			  "using cluster_size=%s", cluster_by_name(*by), t->source, cluster_by_name(to));
		warn(ctx, msg);
		*by = to;
	}
	switch (*by) {
	case CLUSTER_BY_L2: s = cache_shift(t, t->l2_shift); break;
	case CLUSTER_BY_LLC: s = cache_shift(t, t->llc_shift); break;
	case CLUSTER_BY_SOCKET: s = t->pkg_shift; break;
	default: s = t->smt_shift; break;
	}
	s = MAX(s, t->smt_shift);
	return s > 31 ? 32 : s;
}

static uint32_t group_of(uint32_t apic, uint8_t shift)
{
	return shift >= 32 ? 0 : apic >> shift;
}

/* Order apic[] by (the boot core's group first, group, APIC id), keeping
 * the boot core at index 0: a selection sort, n <= MAX_CORES. */
static void sort_by_group(uint32_t *apic, uint32_t n, uint8_t shift)
{
	uint32_t boot = group_of(apic[0], shift);

	for (uint32_t i = 1; i < n; i++) {
		uint32_t best = i;
		for (uint32_t j = i + 1; j < n; j++) {
			uint32_t gj = group_of(apic[j], shift), gb = group_of(apic[best], shift);
			bool jb = gj == boot, bb = gb == boot;
			if ((jb && !bb) || (jb == bb && (gj < gb || (gj == gb && apic[j] < apic[best]))))
				best = j;
		}
		uint32_t tmp = apic[i];
		apic[i] = apic[best];
		apic[best] = tmp;
	}
}

uint32_t cluster_topology_plan(enum cluster_by by, const struct cpu_topology *t, uint32_t *apic,
			       uint32_t n, void (*warn)(void *ctx, const char *msg), void *ctx)
{
	char msg[160];
	uint32_t size = 0, run = 0, groups = 0, m = 1;
	const char *name = cluster_by_name(by);
	uint8_t shift;

	if (n == 0 || by == CLUSTER_BY_COUNT)
		return 0;
	shift = group_shift(&by, t, warn, ctx);
	sort_by_group(apic, n, shift);
	for (uint32_t i = 0; i <= n; i++) {
		if (i < n && (i == 0 || group_of(apic[i], shift) == group_of(apic[i - 1], shift))) {
			run++;
			continue;
		}
		if (size && run != size) {
			ksnprintf(msg, sizeof(msg), "clusters: cluster_size=%s: groups of %u and %u cores "
				  "(cores differ, e.g. a hybrid CPU): using one cluster", name, size, run);
			warn(ctx, msg);
			return 0;
		}
		size = run;
		run = 1;
		groups++;
	}
	while (groups / m > MAX_CLUSTERS || groups % m)
		m++;
	if (m > 1) {
		ksnprintf(msg, sizeof(msg), "clusters: cluster_size=%s: %u groups of %u is more than the %u "
			  "kernel instances supported: using clusters of %u", name, groups, size, MAX_CLUSTERS,
			  size * m);
		warn(ctx, msg);
	}
	return size * m;
}

static uint64_t sharing_mask(const uint32_t *apic, uint32_t n, uint32_t i, uint8_t shift)
{
	uint64_t mask = 0;

	for (uint32_t j = 0; j < n && j < 64; j++)
		if (group_of(apic[j], shift) == group_of(apic[i], shift))
			mask |= 1ull << j;
	return mask;
}

void cluster_topology_line(const struct cpu_topology *t, const uint32_t *apic, uint32_t n, uint32_t i,
			   char *buf, size_t len)
{
	uint8_t ss = MIN(t->smt_shift, 31), ps = MAX(t->pkg_shift, ss);
	uint32_t id = apic[i], pkg = group_of(id, ps);
	uint32_t core = (ps >= 32 ? id : id & ((1u << ps) - 1)) >> ss;
	uint32_t thread = id & ((1u << ss) - 1);
	int k = ksnprintf(buf, len, "  core %u: APIC id %u = package %u core %u thread %u", i, id, pkg, core,
			  thread);

	if (k < 0 || (size_t)k >= len)
		return;
	if (t->l2_known)
		k += ksnprintf(buf + k, len - k, ", L2 shared by %#llx",
			       (unsigned long long)sharing_mask(apic, n, i, cache_shift(t, t->l2_shift)));
	if (t->llc_known && (size_t)k < len)
		ksnprintf(buf + k, len - k, ", L%u by %#llx", t->llc_level,
			  (unsigned long long)sharing_mask(apic, n, i, cache_shift(t, t->llc_shift)));
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
