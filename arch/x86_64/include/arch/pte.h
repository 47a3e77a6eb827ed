/*
 * x86-64 page-table entry bits (Intel SDM Vol. 3A 4.5), for the C page-table
 * code of arch/x86_64/ and, through asm_offsets.inc, boot/entry.asm's early
 * tables. (paging.c still has its own copy: see the issue 11 notes.)
 */
#pragma once

#define PTE_P (1ull << 0)   /* present */
#define PTE_W (1ull << 1)   /* writable */
#define PTE_U (1ull << 2)   /* user */
#define PTE_PWT (1ull << 3) /* PAT index bit 0 (write-through) */
#define PTE_PCD (1ull << 4) /* PAT index bit 1 (cache disable) */
#define PTE_PS (1ull << 7)  /* a large page (PD, PDPT level) */
#define PTE_G (1ull << 8)   /* global */
#define PTE_NX (1ull << 63) /* no execute (EFER.NXE) */
#define PTE_ADDR 0x000FFFFFFFFFF000ull
