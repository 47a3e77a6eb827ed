/*
 * Boot-time allocator: a sorted array of free page ranges. Reserving splits
 * ranges; if the array is full, the smaller remainder of the split is
 * dropped (forgotten as free memory: safe, never handed out) and `overflow`
 * records the loss.
 */
#include "bootmem.h"
#include "kstring.h"

static void range_insert(struct bootmem *bm, uint32_t at, paddr_t base, paddr_t end)
{
	memmove(&bm->free[at + 1], &bm->free[at], (bm->count - at) * sizeof(bm->free[0]));
	bm->free[at] = (struct bootmem_range){ base, end };
	bm->count++;
}

static void range_delete(struct bootmem *bm, uint32_t at)
{
	memmove(&bm->free[at], &bm->free[at + 1], (bm->count - at - 1) * sizeof(bm->free[0]));
	bm->count--;
}

/* Add [base, end) to the free set, merging with overlapping or adjacent ranges. */
static void range_add(struct bootmem *bm, paddr_t base, paddr_t end)
{
	uint32_t i = 0;

	while (i < bm->count && bm->free[i].end < base)
		i++;
	while (i < bm->count && bm->free[i].base <= end) {
		base = MIN(base, bm->free[i].base);
		end = MAX(end, bm->free[i].end);
		range_delete(bm, i);
	}
	if (bm->count == BOOTMEM_MAX_RANGES) {
		bm->overflow = true;
		return;
	}
	range_insert(bm, i, base, end);
}

void bootmem_init(struct bootmem *bm, const struct bootinfo *bi)
{
	memset(bm, 0, sizeof(*bm));
	for (uint32_t i = 0; i < bi->mem_count; i++) {
		const struct bi_mem_region *r = &bi->mem[i];
		paddr_t base = ALIGN_UP(r->base, PAGE_SIZE), end;
		if (r->type != BI_MEM_AVAILABLE || r->len > ~0ull - r->base || base < r->base)
			continue;
		end = ALIGN_DOWN(r->base + r->len, PAGE_SIZE);
		if (end > base)
			range_add(bm, base, end);
	}
	bootmem_reserve(bm, 0, PAGE_SIZE);
}

void bootmem_reserve(struct bootmem *bm, paddr_t base, uint64_t len)
{
	paddr_t end = (len > ~0ull - base) ? ~0ull : base + len;

	base = ALIGN_DOWN(base, PAGE_SIZE);
	end = (end > ~0ull - (PAGE_SIZE - 1)) ? ALIGN_DOWN(~0ull, PAGE_SIZE) : ALIGN_UP(end, PAGE_SIZE);
	for (uint32_t i = 0; i < bm->count && base < end;) {
		struct bootmem_range *r = &bm->free[i];
		if (r->end <= base || r->base >= end) {
			i++;
			continue;
		}
		if (r->base >= base && r->end <= end) {
			range_delete(bm, i);
			continue;
		}
		if (r->base < base && r->end > end) { /* split in two */
			paddr_t tail = r->end;
			r->end = base;
			if (bm->count == BOOTMEM_MAX_RANGES) {
				bm->overflow = true;
				if (tail - end > r->end - r->base)
					*r = (struct bootmem_range){ end, tail };
				return;
			}
			range_insert(bm, i + 1, end, tail);
			return;
		}
		if (r->base < base)
			r->end = base;
		else
			r->base = end;
		i++;
	}
}

paddr_t bootmem_alloc(struct bootmem *bm, uint64_t size, uint64_t align, paddr_t limit)
{
	if (bm->closed || size == 0 || size % PAGE_SIZE || align < PAGE_SIZE || (align & (align - 1)))
		return 0;
	for (uint32_t i = 0; i < bm->count; i++) {
		struct bootmem_range *r = &bm->free[i];
		paddr_t p = ALIGN_UP(r->base, align);
		if (p < r->base || p >= r->end || r->end - p < size || p + size > limit)
			continue;
		bootmem_reserve(bm, p, size);
		bm->allocated += size;
		return p;
	}
	return 0;
}

uint64_t bootmem_free_bytes(const struct bootmem *bm)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < bm->count; i++)
		n += bm->free[i].end - bm->free[i].base;
	return n;
}

void bootmem_close(struct bootmem *bm)
{
	bm->closed = true;
}
