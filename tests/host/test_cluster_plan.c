/*
 * Cluster planning: core layouts with every fallback, and memory partitions
 * (disjoint, aligned, inside free memory, balanced, shared region apart),
 * plus a seeded random run over scattered maps.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cluster_plan.h"

#define MiB (1024ull * 1024)

static char last_warning[200];
static unsigned warnings;

static void warn(void *ctx, const char *msg)
{
	(void)ctx;
	warnings++;
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
}

static struct cluster_layout layout(uint32_t req, uint32_t cores)
{
	struct cluster_layout l;

	warnings = 0;
	last_warning[0] = 0;
	cluster_layout_plan(req, cores, &l, warn, NULL);
	return l;
}

static void test_layouts(void)
{
	struct cluster_layout l;

	l = layout(0, 8); /* all */
	CHECK(l.size == 8 && l.count == 1 && l.cores == 8 && warnings == 0);
	l = layout(1, 8);
	CHECK(l.size == 1 && l.count == 8 && warnings == 0);
	l = layout(2, 8);
	CHECK(l.size == 2 && l.count == 4 && warnings == 0);
	l = layout(1, 1);
	CHECK(l.size == 1 && l.count == 1 && warnings == 0);
	l = layout(4, 2); /* more than the cores */
	CHECK(l.size == 2 && l.count == 1 && warnings == 1 && strstr(last_warning, "more than the 2 cores"));
	l = layout(4, 6); /* does not divide */
	CHECK(l.size == 3 && l.count == 2 && warnings == 1 && strstr(last_warning, "do not split"));
	l = layout(2, 7);
	CHECK(l.size == 1 && l.count == 7 && warnings == 1);
	l = layout(1, 64); /* 64 kernels > MAX_CLUSTERS */
	CHECK(l.size == 2 && l.count == 32 && warnings == 1 && strstr(last_warning, "kernel instances"));
	l = layout(1, 100); /* more cores than supported */
	CHECK(l.cores <= MAX_CORES && l.count <= MAX_CLUSTERS && warnings == 2);
	l = layout(0, 0);
	CHECK(l.size == 1 && l.count == 1);
	for (uint32_t n = 1; n <= 80; n++)
		for (uint32_t k = 0; k <= 90; k++) {
			l = layout(k, n);
			CHECK(l.size >= 1 && l.count >= 1 && l.count <= MAX_CLUSTERS);
			CHECK(l.cores == l.size * l.count && l.cores <= MIN(n, MAX_CORES));
			CHECK(l.cores == MIN(n, MAX_CORES) || n > MAX_CORES);
			if (k && k <= n && n % k == 0 && n / k <= MAX_CLUSTERS && n <= MAX_CORES)
				CHECK(l.size == k && warnings == 0);
		}
}

static struct bootmem bm;

static void add(paddr_t base, paddr_t end)
{
	bm.free[bm.count++] = (struct bootmem_range){ base, end };
}

/* Partitions are aligned, disjoint, inside free memory, apart from shared. */
static bool plan_ok(const struct mem_plan *p, uint32_t clusters)
{
	struct mem_range all[MAX_CLUSTERS * PART_MAX_RANGES + 1];
	uint32_t n = 0;

	if (p->count != clusters)
		return false;
	if (p->shared.end)
		all[n++] = p->shared;
	for (uint32_t c = 0; c < clusters; c++) {
		uint64_t bytes = 0;
		if (p->part[c].bytes < PART_MIN_BYTES || p->part[c].n == 0)
			return false;
		for (uint32_t i = 0; i < p->part[c].n; i++) {
			all[n++] = p->part[c].r[i];
			bytes += p->part[c].r[i].end - p->part[c].r[i].base;
		}
		if (bytes != p->part[c].bytes)
			return false;
	}
	for (uint32_t i = 0; i < n; i++) {
		bool inside = false;
		if (all[i].base % PART_ALIGN || all[i].end % PART_ALIGN || all[i].base >= all[i].end)
			return false;
		for (uint32_t j = 0; j < bm.count; j++)
			inside |= all[i].base >= bm.free[j].base && all[i].end <= bm.free[j].end;
		if (!inside)
			return false;
		for (uint32_t j = 0; j < i; j++)
			if (all[i].base < all[j].end && all[j].base < all[i].end)
				return false;
	}
	return true;
}

static void test_partitions(void)
{
	static struct mem_plan p;

	memset(&bm, 0, sizeof(bm));
	add(0x1000, 0x9f000);
	add(0x100000, 0x200000);
	add(0x400000, 256 * MiB); /* 252 MiB */
	CHECK(mem_partition_plan(&bm, 4, 64 * 1024, &p) == NULL);
	CHECK(plan_ok(&p, 4));
	CHECK(p.shared.base == 0x400000 && p.shared.end == 0x600000);
	for (int c = 0; c < 3; c++)
		CHECK(p.part[c].bytes == 62 * MiB);
	CHECK(p.part[3].bytes == 250 * MiB - 3 * 62 * MiB);
	CHECK(mem_partition_contains(&p.part[0], 0x600000, 4096));
	CHECK(!mem_partition_contains(&p.part[1], 0x600000, 4096));
	CHECK(!mem_partition_contains(&p.part[0], p.part[0].r[0].end - 4096, 8192));
	CHECK(mem_partition_plan(&bm, 1, 0, &p) == NULL && plan_ok(&p, 1) && p.shared.end == 0);
	CHECK(mem_partition_plan(&bm, 32, 4 * MiB, &p) != NULL && p.count == 0); /* 7 MiB each */
	CHECK(mem_partition_plan(&bm, 0, 0, &p) != NULL);
	CHECK(mem_partition_plan(&bm, MAX_CLUSTERS + 1, 0, &p) != NULL);
	memset(&bm, 0, sizeof(bm));
	add(0x1000, 0x9f000);
	CHECK(mem_partition_plan(&bm, 1, 0, &p) != NULL); /* nothing aligned */
	CHECK(mem_partition_plan(&bm, 1, 1, &p) != NULL);

	srand(1);
	for (int round = 0; round < 2000; round++) {
		paddr_t at = 0x1000;
		uint32_t clusters = 1 + rand() % 8;
		memset(&bm, 0, sizeof(bm));
		for (int i = 0, n = 1 + rand() % 40; i < n; i++) {
			at += (paddr_t)(rand() % 64) * 0x10000;
			paddr_t end = at + 0x1000 + (paddr_t)(rand() % 4096) * 0x10000;
			add(at, end);
			at = end + 0x1000;
		}
		const char *err = mem_partition_plan(&bm, clusters, (paddr_t)(rand() % 3) * MiB, &p);
		CHECK(err ? p.count == 0 : plan_ok(&p, clusters));
	}
}

int main(void)
{
	test_layouts();
	test_partitions();
	return check_summary("cluster_plan");
}
