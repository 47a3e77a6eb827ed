/*
 * acpi_parse()'s timer sources: the FADT's PM timer block (PM_TMR_BLK with
 * PM_TMR_LEN 4, X_PM_TMR_BLK in system I/O space preferred, 24 or 32 bits
 * by TMR_VAL_EXT, none on a hardware-reduced platform or past port 0xfffc)
 * and the HPET table (base, block id, number, minimum tick; a short table,
 * a base in I/O space, 0 or misaligned left out and marked, never fatal;
 * a wrong checksum warned about and the table used, as for every table; the first valid one used). Fake physical memory from
 * acpi_fixture.c, under ASan/UBSan.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_fixture.h"
#include "check.h"

#define AT_HPET2 (PHYS_BASE + 0x480)

static uint8_t rsdp[36];
static struct acpi_info info;

/* An HPET table: block id, base GAS (space, address), number, min tick. */
static void hpet_build(struct tb *t, uint8_t space, uint64_t base, uint8_t number, uint16_t min_tick)
{
	tb_begin(t, "HPET", 1);
	p32(t, 0x8086a201);
	p8(t, space), p8(t, 64), p8(t, 0), p8(t, 0);
	p64(t, base);
	p8(t, number);
	p16(t, min_tick);
	p8(t, 0); /* page protection */
}

/* FADT revision `rev` with the PM timer at `port` (legacy field), `xport`
 * in X_PM_TMR_BLK (rev 3; space `xspace`), `flags`; an HPET built by the
 * caller at AT_HPET (and one at AT_HPET2 if `two`); a one-core MADT. */
static void world(uint8_t rev, uint32_t port, uint8_t len, uint8_t xspace, uint64_t xport, uint32_t flags,
		  const struct tb *hpet, const struct tb *hpet2)
{
	paddr_t tables[4] = { AT_FADT, AT_MADT, AT_HPET, AT_HPET2 };
	struct tb t;

	phys_clear();
	fadt_build(&t, rev, (uint32_t)AT_DSDT, rev >= 3 ? AT_DSDT : 0, false);
	set32(t.b + 76, port);
	t.b[91] = len;
	set32(t.b + 112, flags);
	if (rev >= 3) {
		t.b[208] = xspace, t.b[209] = 32;
		set64(t.b + 212, xport);
	}
	tb_place(&t, AT_FADT);
	tb_begin(&t, "DSDT", 1);
	tb_place(&t, AT_DSDT);
	madt_begin(&t, 0xfee00000, 1);
	m_lapic(&t, 0, 0, 1);
	tb_place(&t, AT_MADT);
	if (hpet) {
		t = *hpet;
		tb_place(&t, AT_HPET);
	}
	if (hpet2) {
		t = *hpet2;
		tb_place(&t, AT_HPET2);
	}
	root_build(&t, true, tables, 2 + !!hpet + !!hpet2);
	tb_place(&t, AT_XSDT);
	rsdp_build(rsdp, 2, 0, AT_XSDT);
}

static const char *parse(void)
{
	const char *err = acpi_parse(rsdp, sizeof(rsdp), phys_map, &ph, &info);

	phys_unmap_all();
	return err;
}

static void test_pm_timer(void)
{
	/* q35-like: PM_TMR_BLK 0x608, 24 bits (QEMU sets no TMR_VAL_EXT) */
	world(3, 0x608, 4, 1, 0x608, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0x608 && info.pm_timer.bits == 24);
	/* TMR_VAL_EXT: 32 bits */
	world(3, 0x608, 4, 1, 0x608, 1u << 8, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.bits == 32 && !info.pm_timer.rejected);
	/* ACPI 1.0 FADT (116 bytes): the legacy field only; -M pc's PIIX4 at 0xb008 */
	world(1, 0xb008, 4, 0, 0, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0xb008 && info.pm_timer.bits == 24);
	/* X_PM_TMR_BLK preferred where set in I/O space, even without the legacy field */
	world(3, 0, 0, 1, 0x1808, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0x1808);
	world(3, 0x408, 4, 1, 0x1808, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0x1808);
	/* X_PM_TMR_BLK in memory space: the legacy I/O port is used */
	world(3, 0x408, 4, 0, 0xfed00000, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0x408);
	/* PM_TMR_LEN not 4: the legacy field is not a PM timer */
	world(3, 0x408, 2, 1, 0, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0);
	/* none at all; hardware-reduced ACPI (flag 20) has none whatever it says */
	world(3, 0, 0, 1, 0, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0 && !info.pm_timer.rejected);
	world(3, 0x608, 4, 1, 0x608, 1u << 20, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0 && !info.pm_timer.rejected);
	/* an X_PM_TMR_BLK past the 16-bit port space: left out, marked, not fatal */
	world(3, 0, 0, 1, 0x12345678, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0 && info.pm_timer.rejected && info.cpu_count == 1);
	world(3, 0, 0, 1, 0xfffe, 0, NULL, NULL);
	CHECK(parse() == NULL && info.pm_timer.port == 0 && info.pm_timer.rejected);
}

static void test_hpet(void)
{
	struct tb h;

	/* QEMU's: base 0xfed00000 in system memory */
	hpet_build(&h, 0, 0xfed00000, 0, 0x80);
	world(3, 0x608, 4, 1, 0x608, 0, &h, NULL);
	CHECK(parse() == NULL && info.hpet.base == 0xfed00000 && info.hpet.block_id == 0x8086a201 &&
	      info.hpet.number == 0 && info.hpet.min_tick == 0x80 && !info.hpet.rejected);
	/* a base above 4 GiB is kept as given */
	hpet_build(&h, 0, 0x4fed00000ull, 3, 0x10);
	world(3, 0x608, 4, 1, 0x608, 0, &h, NULL);
	CHECK(parse() == NULL && info.hpet.base == 0x4fed00000ull && info.hpet.number == 3);
	/* none */
	world(3, 0x608, 4, 1, 0x608, 0, NULL, NULL);
	CHECK(parse() == NULL && info.hpet.base == 0 && !info.hpet.rejected);
}

/* Each bad HPET table: ACPI still parses, no HPET, marked rejected. */
static void expect_rejected(const struct tb *h, const char *what)
{
	world(3, 0x608, 4, 1, 0x608, 0, h, NULL);
	CHECK(parse() == NULL && info.hpet.base == 0 && info.hpet.rejected && info.cpu_count == 1 &&
	      info.pm_timer.port == 0x608);
	if (info.hpet.base || !info.hpet.rejected)
		fprintf(stderr, "accepted: %s\n", what);
}

static void test_hpet_bad(void)
{
	struct tb h, good;

	hpet_build(&h, 0, 0xfed00000, 0, 0x80);
	h.len = 52; /* cut before the number and minimum tick */
	expect_rejected(&h, "short table");
	hpet_build(&h, 1, 0xfed00000, 0, 0x80);
	expect_rejected(&h, "base in I/O space");
	hpet_build(&h, 0, 0, 0, 0x80);
	expect_rejected(&h, "base 0");
	hpet_build(&h, 0, 0xfed00010, 0, 0x80);
	expect_rejected(&h, "base not 1 KiB aligned");
	/* a wrong checksum (placed by hand after tb_place fixed it): a warning,
	 * and the table used, as every table is (docs/boot.md, Real hardware) */
	hpet_build(&h, 0, 0xfed00000, 0, 0x80);
	world(3, 0x608, 4, 1, 0x608, 0, &h, NULL);
	ph.b[AT_HPET - PHYS_BASE + 9] ^= 0x55;
	CHECK(parse() == NULL && info.hpet.base == 0xfed00000 && !info.hpet.rejected &&
	      info.warnings > 0 && info.cpu_count == 1);
	/* a bad one, then a good one: the good one is used */
	hpet_build(&h, 0, 0, 0, 0x80);
	hpet_build(&good, 0, 0xfed00000, 1, 0x80);
	world(3, 0x608, 4, 1, 0x608, 0, &h, &good);
	CHECK(parse() == NULL && info.hpet.base == 0xfed00000 && info.hpet.number == 1);
	/* two good ones: the first */
	hpet_build(&h, 0, 0xfed00000, 0, 0x80);
	hpet_build(&good, 0, 0xfed01000, 1, 0x80);
	world(3, 0x608, 4, 1, 0x608, 0, &h, &good);
	CHECK(parse() == NULL && info.hpet.base == 0xfed00000 && info.hpet.number == 0);
}

int main(void)
{
	ph.b = malloc(PHYS_SIZE);
	if (!ph.b)
		return 1;
	test_pm_timer();
	test_hpet();
	test_hpet_bad();
	phys_unmap_all();
	free(ph.copies);
	free(ph.b);
	return check_summary("test_acpi_timers");
}
