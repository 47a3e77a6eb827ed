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

/* QEMU -smp 8,sockets=2,cores=2,threads=2: one bit of thread id, one of
 * core id; L2 per core, L3 per package (what the topology leaves and leaf 4
 * report under TCG, docs/clusters.md). */
static const struct cpu_topology qemu_2s2c2t = {
	.smt_shift = 1, .pkg_shift = 2, .l2_shift = 1, .llc_shift = 2, .llc_level = 3,
	.l2_known = true, .llc_known = true, .source = "test",
};

static uint32_t topo(enum cluster_by by, const struct cpu_topology *t, uint32_t *apic, uint32_t n)
{
	warnings = 0;
	last_warning[0] = 0;
	return cluster_topology_plan(by, t, apic, n, warn, NULL);
}

static bool same(const uint32_t *a, const uint32_t *b, uint32_t n)
{
	return memcmp(a, b, n * sizeof(*a)) == 0;
}

static void test_topology_fixed(void)
{
	uint32_t a[64], n;
	char line[160];

	uint32_t madt[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	memcpy(a, madt, sizeof(madt));
	CHECK(topo(CLUSTER_BY_SMT, &qemu_2s2c2t, a, 8) == 2 && warnings == 0 && same(a, madt, 8));
	CHECK(topo(CLUSTER_BY_L2, &qemu_2s2c2t, a, 8) == 2 && warnings == 0);
	CHECK(topo(CLUSTER_BY_LLC, &qemu_2s2c2t, a, 8) == 4 && warnings == 0);
	CHECK(topo(CLUSTER_BY_SOCKET, &qemu_2s2c2t, a, 8) == 4 && warnings == 0 && same(a, madt, 8));
	CHECK(topo(CLUSTER_BY_COUNT, &qemu_2s2c2t, a, 8) == 0 && warnings == 0);

	/* The boot core (APIC id 5) keeps index 0, its sibling follows, then
	 * the other groups in id order; MADT order does not matter. */
	uint32_t boot5[8] = { 5, 7, 6, 0, 1, 3, 2, 4 }, want5[8] = { 5, 4, 0, 1, 2, 3, 6, 7 };
	memcpy(a, boot5, sizeof(boot5));
	CHECK(topo(CLUSTER_BY_SMT, &qemu_2s2c2t, a, 8) == 2 && same(a, want5, 8));
	uint32_t wants5[8] = { 5, 4, 6, 7, 0, 1, 2, 3 };
	memcpy(a, boot5, sizeof(boot5));
	CHECK(topo(CLUSTER_BY_SOCKET, &qemu_2s2c2t, a, 8) == 4 && same(a, wants5, 8));

	/* A hybrid CPU: P-cores with two threads, E-cores with one. */
	struct cpu_topology hybrid = qemu_2s2c2t;
	hybrid.pkg_shift = 6;
	uint32_t h[6] = { 0, 1, 2, 3, 16, 18 };
	memcpy(a, h, sizeof(h));
	CHECK(topo(CLUSTER_BY_SMT, &hybrid, a, 6) == 0 && warnings == 1 &&
	      strstr(last_warning, "groups of 2 and 1 cores") && strstr(last_warning, "one cluster"));
	memcpy(a, h, sizeof(h));
	CHECK(topo(CLUSTER_BY_SOCKET, &hybrid, a, 6) == 6 && warnings == 0);

	/* No cache leaves: l2 falls back to smt, llc to socket, with a warning. */
	struct cpu_topology nocache = qemu_2s2c2t;
	nocache.l2_known = nocache.llc_known = false;
	memcpy(a, madt, sizeof(madt));
	CHECK(topo(CLUSTER_BY_L2, &nocache, a, 8) == 2 && warnings == 1 &&
	      strstr(last_warning, "cluster_size=l2: the CPU describes no such cache") &&
	      strstr(last_warning, "using cluster_size=smt"));
	CHECK(topo(CLUSTER_BY_LLC, &nocache, a, 8) == 4 && warnings == 1 && strstr(last_warning, "socket"));

	/* A cache narrower than the SMT group (a bogus leaf): siblings stay together. */
	struct cpu_topology narrow = qemu_2s2c2t;
	narrow.l2_shift = 0;
	memcpy(a, madt, sizeof(madt));
	CHECK(topo(CLUSTER_BY_L2, &narrow, a, 8) == 2);

	/* A cache leaf wider than the package (Bochs' static CPUID: two
	 * one-core packages "share" an L2): caches never span packages. */
	struct cpu_topology bochs = { .smt_shift = 0, .pkg_shift = 0, .l2_shift = 1, .llc_shift = 4,
				      .llc_level = 3, .l2_known = true, .llc_known = true, .source = "test" };
	uint32_t two[2] = { 0, 1 };
	memcpy(a, two, sizeof(two));
	CHECK(topo(CLUSTER_BY_L2, &bochs, a, 2) == 1 && topo(CLUSTER_BY_LLC, &bochs, a, 2) == 1);
	cluster_topology_line(&bochs, a, 2, 1, line, sizeof(line));
	CHECK(strcmp(line, "  core 1: APIC id 1 = package 1 core 0 thread 0, L2 shared by 0x2, L3 by 0x2") == 0);

	/* 64 cores without SMT: 64 groups of 1 are more than MAX_CLUSTERS. */
	struct cpu_topology flat = { .smt_shift = 0, .pkg_shift = 6, .source = "test" };
	for (n = 0; n < 64; n++)
		a[n] = n;
	CHECK(topo(CLUSTER_BY_SMT, &flat, a, 64) == 2 && warnings == 1 && strstr(last_warning, "kernel instances"));

	/* Sparse ids (every other one): each core its own group. */
	uint32_t sparse[4] = { 0, 2, 4, 6 };
	memcpy(a, sparse, sizeof(sparse));
	CHECK(topo(CLUSTER_BY_SMT, &qemu_2s2c2t, a, 4) == 1 && warnings == 0);
	CHECK(topo(CLUSTER_BY_SOCKET, &qemu_2s2c2t, a, 4) == 2 && warnings == 0);
	CHECK(topo(CLUSTER_BY_SMT, &qemu_2s2c2t, a, 0) == 0);

	/* Shifts of 32 (one package spans every id) and above do not overflow. */
	struct cpu_topology wide = { .smt_shift = 0, .pkg_shift = 40, .source = "test" };
	memcpy(a, madt, sizeof(madt));
	CHECK(topo(CLUSTER_BY_SOCKET, &wide, a, 8) == 8);

	memcpy(a, madt, sizeof(madt));
	cluster_topology_line(&qemu_2s2c2t, a, 8, 7, line, sizeof(line));
	CHECK(strcmp(line, "  core 7: APIC id 7 = package 1 core 1 thread 1, L2 shared by 0xc0, L3 by 0xf0") == 0);
	cluster_topology_line(&nocache, a, 8, 2, line, sizeof(line));
	CHECK(strcmp(line, "  core 2: APIC id 2 = package 0 core 1 thread 0") == 0);
	cluster_topology_line(&qemu_2s2c2t, a, 8, 7, line, 12); /* truncates, NUL-terminated */
	CHECK(strlen(line) == 11);
}

/* Random topologies and MADT orders: the result is a permutation with the
 * boot core first, and every cluster of the returned size holds whole
 * groups of one resource, never a part of an SMT group. */
static void test_topology_random(void)
{
	srand(14);
	for (int round = 0; round < 2000; round++) {
		struct cpu_topology t = { .smt_shift = (uint8_t)(rand() % 3), .source = "random" };
		t.pkg_shift = (uint8_t)(t.smt_shift + rand() % 4);
		t.l2_shift = (uint8_t)(rand() % 4);
		t.llc_shift = (uint8_t)(t.l2_shift + rand() % 3);
		t.l2_known = rand() % 4 != 0;
		t.llc_known = rand() % 4 != 0;
		uint32_t pkgs = 1 + rand() % 4, per = 1u << t.pkg_shift, n = 0, a[64], orig[64];
		for (uint32_t id = 0; id < pkgs * per && n < 64; id++)
			if (rand() % 8) /* a few ids left out: disabled cores */
				a[n++] = id;
		if (n == 0)
			continue;
		for (uint32_t i = n - 1; i > 0; i--) { /* shuffle: MADT order is anything */
			uint32_t j = (uint32_t)rand() % (i + 1), x = a[i];
			a[i] = a[j];
			a[j] = x;
		}
		memcpy(orig, a, n * sizeof(*a));
		enum cluster_by by = (enum cluster_by)(1 + rand() % 4);
		uint32_t size = topo(by, &t, a, n);
		CHECK(a[0] == orig[0]);
		uint64_t seen = 0, want = 0;
		for (uint32_t i = 0; i < n; i++) {
			seen |= 1ull << (a[i] % 64);
			want |= 1ull << (orig[i] % 64);
		}
		CHECK(seen == want);
		if (size == 0) {
			CHECK(warnings >= 1 && strstr(last_warning, "one cluster"));
			continue;
		}
		CHECK(n % size == 0 && n / size <= MAX_CLUSTERS);
		if (!warnings) /* (a warning may merge groups:) */
			for (uint32_t i = 0; i < n; i++) /* a cluster never spans packages */
				CHECK(a[i] >> t.pkg_shift == a[i / size * size] >> t.pkg_shift);
		for (uint32_t i = 0; i < n; i++) /* SMT siblings in one cluster */
			for (uint32_t j = 0; j < n; j++)
				if (a[i] >> t.smt_shift == a[j] >> t.smt_shift)
					CHECK(i / size == j / size);
	}
}

int main(void)
{
	test_layouts();
	test_partitions();
	test_topology_fixed();
	test_topology_random();
	return check_summary("cluster_plan");
}
