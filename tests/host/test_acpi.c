/*
 * acpi_parse(): QEMU-like tables (pc with RSDP v1 + RSDT, q35 with v2 +
 * XSDT, 1/4/8/256 cores, x2APIC entries) parse field by field; every
 * malformed case is rejected with a message and a zeroed acpi_info; 100k
 * seeded random mutations never crash. Fake physical memory: every map()
 * returns a fresh malloc'd copy of exactly the bytes asked for, so ASan
 * catches any read past what the parser mapped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_fixture.h"
#include "check.h"

/* The standard world: FADT, an unknown HPET, a DSDT, `madt` at AT_MADT, an
 * RSDT listing them and (v2) an XSDT too; the RSDP into `rsdp`. */
static uint8_t rsdp[36];
static struct acpi_info info;

static void world(const struct tb *madt, uint8_t rev)
{
	paddr_t tables[3] = { AT_FADT, AT_HPET, AT_MADT };
	struct tb t;

	phys_clear();
	fadt_build(&t, rev >= 2 ? 3 : 1, (uint32_t)AT_DSDT, rev >= 2 ? AT_DSDT : 0, false);
	tb_place(&t, AT_FADT);
	tb_begin(&t, "HPET", 1);
	p32(&t, 0x8086a201);
	tb_place(&t, AT_HPET);
	tb_begin(&t, "DSDT", 1);
	tb_place(&t, AT_DSDT);
	t = *madt;
	tb_place(&t, AT_MADT);
	root_build(&t, false, tables, 3);
	tb_place(&t, AT_RSDT);
	root_build(&t, true, tables, 3);
	tb_place(&t, AT_XSDT);
	rsdp_build(rsdp, rev, (uint32_t)AT_RSDT, rev >= 2 ? AT_XSDT : 0);
}

static const char *parse(void)
{
	const char *err = acpi_parse(rsdp, sizeof(rsdp), phys_map, &ph, &info);

	phys_unmap_all();
	return err;
}

static bool info_is_zero(void)
{
	static const struct acpi_info zero;

	return memcmp(&info, &zero, sizeof(info)) == 0;
}

/* Expect a rejection; print the message for the log. */
static void expect_error(const char *what)
{
	const char *err = parse();

	CHECK(err != NULL);
	CHECK(info_is_zero());
	if (err) {
		CHECK(strncmp(err, "acpi: ", 6) == 0 && strlen(err) > 10);
		printf("  %-34s %s\n", what, err);
	} else {
		fprintf(stderr, "accepted: %s\n", what);
	}
}

/* Expect `madt` (in a v2 world) to be rejected. */
static void expect_madt_error(struct tb *madt, const char *what)
{
	world(madt, 2);
	expect_error(what);
}

/* QEMU pc: one core, IRQ0 -> GSI2, IRQs 5, 9, 10, 11 level/high. */
static void madt_qemu(struct tb *t, int cpus, bool pc)
{
	madt_begin(t, 0xfee00000, 1);
	for (int i = 0; i < cpus; i++)
		m_lapic(t, (uint8_t)i, (uint8_t)i, 1);
	m_ioapic(t, 0, 0xfec00000, 0);
	m_override(t, 0, 0, 2, 0);
	if (pc) {
		m_override(t, 0, 5, 5, 0xd);
		m_override(t, 0, 9, 9, 0xd);
		m_override(t, 0, 10, 10, 0xd);
		m_override(t, 0, 11, 11, 0xd);
	} else {
		m_override(t, 0, 9, 9, 0xd);
	}
	m_nmi(t, 0xff, 0, 1);
}

/* --- good tables --- */

static void test_qemu_pc(void)
{
	struct tb m;
	struct acpi_irq_mode mode;

	madt_qemu(&m, 1, true);
	world(&m, 0);
	CHECK(parse() == NULL);
	CHECK(info.revision == 0 && !info.xsdt && info.root_paddr == AT_RSDT);
	CHECK(info.madt_paddr == AT_MADT);
	CHECK(info.lapic_addr == 0xfee00000 && info.pcat_compat);
	CHECK(info.cpu_count == 1);
	CHECK(info.cpus[0].apic_id == 0 && info.cpus[0].uid == 0 && info.cpus[0].enabled);
	CHECK(!info.cpus[0].online_capable && !info.cpus[0].x2apic);
	CHECK(info.ioapic_count == 1 && info.ioapics[0].id == 0);
	CHECK(info.ioapics[0].addr == 0xfec00000 && info.ioapics[0].gsi_base == 0);
	CHECK(info.override_count == 5);
	CHECK(info.overrides[0].bus == 0 && info.overrides[0].irq == 0);
	CHECK(info.overrides[0].gsi == 2 && info.overrides[0].flags == 0);
	CHECK(!info.overrides[0].mode.level && !info.overrides[0].mode.active_low);
	CHECK(info.overrides[2].irq == 9 && info.overrides[2].flags == 0xd);
	CHECK(info.overrides[2].mode.level && !info.overrides[2].mode.active_low);
	CHECK(info.nmi_count == 1 && info.nmis[0].uid == ACPI_NMI_ALL_CPUS);
	CHECK(info.nmis[0].lint == 1 && info.nmis[0].flags == 0);
	CHECK(info.has_fadt && info.fadt_revision == 1 && info.pm1a_cnt_port == 0x604);
	CHECK(info.sci_irq == 9 && info.dsdt_paddr == AT_DSDT && info.warnings == 0);

	CHECK(acpi_isa_irq(&info, 0, &mode) == 2 && !mode.level && !mode.active_low);
	CHECK(acpi_isa_irq(&info, 1, &mode) == 1 && !mode.level && !mode.active_low);
	CHECK(acpi_isa_irq(&info, 9, &mode) == 9 && mode.level && !mode.active_low);
	CHECK(acpi_isa_irq(&info, 11, &mode) == 11 && mode.level);
	CHECK(acpi_isa_irq(&info, 14, &mode) == 14 && !mode.level);
}

static void test_qemu_q35(void)
{
	struct tb m;
	struct acpi_irq_mode mode;

	for (int n = 1; n <= 8; n *= 2) {
		madt_qemu(&m, n, false);
		world(&m, 2);
		CHECK(parse() == NULL);
		CHECK(info.revision == 2 && info.xsdt && info.root_paddr == AT_XSDT);
		CHECK(info.cpu_count == (uint32_t)n);
		for (int i = 0; i < n; i++)
			CHECK(info.cpus[i].apic_id == (uint32_t)i && info.cpus[i].enabled);
		CHECK(info.override_count == 2 && info.ioapic_count == 1);
		CHECK(info.has_fadt && info.fadt_revision == 3 && info.pm1a_cnt_port == 0x604);
		CHECK(info.dsdt_paddr == AT_DSDT);
	}
	CHECK(acpi_isa_irq(&info, 0, &mode) == 2);
	CHECK(acpi_isa_irq(&info, 5, &mode) == 5 && !mode.level);
	CHECK(acpi_isa_irq(&info, 9, &mode) == 9 && mode.level);
}

/* XSDT preferred: the RSDT is broken and never looked at; revision 2 with
 * a zero XSDT address uses the RSDT. */
static void test_xsdt_preferred(void)
{
	struct tb m;

	madt_qemu(&m, 2, false);
	world(&m, 2);
	memset(ph.b + (AT_RSDT - PHYS_BASE), 0xee, 36);
	CHECK(parse() == NULL && info.xsdt && info.cpu_count == 2);

	world(&m, 2);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, 0);
	CHECK(parse() == NULL && !info.xsdt && info.root_paddr == AT_RSDT);
	CHECK(info.revision == 2 && info.cpu_count == 2);

	world(&m, 1); /* revision 1 does not exist; treated as 1.0 */
	CHECK(parse() == NULL && !info.xsdt && info.revision == 1);
}

/* A FADT whose PM1a_CNT_BLK is 0 but X_PM1a_CNT_BLK gives the port; a
 * FADT with X_DSDT 0 uses DSDT. */
static void test_fadt_fields(void)
{
	paddr_t tables[2] = { AT_MADT, AT_FADT };
	struct tb m, t;

	madt_qemu(&m, 1, false);
	world(&m, 2);
	fadt_build(&t, 3, 0x1234000, 0, true);
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && info.pm1a_cnt_port == 0x604 && info.dsdt_paddr == 0x1234000);

	world(&m, 2);
	fadt_build(&t, 3, 0x1234000, 0x5678000ull << 12, false);
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && info.dsdt_paddr == 0x5678000ull << 12);

	world(&m, 2); /* no FADT at all */
	root_build(&t, true, tables, 1);
	tb_place(&t, AT_XSDT);
	CHECK(parse() == NULL && !info.has_fadt && info.pm1a_cnt_port == 0);

	world(&m, 2); /* a second MADT and FADT are skipped with warnings */
	root_build(&t, true, tables, 2);
	p64(&t, AT_FADT), p64(&t, AT_MADT), p64(&t, 0);
	tb_place(&t, AT_XSDT);
	CHECK(parse() == NULL && info.warnings == 3 && info.cpu_count == 1);
}

static void test_x2apic(void)
{
	struct tb m;

	madt_begin(&m, 0xfee00000, 0);
	for (uint8_t i = 0; i < 4; i++)
		m_lapic(&m, i, i, i == 3 ? 0 : 1); /* 3: unusable placeholder */
	for (uint32_t i = 0; i < 4; i++)
		m_x2apic(&m, i, 1, i); /* duplicates of 0..2 merge; 3 becomes usable */
	m_x2apic(&m, 256, 1, 256);
	m_x2apic(&m, 300, 2, 301); /* online-capable */
	m_x2apic(&m, 400, 0, 400); /* unusable */
	m_lapic(&m, 9, 9, 2);
	m_x2apic(&m, 9, 1, 9); /* merges: now enabled */
	m_x2nmi(&m, 0xf, ACPI_NMI_ALL_CPUS, 1);
	m_lapic_addr(&m, 0xfee0000000ull);
	world(&m, 2);
	CHECK(parse() == NULL);
	CHECK(info.cpu_count == 7 && !info.pcat_compat);
	CHECK(info.cpus[0].apic_id == 0 && !info.cpus[0].x2apic && info.cpus[0].enabled);
	CHECK(info.cpus[2].apic_id == 2 && !info.cpus[2].x2apic && info.cpus[2].enabled);
	CHECK(info.cpus[3].apic_id == 3 && info.cpus[3].x2apic && info.cpus[3].uid == 3);
	CHECK(info.cpus[4].apic_id == 256 && info.cpus[4].x2apic && info.cpus[4].enabled);
	CHECK(info.cpus[5].apic_id == 300 && !info.cpus[5].enabled);
	CHECK(info.cpus[5].online_capable && info.cpus[5].uid == 301);
	CHECK(info.cpus[6].apic_id == 9 && !info.cpus[6].x2apic && info.cpus[6].enabled);
	CHECK(!info.cpus[6].online_capable && info.cpus[6].uid == 9);
	CHECK(info.nmi_count == 1 && info.nmis[0].uid == ACPI_NMI_ALL_CPUS);
	CHECK(info.nmis[0].mode.level && info.nmis[0].mode.active_low);
	CHECK(info.lapic_addr == 0xfee0000000ull);
	CHECK(info.ioapic_count == 0);
}

/* Unknown entry types and longer-than-minimum entries are accepted. */
static void test_unknown_entries(void)
{
	struct tb m;

	madt_begin(&m, 0xfee00000, 1);
	m_raw(&m, 0x7f, 2);
	m_raw(&m, 0x0b, 80); /* GIC CPU interface: not x86, skipped */
	m_raw(&m, 3, 8);     /* NMI source: unused */
	p8(&m, 0), p8(&m, 10), p8(&m, 0), p8(&m, 5), p32(&m, 1), p16(&m, 0);
	m_nmi(&m, 0, 0xd, 0);
	world(&m, 2);
	CHECK(parse() == NULL && info.cpu_count == 1 && info.cpus[0].apic_id == 5);
	CHECK(info.nmi_count == 1 && info.nmis[0].uid == 0 && info.nmis[0].lint == 0);
}

static void test_limits(void)
{
	struct tb m;

	madt_begin(&m, 0xfee00000, 1);
	for (int i = 0; i < 255; i++)
		m_lapic(&m, (uint8_t)i, (uint8_t)i, 1);
	m_x2apic(&m, 1000, 1, 1000);
	for (int i = 0; i < ACPI_MAX_IOAPICS; i++)
		m_ioapic(&m, (uint8_t)i, 0xfec00000 + 0x1000 * (uint32_t)i, 24 * (uint32_t)i);
	for (int i = 0; i < 16; i++)
		m_override(&m, 0, (uint8_t)i, (uint32_t)i + 1, 0xf);
	for (int i = 0; i < ACPI_MAX_NMIS; i++)
		m_nmi(&m, (uint8_t)i, 0, 1);
	world(&m, 2);
	CHECK(parse() == NULL && info.cpu_count == ACPI_MAX_CPUS);
	CHECK(info.cpus[255].apic_id == 1000 && info.ioapic_count == ACPI_MAX_IOAPICS);
	CHECK(info.ioapics[7].gsi_base == 168 && info.override_count == 16);
	CHECK(info.overrides[15].mode.active_low && info.nmi_count == ACPI_MAX_NMIS);

	m_x2apic(&m, 1001, 1, 1001);
	expect_madt_error(&m, "257 CPUs");
}

/* The MADT at the very end of memory, its length cut at every size. */
static void test_truncations(void)
{
	paddr_t end_madt, tables[1];
	struct tb m, x;
	int accepted = 0;

	madt_qemu(&m, 4, true);
	m_x2apic(&m, 500, 1, 500);
	end_madt = PHYS_BASE + PHYS_SIZE - m.len;
	tables[0] = end_madt;
	for (uint32_t len = 0; len <= m.len; len++) {
		struct tb cut = m;

		world(&m, 2);
		root_build(&x, true, tables, 1);
		tb_place(&x, AT_XSDT);
		cut.len = len;
		tb_end(&cut);
		phys_put(end_madt, cut.b, m.len);
		if (parse() == NULL)
			accepted++;
		else
			CHECK(info_is_zero());
	}
	CHECK(accepted > 0); /* cuts at entry boundaries after the first CPU */
	CHECK(parse() == NULL && info.cpu_count == 5);
}

static void test_find_rsdp(void)
{
	uint8_t area[256], good[36];
	size_t off = 1;

	memset(area, 0xab, sizeof(area));
	CHECK(!acpi_find_rsdp(area, sizeof(area), &off) && off == 1);
	CHECK(!acpi_find_rsdp(area, 0, &off) && !acpi_find_rsdp(area, 19, &off));
	rsdp_build(good, 2, 0x1000, 0x2000);
	memcpy(area + 0x18, good, 36); /* not 16-aligned: ignored */
	memcpy(area + 0x40, good, 20); /* signature, bad checksum */
	area[0x48] ^= 1;
	memcpy(area + 0x60, good, 36);
	CHECK(acpi_find_rsdp(area, sizeof(area), &off) && off == 0x60);
	CHECK(!acpi_find_rsdp(area, 0x60 + 35, &off)); /* v2 cut short */
	rsdp_build(good, 0, 0x1000, 0);
	memcpy(area + 0xf0, good, 16);
	memcpy(area + 0xd0, good, 20);
	CHECK(acpi_find_rsdp(area + 0x70, sizeof(area) - 0x70, &off) && off == 0x60);
	CHECK(!acpi_find_rsdp(area + 0xe0, 0x20, &off));
	CHECK(acpi_check_rsdp(good, 20) == NULL && acpi_check_rsdp(good, 19) != NULL);
}

/* --- malformed --- */

static void test_bad_rsdp(void)
{
	struct tb m;

	madt_qemu(&m, 1, true);
	world(&m, 2);
	rsdp[0] = 'r';
	expect_error("RSDP signature");
	world(&m, 2);
	rsdp[19] ^= 1;
	expect_error("RSDP checksum");
	world(&m, 2);
	rsdp[35] ^= 1;
	expect_error("RSDP extended checksum");
	world(&m, 2);
	set32(rsdp + 20, 20), rsdp[32] = 0, rsdp[32] = (uint8_t)-sum(rsdp, 36);
	expect_error("RSDP length 20");
	CHECK(acpi_parse(rsdp, 10, phys_map, &ph, &info) != NULL && info_is_zero());
	world(&m, 2);
	CHECK(acpi_parse(rsdp, 20, phys_map, &ph, &info) != NULL && info_is_zero());
	set32(rsdp + 20, 40), rsdp[32] = 0, rsdp[32] = (uint8_t)-sum(rsdp, 36);
	expect_error("RSDP length past the copy");
	world(&m, 0);
	rsdp_build(rsdp, 0, 0, 0);
	expect_error("RSDT address 0");
	world(&m, 0);
	rsdp_build(rsdp, 0, 0x1000, 0);
	expect_error("RSDT outside memory");
}

static void test_bad_root(void)
{
	paddr_t tables[1] = { AT_MADT };
	uint8_t *x = ph.b + (AT_XSDT - PHYS_BASE);
	struct tb m, t;

	madt_qemu(&m, 1, true);
	world(&m, 2);
	memcpy(x, "RSDT", 4);
	expect_error("XSDT signature");
	world(&m, 2);
	x[40] ^= 1;
	expect_error("XSDT checksum");
	world(&m, 2);
	set32(x + 4, 35);
	expect_error("XSDT length 35");
	world(&m, 2);
	set32(x + 4, ACPI_TABLE_MAX + 1);
	expect_error("XSDT length 1 MiB + 1");
	world(&m, 2);
	root_build(&t, true, tables, 1);
	p32(&t, 0);
	tb_place(&t, AT_XSDT);
	expect_error("XSDT length 36 + 12");
	world(&m, 2);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, PHYS_BASE + PHYS_SIZE);
	expect_error("XSDT past memory");
	world(&m, 2);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, UINT64_MAX - 10);
	expect_error("XSDT address wraps");
	world(&m, 2);
	root_build(&t, true, tables, 1);
	tb_end(&t);
	phys_put(PHYS_BASE + PHYS_SIZE - 40, t.b, 40);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, PHYS_BASE + PHYS_SIZE - 40);
	expect_error("XSDT straddling the end");
	world(&m, 2);
	ph.refuse_from = 0;
	expect_error("map refuses everything");
	world(&m, 2);
	ph.refuse_from = 2; /* the XSDT maps, its entries do not */
	expect_error("map refuses the entries");
}

static void test_bad_tables(void)
{
	paddr_t tables[2] = { AT_HPET, PHYS_BASE + PHYS_SIZE - 8 };
	uint8_t *madt = ph.b + (AT_MADT - PHYS_BASE), *fadt = ph.b + (AT_FADT - PHYS_BASE);
	struct tb m, t;

	madt_qemu(&m, 1, true);
	world(&m, 2);
	root_build(&t, true, tables, 2);
	tb_place(&t, AT_XSDT);
	expect_error("no MADT");
	world(&m, 2);
	madt[20] ^= 1;
	expect_error("MADT checksum");
	world(&m, 2);
	set32(madt + 4, 0x7001);
	expect_error("MADT longer than memory");
	world(&m, 2);
	set32(madt + 4, 20);
	expect_error("MADT length 20");
	world(&m, 2);
	fadt[100] ^= 1;
	expect_error("FADT checksum");
	world(&m, 2);
	fadt_build(&t, 1, 0, 0, false);
	t.len = 100;
	tb_place(&t, AT_FADT);
	expect_error("FADT 100 bytes");
}

static void test_bad_madt_header(void)
{
	struct tb m;

	madt_begin(&m, 0xfee00000, 1);
	m.len = 40;
	expect_madt_error(&m, "MADT 40 bytes");
	madt_begin(&m, 0xfee00000, 1);
	expect_madt_error(&m, "MADT with no CPU");
	madt_begin(&m, 0, 1);
	m_lapic(&m, 0, 0, 1);
	expect_madt_error(&m, "local APIC address 0");
	madt_begin(&m, 0xfee00010, 1);
	m_lapic(&m, 0, 0, 1);
	expect_madt_error(&m, "local APIC address unaligned");
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 2);
	m_x2apic(&m, 7, 0, 7);
	expect_madt_error(&m, "only online-capable CPUs");
}

static void test_bad_entry_lengths(void)
{
	static const uint8_t types[] = { 0, 1, 2, 4, 5, 9, 10 };
	static const uint8_t mins[] = { 8, 12, 10, 6, 12, 16, 12 };
	const char *err;
	struct tb m;

	madt_begin(&m, 0xfee00000, 1);
	for (int i = 0; i < 5; i++)
		m_lapic(&m, (uint8_t)i, (uint8_t)i, 1);
	m_raw(&m, 1, 8);
	world(&m, 2);
	err = parse();
	CHECK(err && strcmp(err, "acpi: MADT entry type 1 at offset 0x54 is 8 bytes, needs 12") == 0);
	CHECK(info_is_zero());
	for (size_t i = 0; i < sizeof(types); i++) {
		madt_begin(&m, 0xfee00000, 1);
		m_lapic(&m, 0, 0, 1);
		m_raw(&m, types[i], (uint8_t)(mins[i] - 1));
		expect_madt_error(&m, "entry one byte short");
	}
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 1);
	p8(&m, 0x42), p8(&m, 0), p16(&m, 0);
	expect_madt_error(&m, "zero-length entry");
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 1);
	p8(&m, 0x42), p8(&m, 1), p16(&m, 0);
	expect_madt_error(&m, "one-byte entry");
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 1);
	p8(&m, 0);
	expect_madt_error(&m, "entry cut after its type");
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 1);
	p8(&m, 0x42), p8(&m, 20), p16(&m, 0);
	expect_madt_error(&m, "entry past the table");
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 1);
	m_x2apic(&m, 5, 1, 5);
	m.len -= 1;
	expect_madt_error(&m, "x2APIC entry cut by the end");
}

static void test_bad_entries(void)
{
	struct tb m;

#define BAD(what, ...)                                      \
	do {                                                \
		madt_begin(&m, 0xfee00000, 1);              \
		m_lapic(&m, 0, 0, 1);                       \
		__VA_ARGS__;                                \
		expect_madt_error(&m, what);                \
	} while (0)
	BAD("duplicate xAPIC id", m_lapic(&m, 1, 0, 1));
	BAD("duplicate disabled xAPIC id", m_lapic(&m, 1, 0, 2));
	BAD("duplicate x2APIC id", (m_x2apic(&m, 8, 1, 1), m_x2apic(&m, 8, 1, 2)));
	BAD("xAPIC broadcast id 0xff", m_lapic(&m, 1, 0xff, 1));
	BAD("x2APIC id 0xffffffff", m_x2apic(&m, 0xffffffff, 1, 1));
	BAD("duplicate I/O APIC id", (m_ioapic(&m, 0, 0xfec00000, 0),
				      m_ioapic(&m, 0, 0xfec01000, 24)));
	BAD("duplicate I/O APIC address", (m_ioapic(&m, 0, 0xfec00000, 0),
					   m_ioapic(&m, 1, 0xfec00000, 24)));
	BAD("I/O APIC address 0", m_ioapic(&m, 0, 0, 0));
	BAD("9 I/O APICs", for (int i = 0; i < 9; i++)
			m_ioapic(&m, (uint8_t)i, 0xfec00000 + 0x1000 * (uint32_t)i, 0));
	BAD("override polarity 2", m_override(&m, 0, 0, 2, 2));
	BAD("override trigger 2", m_override(&m, 0, 0, 2, 8));
	BAD("override bus 1", m_override(&m, 1, 0, 2, 0));
	BAD("override IRQ 16", m_override(&m, 0, 16, 16, 0));
	BAD("duplicate override", (m_override(&m, 0, 9, 9, 0), m_override(&m, 0, 9, 20, 0)));
	BAD("NMI LINT2", m_nmi(&m, 0xff, 0, 2));
	BAD("x2APIC NMI LINT7", m_x2nmi(&m, 0, 0, 7));
	BAD("NMI polarity 2", m_nmi(&m, 0xff, 2, 1));
	BAD("17 NMIs", for (int i = 0; i < 17; i++) m_nmi(&m, (uint8_t)i, 0, 1));
	BAD("local APIC override 0", m_lapic_addr(&m, 0));
	BAD("local APIC override unaligned", m_lapic_addr(&m, 0xfee00800));
#undef BAD
}

/* --- random mutation --- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Fix the checksum of the table at `at` if its length fits in memory. */
static void fix_table(paddr_t at)
{
	uint8_t *p = ph.b + (at - PHYS_BASE);
	uint32_t len;

	memcpy(&len, p + 4, 4);
	if (len < 10 || len > PHYS_SIZE - (at - PHYS_BASE))
		return;
	p[9] = 0;
	p[9] = (uint8_t)-sum(p, len);
}

static void fix_all(void)
{
	uint32_t full;

	fix_table(AT_MADT), fix_table(AT_FADT);
	fix_table(AT_RSDT), fix_table(AT_XSDT);
	rsdp[8] = 0, rsdp[8] = (uint8_t)-sum(rsdp, 20);
	memcpy(&full, rsdp + 20, 4);
	if (full <= 36)
		rsdp[32] = 0, rsdp[32] = (uint8_t)-sum(rsdp, full);
}

static void mutate_once(void)
{
	uint64_t r = rnd();
	uint8_t *p;
	size_t off;

	if (r % 16 == 0) {
		p = rsdp, off = (r >> 8) % 36;
	} else if (r % 16 < 12) { /* mostly the MADT */
		p = ph.b, off = (AT_MADT - PHYS_BASE) + (r >> 8) % 512;
	} else {
		p = ph.b, off = (r >> 8) % 0x800;
	}
	switch ((r >> 40) % 6) {
	case 0: p[off] ^= (uint8_t)(1u << ((r >> 50) % 8)); break;
	case 1: p[off] = (uint8_t)(r >> 48); break;
	case 2: p[off] = (uint8_t)((r >> 48) % 20); break; /* small lengths and types */
	case 3: p[off] = 0; break;
	case 4: p[off] = 0xff; break;
	default:
		if (p == ph.b && off + 8 <= PHYS_SIZE) /* a plausible address */
			set64(p + off, PHYS_BASE + (r >> 48) % (PHYS_SIZE + 64));
		break;
	}
}

/* Invariants of an accepted parse. */
static bool sane(void)
{
	bool ok = info.cpu_count >= 1 && info.cpu_count <= ACPI_MAX_CPUS, enabled = false;

	ok &= info.ioapic_count <= ACPI_MAX_IOAPICS && info.override_count <= ACPI_MAX_OVERRIDES;
	ok &= info.nmi_count <= ACPI_MAX_NMIS && info.lapic_addr && !(info.lapic_addr & 0xfff);
	for (uint32_t i = 0; i < info.cpu_count; i++) {
		enabled |= info.cpus[i].enabled;
		ok &= !(info.cpus[i].enabled && info.cpus[i].online_capable);
		for (uint32_t j = 0; j < i; j++)
			ok &= info.cpus[i].apic_id != info.cpus[j].apic_id;
	}
	for (uint32_t i = 0; i < info.override_count; i++)
		ok &= info.overrides[i].irq < 16 && info.overrides[i].bus == 0;
	for (uint32_t i = 0; i < info.nmi_count; i++)
		ok &= info.nmis[i].lint <= 1;
	return ok && enabled;
}

static void test_random_mutation(void)
{
	unsigned accepted = 0, rejected = 0, bad = 0;
	struct tb m;

	madt_qemu(&m, 4, true);
	m_x2apic(&m, 3, 1, 3);
	m_x2apic(&m, 700, 2, 700);
	m_x2nmi(&m, 0, 5, 0);
	m_lapic_addr(&m, 0xfee00000);
	for (int it = 0; it < 100000; it++) {
		const char *err;

		world(&m, (it & 1) ? 2 : 0);
		for (int n = 1 + (int)(rnd() % 8); n > 0; n--)
			mutate_once();
		if (rnd() % 4)
			fix_all();
		err = parse();
		if (err) {
			rejected++;
			bad += !info_is_zero() || strncmp(err, "acpi: ", 6) != 0;
		} else {
			accepted++;
			bad += !sane();
		}
	}
	printf("  random mutation: %u accepted, %u rejected, %u bad\n", accepted, rejected, bad);
	CHECK(bad == 0);
	CHECK(accepted > 1000 && rejected > 1000);
}

int main(void)
{
	ph.b = malloc(PHYS_SIZE);
	test_qemu_pc();
	test_qemu_q35();
	test_xsdt_preferred();
	test_fadt_fields();
	test_x2apic();
	test_unknown_entries();
	test_limits();
	test_truncations();
	test_find_rsdp();
	test_bad_rsdp();
	test_bad_root();
	test_bad_tables();
	test_bad_madt_header();
	test_bad_entry_lengths();
	test_bad_entries();
	test_random_mutation();
	CHECK(map_wrapped == 0);
	free(ph.copies);
	free(ph.b);
	return check_summary("test_acpi");
}
