/* Fixtures for the ACPI parser's host tests (see acpi_fixture.h). */
#include <stdlib.h>
#include <string.h>

#include "acpi_fixture.h"

/* --- fake physical memory --- */

struct phys ph;
unsigned map_wrapped; /* map() asked for a range that wraps past 2^64 */

const void *phys_map(void *ctx, paddr_t paddr, size_t len)
{
	struct phys *p = ctx;
	void *c;

	const uint8_t *src;

	map_wrapped += paddr + len < paddr;
	if (p->ncopies >= p->refuse_from)
		return NULL;
	if (p->high && paddr >= HIGH_BASE && len <= HIGH_SIZE && paddr - HIGH_BASE <= HIGH_SIZE - len)
		src = p->high + (paddr - HIGH_BASE);
	else if (paddr >= PHYS_BASE && len <= PHYS_SIZE && paddr - PHYS_BASE <= PHYS_SIZE - len)
		src = p->b + (paddr - PHYS_BASE);
	else
		return NULL;
	if (p->ncopies == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->copies = realloc(p->copies, p->cap * sizeof(void *));
	}
	c = malloc(len ? len : 1);
	memcpy(c, src, len);
	p->copies[p->ncopies++] = c;
	return c;
}

void phys_unmap_all(void)
{
	for (size_t i = 0; i < ph.ncopies; i++)
		free(ph.copies[i]);
	ph.ncopies = 0;
}

void phys_clear(void)
{
	memset(ph.b, 0, PHYS_SIZE);
	if (ph.high) /* optional: tests that place tables above 4 GiB allocate it */
		memset(ph.high, 0, HIGH_SIZE);
	ph.refuse_from = SIZE_MAX;
}

void phys_put(paddr_t at, const void *p, size_t n)
{
	if (ph.high && at >= HIGH_BASE && at - HIGH_BASE + n <= HIGH_SIZE) {
		memcpy(ph.high + (at - HIGH_BASE), p, n);
		return;
	}
	if (at < PHYS_BASE || at - PHYS_BASE + n > PHYS_SIZE)
		abort();
	memcpy(ph.b + (at - PHYS_BASE), p, n);
}

/* --- table builder --- */

void put(struct tb *t, const void *p, size_t n)
{
	if (t->len + n > sizeof(t->b))
		abort();
	memcpy(t->b + t->len, p, n);
	t->len += (uint32_t)n;
}

void p8(struct tb *t, uint8_t v) { put(t, &v, 1); }
void p16(struct tb *t, uint16_t v) { put(t, &v, 2); }
void p32(struct tb *t, uint32_t v) { put(t, &v, 4); }
void p64(struct tb *t, uint64_t v) { put(t, &v, 8); }
void set32(uint8_t *b, uint32_t v) { memcpy(b, &v, 4); }
void set64(uint8_t *b, uint64_t v) { memcpy(b, &v, 8); }

uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

void tb_begin(struct tb *t, const char *sig, uint8_t rev)
{
	memset(t, 0, sizeof(*t));
	put(t, sig, 4);
	p32(t, 0);
	p8(t, rev);
	p8(t, 0);
	put(t, "BOCHS BXPC    ", 14);
	p32(t, 1);
	put(t, "BXPC", 4);
	p32(t, 1);
}

/* Set the length field to the bytes written and fix the checksum. */
void tb_end(struct tb *t)
{
	set32(t->b + 4, t->len);
	t->b[9] = 0;
	t->b[9] = (uint8_t)-sum(t->b, t->len);
}

void tb_place(struct tb *t, paddr_t at)
{
	tb_end(t);
	phys_put(at, t->b, t->len);
}

void madt_begin(struct tb *t, uint32_t lapic, uint32_t flags)
{
	tb_begin(t, "APIC", 1);
	p32(t, lapic);
	p32(t, flags);
}

void m_lapic(struct tb *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	p8(t, 0), p8(t, 8), p8(t, uid), p8(t, id), p32(t, flags);
}

void m_ioapic(struct tb *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	p8(t, 1), p8(t, 12), p8(t, id), p8(t, 0), p32(t, addr), p32(t, gsi);
}

void m_override(struct tb *t, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	p8(t, 2), p8(t, 10), p8(t, bus), p8(t, irq), p32(t, gsi), p16(t, flags);
}

void m_nmi(struct tb *t, uint8_t uid, uint16_t flags, uint8_t lint)
{
	p8(t, 4), p8(t, 6), p8(t, uid), p16(t, flags), p8(t, lint);
}

void m_lapic_addr(struct tb *t, uint64_t addr)
{
	p8(t, 5), p8(t, 12), p16(t, 0), p64(t, addr);
}

void m_x2apic(struct tb *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	p8(t, 9), p8(t, 16), p16(t, 0), p32(t, id), p32(t, flags), p32(t, uid);
}

void m_x2nmi(struct tb *t, uint16_t flags, uint32_t uid, uint8_t lint)
{
	p8(t, 10), p8(t, 12), p16(t, flags), p32(t, uid), p8(t, lint), p8(t, 0), p16(t, 0);
}

/* An entry of `type` and `len` bytes, zero-filled. */
void m_raw(struct tb *t, uint8_t type, uint8_t len)
{
	p8(t, type);
	p8(t, len);
	for (int i = 2; i < len; i++)
		p8(t, 0);
}

/* QEMU's FADT: pc is revision 1 (116 bytes), q35 revision 3 (244 bytes). */
void fadt_build(struct tb *t, uint8_t rev, uint32_t dsdt, uint64_t x_dsdt, bool x_pm1a)
{
	tb_begin(t, "FACP", rev);
	memset(t->b + 36, 0, (rev >= 3 ? 244 : 116) - 36);
	t->len = rev >= 3 ? 244 : 116;
	set32(t->b + 40, dsdt);
	t->b[46] = 9; /* SCI_INT */
	set32(t->b + 56, 0x600);
	set32(t->b + 64, x_pm1a ? 0 : 0x604);
	if (rev >= 3) {
		set64(t->b + 140, x_dsdt);
		t->b[172] = 1, t->b[173] = 16; /* System I/O, 16 bits */
		set64(t->b + 176, 0x604);
	}
}

void dsdt_build(struct tb *t, const void *aml, size_t n)
{
	tb_begin(t, "DSDT", 2);
	put(t, aml, n);
}

void root_build(struct tb *t, bool x, const paddr_t *addrs, int n)
{
	tb_begin(t, x ? "XSDT" : "RSDT", 1);
	for (int i = 0; i < n; i++)
		x ? p64(t, addrs[i]) : p32(t, (uint32_t)addrs[i]);
}

void rsdp_build(uint8_t r[36], uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "BOCHS ", 6);
	r[15] = rev;
	set32(r + 16, rsdt);
	r[8] = (uint8_t)-sum(r, 20);
	if (rev >= 2) {
		set32(r + 20, 36);
		set64(r + 24, xsdt);
		r[32] = (uint8_t)-sum(r, 36);
	}
}
