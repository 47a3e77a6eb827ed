/*
 * The AP start-up trampoline's contract between smpboot.c (which copies it
 * and fills its data block) and trampoline.asm (which reads the block by
 * the offsets asm_offsets.c generates from this struct).
 */
#pragma once
#include "types.h"

#define AP_TRAMPOLINE 0x8000 /* physical; the SIPI vector is AP_TRAMPOLINE >> 12 */
_Static_assert((AP_TRAMPOLINE & 0xFFF) == 0 && AP_TRAMPOLINE < 0x100000, "SIPI needs a page below 1 MiB");

struct tramp_data {
	uint64_t cr3;   /* 32-bit: identity-maps the first GiB, and the kernel half */
	uint64_t efer;  /* EFER bits to set (LME, NXE) */
	uint64_t stack; /* the AP's kernel stack top */
	uint64_t cpu;   /* its struct cpu *, the C entry's argument */
	uint64_t entry; /* the C entry (ap_entry) */
};
