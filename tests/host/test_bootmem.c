/*
 * Boot allocator: init from messy maps, reserve splitting, aligned and
 * limited allocation, exhaustion, determinism, close, overflow; then a
 * seeded random run against a page bitmap model.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootmem.h"
#include "check.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define PG PAGE_SIZE

static struct bootinfo bi;
static struct bootmem bm;

static void map(const struct bi_mem_region *r, uint32_t n)
{
	memset(&bi, 0, sizeof(bi));
	memcpy(bi.mem, r, n * sizeof(*r));
	bi.mem_count = n;
}

/* Sorted, disjoint, non-empty, page aligned, and page 0 never free. */
static bool well_formed(const struct bootmem *b)
{
	for (uint32_t i = 0; i < b->count; i++) {
		const struct bootmem_range *r = &b->free[i];
		if (r->base >= r->end || r->base % PG || r->end % PG || r->base == 0)
			return false;
		if (i && b->free[i - 1].end > r->base)
			return false;
	}
	return b->count <= BOOTMEM_MAX_RANGES;
}

static bool ranges_are(const struct bootmem_range *want, uint32_t n)
{
	if (bm.count != n)
		return false;
	for (uint32_t i = 0; i < n; i++)
		if (bm.free[i].base != want[i].base || bm.free[i].end != want[i].end)
			return false;
	return true;
}

static void test_init(void)
{
	const struct bi_mem_region messy[] = {
		{ 0x100000, 0x300000, BI_MEM_AVAILABLE },   /* 1M..4M, overlaps the next */
		{ 0x200000, 0x400000, BI_MEM_AVAILABLE },   /* 2M..6M */
		{ 0x600000, 0x100000, BI_MEM_AVAILABLE },   /* adjacent: merges to 1M..7M */
		{ 0x0, 0x9fc00, BI_MEM_AVAILABLE },         /* rounds to 0..0x9f000, page 0 reserved */
		{ 0x10000800, 0x1000, BI_MEM_AVAILABLE },   /* vanishes when rounded inward */
		{ 0x20000123, 0x3000, BI_MEM_AVAILABLE },   /* 0x20001000..0x20003000 */
		{ 0x9fc00, 0x60400, BI_MEM_RESERVED },
		{ 0x500800, 0x100, BI_MEM_ACPI_NVS },       /* punches 0x500000..0x501000 */
		{ 0x40000000, 0, BI_MEM_AVAILABLE },        /* empty */
	};
	const struct bootmem_range want[] = {
		{ 0x1000, 0x9f000 }, { 0x100000, 0x500000 }, { 0x501000, 0x700000 }, { 0x20001000, 0x20003000 },
	};
	const struct bi_mem_region none[] = { { 0x1000, 0x1000, BI_MEM_RESERVED } };
	const struct bi_mem_region high[] = { { UINT64_MAX - 0x37ff, 0x3000, BI_MEM_AVAILABLE },
					       { UINT64_MAX - 10, 5, BI_MEM_AVAILABLE },
					       { UINT64_MAX - 10, 100, BI_MEM_AVAILABLE } }; /* wraps: ignored */

	map(messy, ARRAY_SIZE(messy));
	bootmem_init(&bm, &bi);
	CHECK(ranges_are(want, ARRAY_SIZE(want)) && well_formed(&bm));
	CHECK(bootmem_free_bytes(&bm) == 0x9e000 + 0x400000 + 0x1ff000 + 0x2000);
	CHECK(!bm.closed && !bm.overflow && bm.allocated == 0);
	map(none, 1);
	bootmem_init(&bm, &bi);
	CHECK(bm.count == 0 && bootmem_free_bytes(&bm) == 0 && bootmem_alloc(&bm, PG, PG, ~0ull) == 0);
	map(high, 3); /* near the top of the address space: no wrap-around */
	bootmem_init(&bm, &bi);
	CHECK(bm.count == 1 && bm.free[0].base == 0xffffffffffffd000ull && well_formed(&bm));
	CHECK(bm.free[0].end == 0xfffffffffffff000ull);
	CHECK(bootmem_alloc(&bm, 2 * PG, PG, ~0ull) == 0xffffffffffffd000ull);
	CHECK(bootmem_alloc(&bm, PG, 1ull << 63, ~0ull) == 0 && bm.count == 0);
}

static const struct bi_mem_region three[] = {
	{ 0x100000, 0x100000, BI_MEM_AVAILABLE },  /* 1M..2M */
	{ 0x400000, 0x100000, BI_MEM_AVAILABLE },  /* 4M..5M */
	{ 0x800000, 0x800000, BI_MEM_AVAILABLE },  /* 8M..16M */
};

static void init_three(void)
{
	map(three, 3);
	bootmem_init(&bm, &bi);
}

static void test_reserve(void)
{
	init_three();
	bootmem_reserve(&bm, 0x180000, 0x1000); /* middle: split */
	CHECK(bm.count == 4 && bm.free[0].end == 0x180000 && bm.free[1].base == 0x181000);
	bootmem_reserve(&bm, 0x100000, 0x800); /* left edge, rounded outward */
	CHECK(bm.free[0].base == 0x101000);
	bootmem_reserve(&bm, 0x1fffff, 2); /* right edge, straddling a page boundary */
	CHECK(bm.free[1].end == 0x1ff000 && bm.count == 4);
	bootmem_reserve(&bm, 0x150000, 0x800000); /* spans ranges: cuts 1, eats 2, cuts 3 */
	CHECK(bm.count == 2 && bm.free[0].base == 0x101000 && bm.free[0].end == 0x150000);
	CHECK(bm.free[1].base == 0x950000 && bm.free[1].end == 0x1000000 && well_formed(&bm));
	bootmem_reserve(&bm, 0x3000000, 0x1000); /* nothing there */
	bootmem_reserve(&bm, 0x200000, 0); /* empty */
	CHECK(bm.count == 2);
	bootmem_reserve(&bm, 0x900000, UINT64_MAX); /* to the top, no wrap */
	CHECK(bm.count == 1 && bm.free[0].end == 0x150000);
	bootmem_reserve(&bm, 0, UINT64_MAX);
	CHECK(bm.count == 0 && bootmem_free_bytes(&bm) == 0);
}

static void test_alloc(void)
{
	paddr_t a, b, c;

	init_three();
	CHECK(bootmem_alloc(&bm, PG, PG, ~0ull) == 0x100000);
	CHECK(bootmem_alloc(&bm, PG, PG, ~0ull) == 0x101000);
	CHECK(bootmem_alloc(&bm, 2 * MiB, 2 * MiB, ~0ull) == 0x800000); /* only 8M..16M fits */
	CHECK(bootmem_alloc(&bm, 2 * MiB, 2 * MiB, ~0ull) == 0xa00000);
	a = bootmem_alloc(&bm, 0x10000, 0x10000, ~0ull); /* 64K aligned: first fit is 1M+64K */
	CHECK(a == 0x110000 && bm.allocated == 2 * PG + 4 * MiB + 0x10000);
	CHECK(bootmem_alloc(&bm, PG, PG, ~0ull) == 0x102000); /* the gap left below a */
	CHECK(bootmem_alloc(&bm, 0x200000, PG, 0x500000) == 0); /* 2M fits nowhere below 5M */
	CHECK(bootmem_alloc(&bm, 0x100000, PG, 0x500000) == 0x400000); /* ends exactly at limit */
	CHECK(bootmem_alloc(&bm, PG, PG, 0x110000) == 0x103000);
	CHECK(bootmem_alloc(&bm, PG, PG, 0x1000) == 0);
	CHECK(bootmem_alloc(&bm, PG, PG, 0) == 0);
	/* bad arguments */
	CHECK(bootmem_alloc(&bm, 0, PG, ~0ull) == 0);
	CHECK(bootmem_alloc(&bm, 0x800, PG, ~0ull) == 0);
	CHECK(bootmem_alloc(&bm, PG + 1, PG, ~0ull) == 0);
	CHECK(bootmem_alloc(&bm, PG, 0x800, ~0ull) == 0);
	CHECK(bootmem_alloc(&bm, PG, 0x3000, ~0ull) == 0);
	CHECK(bootmem_alloc(&bm, PG, 0, ~0ull) == 0);
	CHECK(bootmem_alloc(&bm, UINT64_MAX - 0xfff, PG, ~0ull) == 0);
	CHECK(bootmem_alloc(&bm, PG, 1ull << 63, ~0ull) == 0);
	CHECK(well_formed(&bm));
	/* exhaustion, then close */
	b = bootmem_free_bytes(&bm);
	for (c = 0; bootmem_alloc(&bm, PG, PG, ~0ull); c++)
		;
	CHECK(c * PG == b && bootmem_free_bytes(&bm) == 0 && bm.count == 0);
	init_three();
	bootmem_close(&bm);
	CHECK(bm.closed && bootmem_alloc(&bm, PG, PG, ~0ull) == 0 && bm.allocated == 0);
	bootmem_reserve(&bm, 0x100000, PG); /* still shrinks the free set after close */
	CHECK(bm.free[0].base == 0x101000);
}

static void test_page_zero(void)
{
	const struct bi_mem_region low[] = { { 0, 0x10000, BI_MEM_AVAILABLE } };
	paddr_t p;

	map(low, 1);
	bootmem_init(&bm, &bi);
	CHECK(bm.free[0].base == PG);
	while ((p = bootmem_alloc(&bm, PG, PG, ~0ull)) != 0)
		CHECK(p >= PG);
	/* even a hand-made range starting at 0 never yields 0 */
	memset(&bm, 0, sizeof(bm));
	bm.count = 1;
	bm.free[0] = (struct bootmem_range){ 0, 4 * MiB };
	CHECK(bootmem_alloc(&bm, PG, PG, ~0ull) == PG);
	CHECK(bootmem_alloc(&bm, 2 * MiB, 2 * MiB, ~0ull) == 2 * MiB);
}

static void test_determinism(void)
{
	paddr_t first[64], again[64];

	for (int round = 0; round < 2; round++) {
		init_three();
		for (int i = 0; i < 64; i++) {
			paddr_t p = bootmem_alloc(&bm, PG * (1 + (uint64_t)i % 3), PG << (i % 5), ~0ull);
			(round ? again : first)[i] = p;
		}
	}
	CHECK(memcmp(first, again, sizeof(first)) == 0);
}

/* Fill the array, then force splits: the smallest piece goes, overflow is
 * set, and nothing reserved ever becomes free. */
static void test_overflow(void)
{
	const struct bi_mem_region big[] = { { 0, 1 * GiB, BI_MEM_AVAILABLE } };
	uint64_t before;

	map(big, 1);
	bootmem_init(&bm, &bi);
	for (uint64_t i = 1; bm.count < BOOTMEM_MAX_RANGES; i++)
		bootmem_reserve(&bm, i * 2 * MiB, PG);
	CHECK(!bm.overflow && well_formed(&bm));
	/* make one tiny range: it is the one to drop next */
	bootmem_reserve(&bm, 0x1000, 0x1fe000); /* range 0 becomes [0x1ff000, 0x200000) */
	CHECK(bm.free[0].base == 0x1ff000 && bm.free[0].end == 0x200000 && !bm.overflow);
	before = bootmem_free_bytes(&bm);
	bootmem_reserve(&bm, 101 * MiB, PG); /* split with a full array */
	CHECK(bm.overflow && bm.count == BOOTMEM_MAX_RANGES && well_formed(&bm));
	CHECK(bm.free[0].base == 0x201000 && bootmem_free_bytes(&bm) == before - PG - PG);
	for (uint32_t i = 0; i < bm.count; i++)
		CHECK(!(bm.free[i].base <= 101 * MiB && bm.free[i].end > 101 * MiB));
	/* split of a range where the new piece is itself the smallest */
	before = bootmem_free_bytes(&bm);
	bootmem_reserve(&bm, 0x400000 - 2 * PG, PG); /* leaves a 1-page tail: dropped */
	CHECK(bm.count == BOOTMEM_MAX_RANGES && bootmem_free_bytes(&bm) == before - 2 * PG && well_formed(&bm));
}

/* --- random run against a bitmap of pages --- */

#define MODEL_PAGES 4096 /* 16 MiB */
static bool model[MODEL_PAGES];

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void model_set(uint64_t base, uint64_t end, bool v)
{
	for (uint64_t p = base / PG; p < end / PG && p < MODEL_PAGES; p++)
		model[p] = v;
}

static void model_init(void)
{
	memset(model, 0, sizeof(model));
	for (uint32_t i = 0; i < bi.mem_count; i++)
		if (bi.mem[i].type == BI_MEM_AVAILABLE)
			model_set(ALIGN_UP(bi.mem[i].base, PG), ALIGN_DOWN(bi.mem[i].base + bi.mem[i].len, PG), true);
	for (uint32_t i = 0; i < bi.mem_count; i++)
		if (bi.mem[i].type != BI_MEM_AVAILABLE)
			model_set(ALIGN_DOWN(bi.mem[i].base, PG), ALIGN_UP(bi.mem[i].base + bi.mem[i].len, PG), false);
	model[0] = false;
}

/* Lowest aligned, nonzero block of free model pages ending by limit, or 0. */
static paddr_t model_find(uint64_t size, uint64_t align, paddr_t limit)
{
	for (uint64_t p = align; p + size <= limit && p + size <= MODEL_PAGES * PG; p += align) {
		uint64_t k = 0;
		while (k < size / PG && model[p / PG + k])
			k++;
		if (k == size / PG)
			return p;
	}
	return 0;
}

static bool model_all_free(uint64_t base, uint64_t end)
{
	for (uint64_t p = base / PG; p < end / PG; p++)
		if (p >= MODEL_PAGES || !model[p])
			return false;
	return true;
}

/* Every free page in bm is free in the model; equal unless overflowed. */
static bool matches_model(void)
{
	static bool seen[MODEL_PAGES];

	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < bm.count; i++)
		for (uint64_t p = bm.free[i].base / PG; p < bm.free[i].end / PG; p++) {
			if (p >= MODEL_PAGES || !model[p])
				return false;
			seen[p] = true;
		}
	return bm.overflow || memcmp(seen, model, sizeof(seen)) == 0;
}

static void random_map(void)
{
	uint32_t n = 1 + (uint32_t)(rng() % 40);

	memset(&bi, 0, sizeof(bi));
	for (uint32_t i = 0; i < n; i++) {
		uint64_t base = rng() % (MODEL_PAGES * PG), len = rng() % (2 * MiB);
		bi.mem[i] = (struct bi_mem_region){ base, MIN(len, MODEL_PAGES * PG - base),
						    rng() % 4 ? BI_MEM_AVAILABLE : 1 + (uint32_t)(rng() % 6) };
	}
	bi.mem_count = n;
}

static void random_step(void)
{
	uint64_t size = PG * (1 + rng() % 16), align = PG << (rng() % 10);
	paddr_t limit = rng() % 4 ? ~0ull : rng() % (MODEL_PAGES * PG);
	paddr_t got, want;

	if (rng() % 3 == 0) {
		uint64_t base = rng() % (MODEL_PAGES * PG), len = rng() % (64 * KiB);
		bootmem_reserve(&bm, base, len);
		if (len)
			model_set(ALIGN_DOWN(base, PG), ALIGN_UP(base + len, PG), false);
		return;
	}
	want = model_find(size, align, limit);
	got = bootmem_alloc(&bm, size, align, limit);
	if (!bm.overflow)
		CHECK(got == want);
	if (got) { /* after an overflow bm may miss a fit, never invent one */
		CHECK(got % align == 0 && got + size <= limit && model_all_free(got, got + size));
		model_set(got, got + size, false);
	}
}

static void test_random(void)
{
	unsigned mismatches = 0, overflows = 0;

	for (int round = 0; round < 300; round++) {
		random_map();
		bootmem_init(&bm, &bi);
		model_init();
		for (int step = 0; step < 200; step++) {
			random_step();
			if (!matches_model() || !well_formed(&bm))
				mismatches++;
		}
		overflows += bm.overflow;
	}
	printf("random: 300 maps, %u overflowed\n", overflows);
	CHECK(mismatches == 0);
}

/* The AP trampoline page over synthetic memory maps: the lowest free page
 * below 0x9F000 and the EBDA, never one the map or a reservation (what the
 * loader handed over) claims, taken out of the free set. */
static paddr_t tramp_for(const struct bi_mem_region *r, uint32_t n, const struct bootmem_range *taken,
			 uint32_t n_taken, paddr_t ebda)
{
	map(r, n);
	bootmem_init(&bm, &bi);
	for (uint32_t i = 0; i < n_taken; i++)
		bootmem_reserve(&bm, taken[i].base, taken[i].end - taken[i].base);
	return bootmem_alloc_trampoline(&bm, ebda);
}

static bool page_free(paddr_t pa)
{
	for (uint32_t i = 0; i < bm.count; i++)
		if (bm.free[i].base <= pa && pa + PG <= bm.free[i].end)
			return true;
	return false;
}

static void test_trampoline(void)
{
	const struct bi_mem_region seabios[] = {
		{ 0x0, 0x9fc00, BI_MEM_AVAILABLE }, { 0x9fc00, 0x400, BI_MEM_RESERVED },
		{ 0xf0000, 0x10000, BI_MEM_RESERVED }, { 0x100000, 0x7ee0000, BI_MEM_AVAILABLE },
	};
	const struct bi_mem_region taken_8000[] = { /* GRUB or firmware data at 0x8000 */
		{ 0x0, 0x8000, BI_MEM_AVAILABLE }, { 0x8000, 0x1000, BI_MEM_RESERVED },
		{ 0x9000, 0x96000, BI_MEM_AVAILABLE }, { 0x100000, 0x100000, BI_MEM_AVAILABLE },
	};
	const struct bi_mem_region uefi[] = { /* fragments, the first pages boot services data */
		{ 0x0, 0x3000, BI_MEM_RESERVED }, { 0x3000, 0x800, BI_MEM_AVAILABLE },
		{ 0x3800, 0x4800, BI_MEM_ACPI_NVS }, { 0x8000, 0x1000, BI_MEM_RESERVED },
		{ 0x9000, 0x7000, BI_MEM_AVAILABLE }, { 0x100000, 0x100000, BI_MEM_AVAILABLE },
	};
	const struct bi_mem_region unaligned[] = { { 0x7800, 0x2000, BI_MEM_AVAILABLE },
						   { 0x100000, 0x100000, BI_MEM_AVAILABLE } };
	const struct bi_mem_region only_high[] = { { 0x100000, 0x1000000, BI_MEM_AVAILABLE } };
	const struct bi_mem_region at_limit[] = { { 0x9e000, 0x2000, BI_MEM_AVAILABLE },
						  { 0x100000, 0x100000, BI_MEM_AVAILABLE } };
	const struct bi_mem_region past_limit[] = { { 0x9f000, 0x1000, BI_MEM_AVAILABLE },
						    { 0xa0000, 0x20000, BI_MEM_AVAILABLE } };
	const struct bi_mem_region overlap[] = { /* available, but a reserved region overlaps */
		{ 0x0, 0xa0000, BI_MEM_AVAILABLE }, { 0x0, 0x50000, BI_MEM_RESERVED },
	};
	const struct bootmem_range loader_low[] = { { 0x1000, 0x8000 }, { 0x8000, 0x8100 } }; /* mbi, a module */
	const struct bootmem_range all_low[] = { { 0x0, 0x9e000 } };
	paddr_t p;

	CHECK(tramp_for(seabios, 4, NULL, 0, 0x9fc00) == 0x1000);
	CHECK(!page_free(0x1000) && page_free(0x2000) && bm.allocated == PG);
	CHECK(tramp_for(seabios, 4, loader_low, 2, 0x9fc00) == 0x9000); /* 0x8000 is taken too */
	CHECK(tramp_for(taken_8000, 4, loader_low, 1, 0) == 0x9000);
	CHECK(tramp_for(taken_8000, 4, NULL, 0, 0) == 0x1000);
	CHECK(tramp_for(uefi, 6, NULL, 0, 0) == 0x9000); /* 0x3000 is only half a page */
	CHECK(tramp_for(unaligned, 2, NULL, 0, 0) == 0x8000);
	CHECK(tramp_for(only_high, 1, NULL, 0, 0) == 0);
	CHECK(tramp_for(at_limit, 2, NULL, 0, 0) == 0x9e000);
	CHECK(tramp_for(past_limit, 2, NULL, 0, 0) == 0); /* 0x9f000 and up: EBDA and ROM land */
	CHECK(tramp_for(overlap, 2, NULL, 0, 0) == 0x50000);
	CHECK(tramp_for(seabios, 4, all_low, 1, 0x9fc00) == 0x9e000);
	/* The EBDA from the BDA lowers the limit when it looks like one. */
	CHECK(tramp_for(seabios, 4, all_low, 1, 0x90000) == 0);
	CHECK(tramp_for(seabios, 4, all_low, 1, 0x9e800) == 0); /* rounded down to its page */
	CHECK(tramp_for(seabios, 4, all_low, 1, 0x7f000) == 0x9e000); /* below 512 KiB: not an EBDA */
	CHECK(tramp_for(seabios, 4, all_low, 1, 0xf0000) == 0x9e000); /* UEFI garbage */
	/* One page each, never the same, until low memory runs out. */
	map(at_limit, 2);
	bootmem_init(&bm, &bi);
	p = bootmem_alloc_trampoline(&bm, 0);
	CHECK(p == 0x9e000 && bootmem_alloc_trampoline(&bm, 0) == 0 && well_formed(&bm));
	bootmem_close(&bm);
	map(seabios, 4);
	bootmem_init(&bm, &bi);
	bootmem_close(&bm);
	CHECK(bootmem_alloc_trampoline(&bm, 0) == 0); /* after close: nothing */
}

int main(void)
{
	test_init();
	test_reserve();
	test_alloc();
	test_page_zero();
	test_determinism();
	test_overflow();
	test_random();
	test_trampoline();
	return check_summary("test_bootmem");
}
