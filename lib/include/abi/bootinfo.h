/*
 * What the kernel tells a root task, in a read-only frame mapped at
 * ABI_BOOTINFO_VADDR. Shared by the kernel and userland/.
 */
#pragma once
#include <stdint.h>

#define ABI_BOOTINFO_MAGIC 0x41544F4C4C424931ull /* "ATOLLBI1" */
#define ABI_BOOTINFO_VADDR 0x0000000000200000ull
#define ABI_BOOTINFO_PAGES 4
/* Every thread's stack lies in a 64 KiB-aligned area whose lowest page is
 * the thread's IPC buffer, so the runtime finds it from the stack pointer. */
#define ABI_THREAD_AREA 0x10000ull
#define ABI_STACK_TOP 0x0000000000400000ull /* root stack grows down from here */
#define ABI_IPCBUF_VADDR (ABI_STACK_TOP - ABI_THREAD_AREA)
#define ABI_STACK_PAGES 15
#define ABI_MODULES_VADDR 0x0000000010000000ull /* modules mapped read-only here */
#define ABI_ROOT_CNODE_RADIX 12
#define ABI_MAX_UNTYPED 512
#define ABI_MAX_MODULES 16
#define ABI_MAX_CLUSTERS 32
/* Cross-cluster message rings: for peer cluster j, the ring this cluster
 * writes lies at ABI_CHAN_VADDR + 2*j*ABI_CHAN_RING_BYTES, the one it reads
 * one ring further. Both sides map both pages read-write (indices). */
#define ABI_CHAN_VADDR 0x0000000008000000ull
#define ABI_CHAN_RING_BYTES 4096

/* Fixed slots of the root task's CNode (capability addresses). */
enum abi_root_slot {
	ROOT_NULL = 0,
	ROOT_TCB = 1,
	ROOT_CNODE = 2,
	ROOT_VSPACE = 3,
	ROOT_IPCBUF = 4,
	ROOT_BOOTINFO = 5,
	ROOT_IRQ_CONTROL = 6,     /* cluster 0 only (this slot and the next): devices belong to it */
	ROOT_IOPORT_CONTROL = 7,
	ROOT_XNOTIF = 8,          /* this cluster's inbound cross-cluster notification (Wait, Poll) */
	ROOT_DEBUG = 9,           /* the debug capability, all rights: console output, counters, end of the run */
	ROOT_CHAN_SIGNAL = 16,    /* + j: signal cluster j's inbound notification (badged with our bit) */
	ROOT_FIRST_FREE_FIXED = ROOT_CHAN_SIGNAL + ABI_MAX_CLUSTERS,
};

struct abi_untyped {
	uint64_t paddr;
	uint8_t size_bits;
	uint8_t is_device;
	uint8_t pad[6];
};

struct abi_module {
	uint64_t vaddr; /* where it is mapped in the root task, read-only */
	uint64_t size;
	char name[48];
};

/* The boot-time channel between this cluster and cluster j (chan[j]). */
struct abi_channel {
	uint64_t tx_vaddr;    /* ring we write, cluster j reads */
	uint64_t rx_vaddr;    /* ring cluster j writes, we read */
	uint64_t badge;       /* the bit j's signals set in our inbound word */
	uint32_t signal_slot; /* capability to signal j (0 for ourselves) */
	uint32_t ring_bytes;
};

struct abi_bootinfo {
	uint64_t magic;
	uint32_t cluster_id, cluster_count;
	uint32_t core_first, core_count;
	uint32_t cnode_radix;
	uint32_t empty_first, empty_last; /* [first, last) empty slots */
	uint32_t untyped_first, untyped_count; /* slots holding untyped caps */
	uint32_t module_count;
	uint64_t ipcbuf_vaddr;
	uint64_t tsc_hz;
	uint64_t cpu_features; /* ABI_CPU_* bits */
	uint32_t ktests_passed, ktests_failed; /* kernel self-tests run before (test=suite) */
	char cpu_brand[48];
	char cmdline[512];
	struct abi_module modules[ABI_MAX_MODULES];
	struct abi_untyped untyped[ABI_MAX_UNTYPED];
	uint32_t core_apic[ABI_MAX_CLUSTERS * 2]; /* APIC ids of this cluster's cores */
	struct abi_channel chan[ABI_MAX_CLUSTERS]; /* valid when cluster_count > 1 */
};

#define ABI_CPU_PCID (1u << 0)
#define ABI_CPU_X2APIC (1u << 1)
#define ABI_CPU_TSC_DEADLINE (1u << 2)
#define ABI_CPU_INVARIANT_TSC (1u << 3)
#define ABI_CPU_SMEP (1u << 4)
#define ABI_CPU_SMAP (1u << 5)
#define ABI_CPU_FSGSBASE (1u << 6)
#define ABI_CPU_RDTSCP (1u << 7)
