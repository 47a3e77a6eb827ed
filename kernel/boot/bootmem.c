/*
 * Boot-time allocator: a sorted array of disjoint free page ranges. Boot-only.
 *
 * Overflow policy: when a split needs a slot and the array is full, the
 * smallest free range (the new piece included; on a tie, the higher one) is
 * forgotten and `overflow` is set. Forgetting free memory is always safe:
 * it is never handed out, only lost, and losing the smallest piece loses
 * the least. Low memory, which is scarce, is kept on ties.
 */
#include "bootmem.h"
#include "kstring.h"

#define PAGE_TOP ALIGN_DOWN(UINT64_MAX, PAGE_SIZE) /* highest page-aligned address */

static uint64_t range_len(const struct bootmem_range *r)
{
	return r->end - r->base;
}

static void range_insert(struct bootmem *bm, uint32_t at, paddr_t base, paddr_t end)
{
	memmove(&bm->free[at + 1], &bm->free[at], (bm->count - at) * sizeof(bm->free[0]));
	bm->free[at] = (struct bootmem_range){ base, end };
	bm->count++;
}

static void range_remove(struct bootmem *bm, uint32_t at)
{
	memmove(&bm->free[at], &bm->free[at + 1], (bm->count - at - 1) * sizeof(bm->free[0]));
	bm->count--;
}

/* Is a a worse range to keep than b: shorter, or as long and higher? */
static bool drop_before(const struct bootmem_range *a, const struct bootmem_range *b)
{
	return range_len(a) < range_len(b) || (range_len(a) == range_len(b) && a->base > b->base);
}

/* Insert [base, end) at index `at` (keeps order); if full, apply the
 * overflow policy above. */
static void keep_piece(struct bootmem *bm, uint32_t at, paddr_t base, paddr_t end)
{
	struct bootmem_range piece = { base, end };
	uint32_t worst = 0;

	if (bm->count < BOOTMEM_MAX_RANGES) {
		range_insert(bm, at, base, end);
		return;
	}
	bm->overflow = true;
	for (uint32_t i = 1; i < bm->count; i++)
		if (drop_before(&bm->free[i], &bm->free[worst]))
			worst = i;
	if (drop_before(&piece, &bm->free[worst]))
		return;
	range_remove(bm, worst);
	range_insert(bm, worst < at ? at - 1 : at, base, end);
}

/* Add [base, end) (page aligned) to the free set, merging with ranges it
 * overlaps or touches. */
static void add_free(struct bootmem *bm, paddr_t base, paddr_t end)
{
	uint32_t i = 0;

	while (i < bm->count && bm->free[i].end < base)
		i++;
	while (i < bm->count && bm->free[i].base <= end) {
		base = MIN(base, bm->free[i].base);
		end = MAX(end, bm->free[i].end);
		range_remove(bm, i);
	}
	keep_piece(bm, i, base, end);
}

/* Add an available region, rounded inward to whole pages. */
static void add_region(struct bootmem *bm, const struct bi_mem_region *r)
{
	paddr_t base, end;

	if (r->len > UINT64_MAX - r->base || r->base > PAGE_TOP)
		return;
	base = ALIGN_UP(r->base, PAGE_SIZE);
	end = ALIGN_DOWN(r->base + r->len, PAGE_SIZE);
	if (end > base)
		add_free(bm, base, end);
}

/* Free memory is what the map calls available and nothing calls otherwise:
 * where the firmware's regions overlap, the non-available one wins. */
void bootmem_init(struct bootmem *bm, const struct bootinfo *bi)
{
	uint32_t n = MIN(bi->mem_count, (uint32_t)BI_MAX_MEM);

	memset(bm, 0, sizeof(*bm));
	for (uint32_t i = 0; i < n; i++)
		if (bi->mem[i].type == BI_MEM_AVAILABLE)
			add_region(bm, &bi->mem[i]);
	for (uint32_t i = 0; i < n; i++)
		if (bi->mem[i].type != BI_MEM_AVAILABLE)
			bootmem_reserve(bm, bi->mem[i].base, bi->mem[i].len);
	bootmem_reserve(bm, 0, PAGE_SIZE); /* 0 means failure: never hand it out */
}

/* Take [base, end) out of the range at index i, which it overlaps.
 * Returns true when nothing further right can overlap. */
static bool cut_range(struct bootmem *bm, uint32_t *i, paddr_t base, paddr_t end)
{
	struct bootmem_range *r = &bm->free[*i];
	paddr_t tail = r->end;

	if (r->base >= base && r->end <= end) {
		range_remove(bm, *i);
		return false;
	}
	if (r->base >= base) {
		r->base = end;
		return true;
	}
	r->end = base;
	(*i)++;
	if (tail <= end)
		return false;
	keep_piece(bm, *i, end, tail);
	return true;
}

/* Allowed after close too: shrinking the free set is always safe. */
void bootmem_reserve(struct bootmem *bm, paddr_t base, uint64_t len)
{
	paddr_t end;
	uint32_t i = 0;

	if (len == 0)
		return;
	end = len > UINT64_MAX - base ? UINT64_MAX : base + len;
	base = ALIGN_DOWN(base, PAGE_SIZE);
	end = end > PAGE_TOP ? PAGE_TOP : ALIGN_UP(end, PAGE_SIZE); /* no range ends past PAGE_TOP */
	while (i < bm->count && bm->free[i].end <= base)
		i++;
	while (i < bm->count && bm->free[i].base < end)
		if (cut_range(bm, &i, base, end))
			break;
}

/* Lowest address in r where an aligned block of `size` fits, or 0. Never 0
 * itself: the search starts at 1 at least. */
static paddr_t fit_in(const struct bootmem_range *r, uint64_t size, uint64_t align)
{
	paddr_t lo = MAX(r->base, (paddr_t)1), p;

	if (lo > UINT64_MAX - (align - 1))
		return 0;
	p = ALIGN_UP(lo, align);
	if (p >= r->end || r->end - p < size)
		return 0;
	return p;
}

paddr_t bootmem_alloc(struct bootmem *bm, uint64_t size, uint64_t align, paddr_t limit)
{
	if (bm->closed || size == 0 || size % PAGE_SIZE || align < PAGE_SIZE || (align & (align - 1)))
		return 0;
	for (uint32_t i = 0; i < bm->count; i++) {
		paddr_t p = fit_in(&bm->free[i], size, align);
		if (p == 0)
			continue;
		if (p > limit || limit - p < size)
			return 0; /* ranges are sorted: later fits lie higher still */
		bootmem_reserve(bm, p, size);
		bm->allocated += size;
		return p;
	}
	return 0;
}

paddr_t bootmem_alloc_trampoline(struct bootmem *bm, paddr_t ebda)
{
	paddr_t limit = BOOTMEM_TRAMPOLINE_LIMIT;

	if (ebda >= BOOTMEM_EBDA_MIN && ebda < limit)
		limit = ALIGN_DOWN(ebda, PAGE_SIZE);
	return bootmem_alloc(bm, PAGE_SIZE, PAGE_SIZE, limit);
}

uint64_t bootmem_free_bytes(const struct bootmem *bm)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < bm->count; i++)
		n += range_len(&bm->free[i]);
	return n;
}

void bootmem_close(struct bootmem *bm)
{
	bm->closed = true;
}
