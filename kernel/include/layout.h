/* Virtual memory layout shared by every kernel instance. */
#pragma once
#include "types.h"

#define KERNEL_VBASE 0xFFFFFFFF80000000ull /* image: KERNEL_VBASE + physical */
#define DMAP_BASE 0xFFFF800000000000ull    /* direct map of physical memory */
#define DMAP_MIN_SIZE (4ull << 30)         /* the loader's early map: the first 4 GiB */
#define DMAP_MAX_SIZE (1ull << 46)         /* 64 TiB of direct map at most */
#define DEVMAP_BASE 0xFFFFFF0000000000ull  /* device window (PML4 slot 510) */
#define DEVMAP_SIZE (1ull << 39)

static inline void *phys_to_virt(paddr_t pa) { return (void *)(uintptr_t)(DMAP_BASE + pa); }
static inline paddr_t dmap_to_phys(const void *va) { return (paddr_t)(uintptr_t)va - DMAP_BASE; }
static inline paddr_t kimage_to_phys(const void *va) { return (paddr_t)(uintptr_t)va - KERNEL_VBASE; }

/* Linker-script symbols. */
extern char __boot_start[], __boot_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[], __data_end[], __kernel_end[];
extern char __shared_start[], __shared_end[];

/* One copy for all clusters (the rest of .data/.bss is per cluster). */
#define KSHARED __attribute__((section(".kshared")))
