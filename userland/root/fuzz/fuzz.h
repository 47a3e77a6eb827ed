/*
 * The stateful system-call fuzzer (docs/fuzzing.md). An executor thread
 * with a CSpace of its own makes seeded system calls, most of them built
 * from a model of what every slot holds, and checks each result against
 * what the model predicts from the capability rules. Worker threads in
 * their own CSpaces and VSpaces (on several cores) make calls on its
 * behalf and touch memory as probes; oracles check that no two frames
 * overlap, that unmapped memory faults and that fresh memory reads zero.
 *
 * Files: fuzz_main.c (command line, setup, run loop, report),
 * fuzz_model.c (objects, capabilities, derivation tree, paging),
 * fuzz_ops.c (the calls: generate, predict, run, apply),
 * fuzz_worker.c (the workers: mailbox, probes, faults),
 * fuzz_oracle.c (the isolation oracles).
 */
#pragma once
#include "atoll/rand.h"
#include "../suite.h"

/* ---- limits ---- */
#define FZ_CSPACES 48       /* model CSpaces: the executor's, the workers', fuzz-made CNodes and TCBs */
#define FZ_MAX_SLOTS 256    /* slots of the largest (the executor's) */
#define FZ_MAX_CAPS 768
#define FZ_MAX_OBJS 512
#define FZ_WORKERS 2
#define FZ_NO (-1)

/* The executor's CSpace (model CSpace 0): pinned slots it never deletes,
 * moves or mutates (it copies from them and invokes them). */
enum fz_pinned {
	P_SELF = 1,      /* its own CNode */
	P_DONE = 2,      /* notification: the run is over (the root waits on it) */
	P_UT0 = 3,       /* two untypeds, the fuzzer's memory (originals) */
	P_UT1 = 4,
	P_WCN = 5,       /* + k: worker k's CNode */
	P_WVS = 7,       /* + k: worker k's VSpace */
	P_DEBUG = 9,     /* a write-only debug capability: printf (= ROOT_DEBUG) */
	P_WTCB = 19,     /* + k: worker k's TCB */
	P_WGO = 11,      /* + k: worker k's "go" notification */
	P_WFEP = 13,     /* + k: worker k's fault endpoint */
	P_FREPLY = 15,   /* reply object for receiving faults */
	P_IOPORT = 16,   /* port 0x80 (cluster 0 only) */
	P_XN_IN = 17,    /* this cluster's inbound cross-cluster notification */
	P_XN_OUT = 18,   /* signal the next cluster */
	P_FIRST_FREE = 24,
};
_Static_assert((int)P_DEBUG == (int)ROOT_DEBUG, "the runtime prints through ROOT_DEBUG's slot");
#define FZ_EXEC_RADIX 8

/* A worker's CSpace (radix 6): pinned slots, then its own fuzz slots. */
enum { W_SELF = 1, W_GO = 2, W_FEP = 3, W_FIRST_FREE = 8 };
#define FZ_WORKER_RADIX 6

/* Virtual addresses the fuzzer maps at: PML4 entries 128-129, in each of
 * them PDPT entries 0-1, PD entries 0-1, PT entries 0-7 (64 pages). */
#define FZ_WIN_BASE 0x0000400000000000ull
#define FZ_WIN_INDEX 8 /* entries used per level (the PML4's: 2) */

/* ---- the model ---- */

struct fz_obj {
	uint8_t type, live, external, dying;
	uint16_t ncaps;        /* capabilities to it that the model sees */
	uint64_t bytes;        /* size in memory */
	int16_t ut_region;     /* untyped region it was carved from (FZ_NO: none) */
	uint64_t offset;       /* its offset in that region */
	int16_t cspace;        /* CNode: its model CSpace; TCB: its slot CSpace */
	/* Paging structures: where linked (PML4 obj, va), entries below it. */
	int16_t link_vs;
	uint64_t link_va;
	int16_t entry[FZ_WIN_INDEX];
	/* Notification: pending word; bound TCB. TCB: bound notification. */
	uint64_t word;
	uint8_t active;
	int16_t bound;
	/* Frame: the value at word 0 (stamped by a probe). */
	uint64_t stamp;
	uint64_t paddr;        /* frame: as INV_FRAME_GET_ADDRESS said */
	int8_t worker;         /* TCB of worker k */
	uint8_t prio, mcp;     /* TCB */
	uint8_t xn_in;         /* XNotif: this cluster's inbound one (else a signal capability) */
	uint8_t region_bits;   /* untyped: log2 size */
};

struct fz_cap {
	uint8_t used, rights, revocable, first_badged;
	int16_t obj;
	int16_t parent;        /* derivation-tree parent (a cap index) or FZ_NO */
	int16_t cs, slot;      /* where it is */
	uint64_t badge;        /* endpoint/notification badge, CNode guard word */
	int16_t map_vs;        /* mapping record: PML4 obj (FZ_NO: unmapped) */
	uint64_t map_va;
	uint8_t map_write;
	uint64_t wm;           /* untyped watermark (bytes) */
};

struct fz_cspace {
	int16_t obj;           /* its CNode object (FZ_NO for a TCB's slots) */
	uint8_t radix, used;
	uint8_t first_free;    /* slots below are pinned */
	int8_t worker;         /* worker k's CSpace, else -1 */
	int16_t slot[FZ_MAX_SLOTS]; /* cap index or FZ_NO */
};

struct fz_region {
	uint64_t bytes;
	int16_t nobjs;
};

struct fz_model {
	struct fz_obj obj[FZ_MAX_OBJS];
	struct fz_cap cap[FZ_MAX_CAPS];
	struct fz_cspace cs[FZ_CSPACES];
	struct fz_region region[FZ_MAX_OBJS];
	int16_t nregions;
	unsigned ncores, cluster, nclusters;
	bool devices;
};
extern struct fz_model fz;
extern int fz_wcs[FZ_WORKERS]; /* worker k's model CSpace */

/* Objects and capabilities. */
int fz_obj_new(unsigned type, uint64_t bytes);
int fz_cap_new(int obj, int cs, int slot, unsigned rights, uint64_t badge);
int fz_cs_new(int obj, unsigned radix, unsigned first_free, int worker);
int fz_slot_cap(int cs, int slot);
bool fz_is_paging(unsigned type);
bool fz_is_frame(unsigned type);
bool fz_cdt_is_parent(int a, int b);
int fz_cdt_parent_for(int src, int nc);
bool fz_has_children(int c);
void fz_cap_delete(int c);
void fz_revoke(int c);
void fz_move(int c, int cs, int slot);
/* Paging: the table at `level` (3 = PML4 ... 0 = PT) that covers va. */
int fz_walk(int vs, uint64_t va, int level);
unsigned fz_va_index(uint64_t va, int level);
bool fz_va_in_window(uint64_t va);
void fz_unmap_cap(int c);
int fz_translate(int vs, uint64_t va, bool *write);

/* ---- the calls ---- */

/* One system call as the ABI sees it, and what came back. */
struct fz_call {
	uint64_t no, cap, info, reply, mr[4];
	uint64_t buf[8];       /* IPC-buffer words 4.. */
	uint8_t nbuf;
	uint64_t caps[MSG_MAX_EXTRA_CAPS], recv_cnode, recv_index;
	uint8_t set_recv;
	uint8_t mr23_in_buf;   /* also IPC-buffer words 2-3 = mr[2], mr[3] (WriteRegisters
	                        * takes its values from buffer words 2.., abi/labels.def) */
};
struct fz_result {
	uint64_t err, badge, info, mr[4];
};

/* A prediction: a set of acceptable errors (bit per error), and whether the
 * result words must match too. */
struct fz_expect {
	uint32_t ok_errs;
	bool check_badge;
	uint64_t badge;
};
#define EBIT(e) (1u << (e))

struct fz_op;
typedef bool (*fz_gen_fn)(struct rand64 *r, struct fz_op *op);
typedef void (*fz_apply_fn)(struct fz_op *op, const struct fz_result *res);

/* A generated operation: who makes the call, the call, the prediction,
 * and how the model changes on success. */
struct fz_op {
	const char *name;
	int kind;              /* index in the mix (fuzz_ops.c) */
	int actor;             /* -1: the executor; k: worker k */
	struct fz_call call;
	struct fz_expect ex;
	fz_apply_fn apply;
	int a, b, c, d;        /* operands for apply (cap or object indices, slots) */
	uint64_t x, y;
	bool probe;            /* worker reads/writes memory instead of a call */
	uint64_t probe_va, probe_write;
};

/* Generate the index-th call (the generator mixes in the model state). */
bool fz_generate(struct rand64 *r, struct fz_op *op);
const char *fz_kind_name(int kind);
unsigned fz_kind_count(void);
void fz_setup_model(void);

/* ---- the run ---- */

struct fz_stats {
	uint64_t calls, ok, checks, violations, probes, faults, skipped;
	uint64_t kind_ok[32], kind_n[32];
};
extern struct fz_stats fz_stats;
extern bool fz_trace;

/* A finding: printed at once (the first few in full), counted. */
void fz_violation(uint64_t index, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
extern uint64_t fz_cur_index;

/* The executor runs one call (in a worker for actor >= 0). */
void fz_exec(struct fz_op *op, struct fz_result *res);
uint64_t fz_raw_call(const struct fz_call *c, struct fz_result *res);

/* Workers (fuzz_worker.c). */
struct fz_worker_env {
	cptr_t root_tcb, root_cnode, root_vs; /* root-held originals */
	uint64_t mbox_root;                   /* its IPC-buffer page, as the root maps it */
	bool faulted, suspended;
	int16_t tcb_obj, vs_obj;
	uint32_t seq;
};
extern struct fz_worker_env fz_w[FZ_WORKERS];
uint64_t fz_worker_setup(unsigned k, cptr_t ut, cptr_t fcnode);
bool fz_worker_call(unsigned k, const struct fz_call *c, struct fz_result *res, bool expect_block);
/* A blocked request that the model expects to have ended: its result. */
bool fz_worker_collect(unsigned k, struct fz_result *res, uint64_t ms);
bool fz_worker_done(unsigned k);
void fz_worker_forget(unsigned k);
/* A probe: read (write = 0) or stamp (write != 0) the page at va. Returns
 * true if it completed (value in *word0, OR of the rest in *rest), false
 * if the worker took a page fault there (*fault_va). */
bool fz_worker_probe(unsigned k, uint64_t va, uint64_t write, uint64_t *word0, uint64_t *rest,
		     uint64_t *fault_va);
bool fz_worker_usable(unsigned k);

/* Oracles (fuzz_oracle.c). */
void fz_oracle_frames(void);
void fz_oracle_probe(struct rand64 *r);
