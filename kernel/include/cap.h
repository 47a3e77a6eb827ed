/*
 * Capabilities, slots and the capability derivation tree (docs/capabilities.md).
 * Pure C over memory the caller owns; host-tested. Per cluster: the caller
 * holds its cluster's kernel lock.
 */
#pragma once
#include "types.h"
#include "abi/abi.h"

struct cap {
	uint64_t w0, w1;
};

/* A slot, in a CNode or a TCB of its cluster; capability and links under
 * the kernel lock. */
struct cte {
	struct cap cap;
	uintptr_t mdb_prev; /* struct cte *, flags in bits 0-1 */
	uintptr_t mdb_next; /* struct cte * */
};
_Static_assert(sizeof(struct cte) == 32, "capability slot is 32 bytes");
#define CTE_SIZE_BITS 5

#define MDB_REVOCABLE 1u
#define MDB_FIRST_BADGED 2u
#define MDB_FLAGS 3u

/* Internal capability type, beyond the ABI's object types. */
#define CAP_ZOMBIE 31u

/* Field access. */
static inline unsigned cap_type(struct cap c) { return (unsigned)(c.w0 & 31); }
static inline unsigned cap_rights(struct cap c) { return (unsigned)(c.w0 >> 5 & 15); }
static inline unsigned cap_size_bits(struct cap c) { return (unsigned)(c.w0 >> 9 & 63); }
static inline bool cap_is_device(struct cap c) { return c.w0 >> 15 & 1; }
static inline uint64_t cap_paddr(struct cap c) { return c.w0 >> 16; }
static inline bool cap_is_null(struct cap c) { return cap_type(c) == OBJ_NULL; }

static inline struct cap cap_make(unsigned type, unsigned rights, unsigned size_bits, bool device,
				  uint64_t paddr, uint64_t w1)
{
	return (struct cap){ (uint64_t)(type & 31) | (uint64_t)(rights & 15) << 5 |
				     (uint64_t)(size_bits & 63) << 9 | (uint64_t)device << 15 |
				     paddr << 16,
			     w1 };
}
static inline struct cap cap_null(void) { return (struct cap){ 0, 0 }; }
static inline struct cap cap_with_rights(struct cap c, unsigned rights)
{
	c.w0 = (c.w0 & ~(15ull << 5)) | (uint64_t)(rights & 15) << 5;
	return c;
}

/* Per-type views of w1. */
static inline uint64_t cap_badge(struct cap c) { return c.w1; }
static inline unsigned cap_guard_size(struct cap c) { return (unsigned)(c.w1 & 63); }
static inline uint64_t cap_guard(struct cap c) { return c.w1 >> 6; }
static inline uint32_t cap_map_asid(struct cap c) { return (uint32_t)(c.w1 & 0xFFF); }
static inline uint64_t cap_map_vaddr(struct cap c) { return c.w1 & ~0xFFFull; }
static inline uint64_t cap_ioport_first(struct cap c) { return c.w1 & 0xFFFF; }
static inline uint64_t cap_ioport_last(struct cap c) { return c.w1 >> 16 & 0xFFFF; }

/* Object size in bytes for region comparisons; 0 for objects without memory. */
uint64_t cap_region_size(struct cap c);

/* CDT list links. */
static inline struct cte *mdb_next(const struct cte *s) { return (struct cte *)s->mdb_next; }
static inline struct cte *mdb_prev(const struct cte *s) { return (struct cte *)(s->mdb_prev & ~(uintptr_t)MDB_FLAGS); }
static inline unsigned mdb_flags(const struct cte *s) { return (unsigned)(s->mdb_prev & MDB_FLAGS); }

/* Whether `a` and `b` name the same object (same type and memory). */
bool cap_same_object(struct cap a, struct cap b);
/* Whether `b` lies within what `a` covers (docs/capabilities.md). */
bool cap_same_region(struct cap a, struct cap b);
/* CDT parenthood of neighbouring slots. */
bool cdt_is_parent_of(const struct cte *a, const struct cte *b);
/* Whether a capability derived from `src` as `derived` is revocable. */
bool cdt_derived_revocable(struct cap derived, struct cap src);

/* Put `cap` into the empty slot `dest` as a child of `parent` (after it in
 * the list); `parent` may be NULL for boot-time original capabilities. */
void cdt_insert(struct cte *dest, struct cap cap, struct cte *parent, unsigned flags);
/* Move the capability in `src` (with its CDT position) to the empty `dest`. */
void cdt_move(struct cte *dest, struct cte *src, struct cap newcap);
/* Unlink `s` from the CDT and empty it. The object is not touched. */
void cdt_remove(struct cte *s);
/* Whether `s` holds the last capability to its object. */
bool cdt_is_final(const struct cte *s);
/* Whether `s` has children in the CDT. */
bool cdt_has_children(const struct cte *s);
/* Swap two slots' capabilities and CDT positions (both non-empty). */
void cdt_swap(struct cte *a, struct cte *b);
