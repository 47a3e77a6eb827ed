/* Slot and untyped allocators for the root task (see atoll/alloc.h). */
#include "atoll/alloc.h"

#define FREE_MAX 256

static struct {
	struct abi_bootinfo *bi;
	uint32_t next, end;
	cptr_t freed[FREE_MAX];
	uint32_t nfreed;
	uint32_t ut; /* untyped currently carved */
	cptr_t given[ALLOC_GIVEN_MAX]; /* alloc_give_untyped */
	uint32_t ngiven;
} A;

void alloc_init(struct abi_bootinfo *bi)
{
	A.bi = bi;
	A.next = bi->empty_first;
	A.end = bi->empty_last;
	A.ut = 0;
}

cptr_t slot_alloc(void)
{
	if (A.nfreed)
		return A.freed[--A.nfreed];
	return A.next < A.end ? A.next++ : 0;
}

void slot_free(cptr_t slot)
{
	if (A.nfreed < FREE_MAX)
		A.freed[A.nfreed++] = slot;
}

cptr_t obj_alloc(uint64_t type, uint64_t size_bits, uint64_t *err)
{
	cptr_t s = slot_alloc();
	uint64_t e = E_NOT_ENOUGH_MEMORY;

	if (!s) {
		*err = E_NOT_ENOUGH_MEMORY;
		return 0;
	}
	for (; A.ut < A.bi->untyped_count; A.ut++) {
		e = atoll_untyped_retype(A.bi->untyped_first + A.ut, type, size_bits, ROOT_CNODE, s, 1);
		if (e != E_NOT_ENOUGH_MEMORY)
			break;
	}
	if (e == E_NOT_ENOUGH_MEMORY) /* earlier untypeds may still fit small objects */
		for (uint32_t i = 0; i < A.bi->untyped_count && e == E_NOT_ENOUGH_MEMORY; i++)
			e = atoll_untyped_retype(A.bi->untyped_first + i, type, size_bits, ROOT_CNODE, s, 1);
	for (uint32_t i = 0; i < A.ngiven && e == E_NOT_ENOUGH_MEMORY; i++)
		e = atoll_untyped_retype(A.given[i], type, size_bits, ROOT_CNODE, s, 1);
	if (e) {
		slot_free(s);
		*err = e;
		return 0;
	}
	*err = E_OK;
	return s;
}

bool alloc_give_untyped(cptr_t ut)
{
	if (A.ngiven == ALLOC_GIVEN_MAX)
		return false;
	A.given[A.ngiven++] = ut;
	return true;
}

static const uint64_t table_types[3] = { OBJ_PAGE_TABLE, OBJ_PAGE_DIRECTORY, OBJ_PDPT };

uint64_t map_frame_anywhere(cptr_t frame, cptr_t vspace, uint64_t vaddr, uint64_t rights)
{
	uint64_t e;

	for (int tries = 0; tries < 4; tries++) {
		e = atoll_frame_map(frame, vspace, vaddr, rights, 0);
		if (e != E_FAILED_LOOKUP)
			return e;
		/* Add the highest missing level: try PDPT, then PD, then PT. */
		for (int l = 2; l >= 0; l--) {
			uint64_t err;
			cptr_t t = obj_alloc(table_types[l], 0, &err);
			if (!t)
				return err;
			err = atoll_page_table_map(t, vspace, vaddr);
			if (err == E_OK)
				break;
			atoll_cnode_delete(ROOT_CNODE, t);
			slot_free(t);
		}
	}
	return e;
}

cptr_t page_alloc_at(uint64_t vaddr)
{
	uint64_t err;
	cptr_t f = obj_alloc(OBJ_FRAME_4K, 0, &err);

	if (!f)
		return 0;
	if (map_frame_anywhere(f, ROOT_VSPACE, vaddr, RIGHT_READ | RIGHT_WRITE)) {
		atoll_cnode_delete(ROOT_CNODE, f);
		slot_free(f);
		return 0;
	}
	return f;
}
