/*
 * Inside the invariant checker (docs/invariants.md): the state of one
 * check, the object index a full check builds from the derivation list,
 * and the per-group checks. Everything runs under the cluster's kernel
 * lock, reads only, and dereferences only memory of this cluster's
 * partition (another cluster's is unmapped here: a stray read would fault).
 */
#pragma once
#include "arch/vswalk.h"
#include "ipc.h"
#include "kcheck.h"
#include "object/tcb.h"

/* One check in progress. */
struct kc {
	struct kcheck_report *r;
	bool quiet;        /* self-tests: record, do not print */
	unsigned printed;  /* violations printed so far */
};

/* Record a violation of `inv`; always returns false. */
bool kc_fail(struct kc *k, enum kcheck_inv inv, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Physical address of a kernel pointer into the direct map, and whether
 * [p, p+size) lies inside this cluster's partition (safe to read). */
static inline paddr_t kc_pa(const void *p)
{
	return (paddr_t)((uintptr_t)p - DMAP_BASE);
}
bool kc_mine(paddr_t pa, uint64_t size);
bool kc_kptr_ok(const void *p, uint64_t size);

/* A capability's type for region purposes: a zombie counts as what it was. */
static inline unsigned kc_kind(struct cap c)
{
	return cap_type(c) == CAP_ZOMBIE ? (unsigned)(c.w1 & 0xFF) : cap_type(c);
}
static inline bool kc_is_paging(unsigned t)
{
	return t == OBJ_PAGE_TABLE || t == OBJ_PAGE_DIRECTORY || t == OBJ_PDPT;
}
static inline bool kc_is_frame(unsigned t)
{
	return t == OBJ_FRAME_4K || t == OBJ_FRAME_2M;
}
/* An object type's name (objects.def), "ZOMBIE" or "BAD-TYPE". */
const char *kc_type_name(unsigned type);
/* "TYPE at 0x..., w1 0x..." and "slot 0x... (TYPE at 0x...)" for reports. */
const char *kc_cap_str(struct cap c, char *buf, size_t n);
const char *kc_slot_str(const struct cte *s, char *buf, size_t n);
#define KC_STR 72

/* --- the object index (built by kc_cdt_full) --- */

/* A capability with memory, as an interval of physical memory. */
struct kc_ent {
	paddr_t pa, end;
	uint32_t node; /* its position in the derivation list */
	uint8_t type;  /* its capability's type */
	uint8_t kind;  /* the same, but what a zombie was */
	uint16_t pad;
};

struct kc_index {
	uint32_t cap;          /* capacity of every array below */
	struct cte **nodes;    /* the derivation list in order (no head) */
	uint32_t *parent;      /* node -> parent node, or KC_NONE */
	uint32_t *send;        /* node -> last node of its subtree */
	uint32_t *stack;
	uint64_t *keys;        /* their sort keys (inv_cdt.c) */
	struct kc_ent *ents;   /* capabilities with memory, sorted by (pa, -end, node) */
	uint32_t *objs;        /* distinct objects other than untypeds, usable (checked cap,
	                        * this cluster's memory): index of their first entry */
	uint8_t *mark;         /* per object, for the thread checks */
	uint32_t n, nents, nobjs;
	bool incomplete;       /* more capabilities than the capacity */
};
#define KC_NONE 0xFFFFFFFFu
#define INDEX_CAP_MAX 32768u /* capabilities the index can hold at most */

/* Arrays for a capacity of `cap` capabilities carved from `mem`; returns
 * the bytes needed when mem is NULL. */
uint64_t kc_index_layout(struct kc_index *x, void *mem, uint32_t cap);

/* The object (index into objs) whose memory starts at pa, or that
 * contains pa, or -1. */
int kc_find(const struct kc_index *x, paddr_t pa);
int kc_find_containing(const struct kc_index *x, paddr_t pa);
/* Its first capability, its type (zombies: the type they were). */
static inline struct cte *kc_obj_slot(const struct kc_index *x, int o)
{
	return x->nodes[x->ents[x->objs[o]].node];
}
static inline unsigned kc_obj_kind(const struct kc_index *x, int o)
{
	return x->ents[x->objs[o]].kind;
}
static inline unsigned kc_obj_type(const struct kc_index *x, int o)
{
	return x->ents[x->objs[o]].type;
}
/* The object at pa if it is a live object of `type` (not a zombie), else -1. */
int kc_find_live(const struct kc_index *x, paddr_t pa, unsigned type);
/* Every capability of object o: entries [first, *end). */
uint32_t kc_obj_caps(const struct kc_index *x, int o, uint32_t *end);

/* --- the checks: full ones over the index, entry ones without it --- */

/* Derivation list, capabilities, untypeds, overlap, partition; builds x. */
void kc_cdt_full(struct kc *k, struct kc_index *x);
void kc_vspace_full(struct kc *k, struct kc_index *x);
void kc_threads_full(struct kc *k, struct kc_index *x);

/* One slot the entry looked up: its links, flags, capability, and the
 * object's own state (queues, links, watermark, mapping). */
void kc_slot_local(struct kc *k, struct cte *s);
void kc_mapping_local(struct kc *k, const struct cte *s);
void kc_object_local(struct kc *k, const struct cte *s);
/* Ready queues and current threads of every core, and one thread. */
void kc_sched_local(struct kc *k);
void kc_tcb_local(struct kc *k, struct tcb *t);

/* Shared by full and entry checks. */
bool kc_cap_valid(struct kc *k, const struct cte *s);
bool kc_records_agree(struct kc *k, const struct cte *a, const struct cte *s);
bool kc_boot_mapping(paddr_t pml4, vaddr_t va, int level, paddr_t target);
/* The entry at the mapping capability c records, if it still points at
 * c's object. */
bool kc_recorded_entry(struct cap c, struct vs_entry *e);
/* The root of the ASID's address space if it is live and safe to read. */
uint64_t *kc_asid_root(uint32_t asid);
/* The cross-cluster notification's wait queue and the IRQ table. */
struct tqueue *xnotif_waiters(void);
struct notification **irq_notification_ref(uint64_t irq);
