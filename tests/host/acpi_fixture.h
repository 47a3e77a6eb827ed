/*
 * Fixtures for the ACPI parser's host tests (test_acpi.c): fake physical
 * memory whose map() hands out fresh malloc'd copies of exactly the bytes
 * asked for (so ASan catches reads past them), and builders for the tables
 * QEMU's firmware makes (RSDP, RSDT/XSDT, FADT, MADT with every entry
 * type), checksums included.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi.h"

#define PHYS_BASE 0x7fe0000ull
#define PHYS_SIZE 0x8000u
/* Where the standard world puts its tables. */
#define AT_XSDT (PHYS_BASE + 0x000)
#define AT_RSDT (PHYS_BASE + 0x100)
#define AT_FADT (PHYS_BASE + 0x200)
#define AT_HPET (PHYS_BASE + 0x400)
#define AT_DSDT (PHYS_BASE + 0x500)
#define AT_MADT (PHYS_BASE + 0x1000)
/* A second window of fake memory far above 4 GiB. */
#define HIGH_BASE 0x1234560000ull
#define HIGH_SIZE 0x4000u

struct phys {
	uint8_t *b; /* PHYS_SIZE bytes standing for [PHYS_BASE, PHYS_BASE + PHYS_SIZE) */
	uint8_t *high; /* HIGH_SIZE bytes standing for [HIGH_BASE, HIGH_BASE + HIGH_SIZE),
			  or NULL: no memory there */
	void **copies;
	size_t ncopies, cap;
	size_t refuse_from; /* map() fails from this many calls on */
};
extern struct phys ph;
extern unsigned map_wrapped; /* map() asked for a range that wraps past 2^64 */

/* A table being built. */
struct tb {
	uint8_t b[8192];
	uint32_t len;
};

const void *phys_map(void *ctx, paddr_t paddr, size_t len);
void phys_unmap_all(void);
void phys_clear(void);
void phys_put(paddr_t at, const void *p, size_t n);
void put(struct tb *t, const void *p, size_t n);
uint8_t sum(const uint8_t *p, size_t n);
void tb_begin(struct tb *t, const char *sig, uint8_t rev);
void tb_end(struct tb *t);
void tb_place(struct tb *t, paddr_t at);
void madt_begin(struct tb *t, uint32_t lapic, uint32_t flags);
void m_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags);
void m_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi);
void m_override(struct tb *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags);
void m_nmi(struct tb *t, uint8_t uid, uint16_t flags, uint8_t lint);
void m_lapic_addr(struct tb *t, uint64_t addr);
void m_x2apic(struct tb *t, uint32_t id, uint32_t flags, uint32_t uid);
void m_x2nmi(struct tb *t, uint16_t flags, uint32_t uid, uint8_t lint);
void m_raw(struct tb *t, uint8_t type, uint8_t len);
void fadt_build(struct tb *t, uint8_t rev, uint32_t dsdt, uint64_t x_dsdt, bool x_pm1a);
/* A DSDT whose AML body is the n bytes at aml. */
void dsdt_build(struct tb *t, const void *aml, size_t n);
void root_build(struct tb *t, bool x, const paddr_t *addrs, int n);
void rsdp_build(uint8_t r[36], uint8_t rev, uint32_t rsdt, uint64_t xsdt);
void p8(struct tb *t, uint8_t v);
void p16(struct tb *t, uint16_t v);
void p32(struct tb *t, uint32_t v);
void p64(struct tb *t, uint64_t v);
void set32(uint8_t *b, uint32_t v);
void set64(uint8_t *b, uint64_t v);
