/*
 * The AP start-up trampoline's contract between smpboot.c (which copies it
 * to the page the boot core chose below 1 MiB and fills its data block) and
 * trampoline.asm (which reads the block by the offsets asm_offsets.c
 * generates from this struct). Written by the boot core only, one core
 * starting at a time.
 */
#pragma once
#include "types.h"

/* What the AP does (tramp_data.mode). */
#define TRAMP_CHECK_IN 0 /* set `arrived` and halt: the probe */
#define TRAMP_START 1    /* go to long mode and call `entry` */
#define TRAMP_SILENT 2   /* halt without checking in (test_ap_fail=) */

struct tramp_data {
	uint64_t cr3;   /* 32-bit: identity-maps the first GiB, and the kernel half */
	uint64_t efer;  /* EFER bits to set (LME, NXE) */
	uint64_t stack; /* the AP's kernel stack top */
	uint64_t cpu;   /* its struct cpu *, the C entry's argument and GS base */
	uint64_t entry; /* the C entry (ap_entry) */
	/* lgdt/lidt operands: 10 bytes at +6 of each 16 (limit, then base). */
	uint16_t gdtr_pad[3], gdt_limit;
	uint64_t gdt_base;
	uint16_t idtr_pad[3], idt_limit;
	uint64_t idt_base;
	uint8_t mode, pad[3];
	volatile uint32_t arrived; /* set to 1 by a core checking in */
};
_Static_assert(__builtin_offsetof(struct tramp_data, gdt_limit) % 8 == 6 &&
		       __builtin_offsetof(struct tramp_data, idt_limit) % 8 == 6,
	       "the lgdt/lidt operands start 6 bytes into an 8-byte word (base aligned)");
