/*
 * acpi_parse(): QEMU-like tables (pc with RSDP v1 + RSDT, q35 with v2 +
 * XSDT, 1/4/8/256 cores, x2APIC entries) parse field by field; tables above
 * 4 GiB; an unusable RSDP or root table is rejected with a message and a
 * zeroed acpi_info; every other oddity is a warning (each path tested: the
 * warning is heard, counted, and what it concerns is left out or defaulted
 * while the rest is kept); the MADT and the FADT stand alone; the DSDT's
 * \_S5 scan on synthetic AML; 100k seeded random mutations never crash.
 * Fake physical memory: every map() returns a fresh malloc'd copy of
 * exactly the bytes asked for, so ASan catches any read past what the
 * parser mapped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_fixture.h"
#include "check.h"

/* Name (_S5, Package (4) { 5, 5, 0, 0 }): QEMU has Zero, real PCs 5..7. */
static const uint8_t s5_aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
				  0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00 };

/* The standard world: FADT, an unknown HPET, a DSDT with \_S5, `madt` at
 * AT_MADT, an RSDT listing them and (v2) an XSDT too; the RSDP into `rsdp`. */
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
	dsdt_build(&t, s5_aml, sizeof(s5_aml));
	tb_place(&t, AT_DSDT);
	t = *madt;
	tb_place(&t, AT_MADT);
	root_build(&t, false, tables, 3);
	tb_place(&t, AT_RSDT);
	root_build(&t, true, tables, 3);
	tb_place(&t, AT_XSDT);
	rsdp_build(rsdp, rev, (uint32_t)AT_RSDT, rev >= 2 ? AT_XSDT : 0);
}

/* Warnings heard in the last parse: how many, and the last one's text. */
static unsigned heard;
static char last_warning[200];

static void warn(void *ctx, const char *msg)
{
	CHECK(ctx == &ph);
	CHECK(strncmp(msg, "acpi: ", 6) == 0 && strlen(msg) > 10 && !strchr(msg, '\n'));
	snprintf(last_warning, sizeof(last_warning), "%s", msg);
	heard++;
}

static const char *parse(void)
{
	const char *err;

	heard = 0;
	last_warning[0] = 0;
	err = acpi_parse_warn(rsdp, sizeof(rsdp), phys_map, warn, &ph, &info);
	phys_unmap_all();
	CHECK(err ? info.warnings == 0 : heard == info.warnings);
	return err;
}

static bool info_is_zero(void)
{
	static const struct acpi_info zero;

	return memcmp(&info, &zero, sizeof(info)) == 0;
}

/* No trace of a MADT: what an unusable one must leave. */
static bool info_is_zero_madt(void)
{
	return !info.has_madt && !info.madt_paddr && !info.lapic_addr && !info.cpu_count &&
	       !info.ioapic_count && !info.override_count && !info.nmi_count &&
	       !info.dropped.cpus && !info.dropped.ioapics && !info.dropped.nmis &&
	       !info.dropped.overrides && !info.pcat_compat;
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

/* Expect the parse to go on past a problem: accepted, with `warnings`
 * warnings of which the last contains `text`; print it for the log. */
static bool expect_warning(const char *what, unsigned warnings, const char *text)
{
	const char *err = parse();
	bool ok = !err && info.warnings == warnings && strstr(last_warning, text);

	CHECK(ok);
	if (ok)
		printf("  %-34s %s\n", what, last_warning);
	else
		fprintf(stderr, "%s: error '%s', %u warnings, last '%s'\n", what, err ? err : "-",
			info.warnings, last_warning);
	return ok;
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
	CHECK(info.has_madt && info.madt_paddr == AT_MADT && info.madt_revision == 1);
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
	CHECK(info.pm1b_cnt_port == 0 && !info.reset_supported && !info.hw_reduced);
	CHECK(acpi_reset_port(&info) == 0);
	CHECK(info.sci_irq == 9 && info.dsdt_paddr == AT_DSDT && info.warnings == 0);
	CHECK(info.has_s5 && info.s5_typa == 5 && info.s5_typb == 5);
	CHECK(info.dropped.cpus + info.dropped.ioapics + info.dropped.overrides + info.dropped.nmis == 0);

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
		CHECK(parse() == NULL && info.warnings == 0);
		CHECK(info.revision == 2 && info.xsdt && info.root_paddr == AT_XSDT);
		CHECK(info.cpu_count == (uint32_t)n);
		for (int i = 0; i < n; i++)
			CHECK(info.cpus[i].apic_id == (uint32_t)i && info.cpus[i].enabled);
		CHECK(info.override_count == 2 && info.ioapic_count == 1);
		CHECK(info.has_fadt && info.fadt_revision == 3 && info.pm1a_cnt_port == 0x604);
		CHECK(info.dsdt_paddr == AT_DSDT && info.has_s5);
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
	CHECK(parse() == NULL && info.xsdt && info.cpu_count == 2 && info.warnings == 0);

	world(&m, 2);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, 0);
	CHECK(parse() == NULL && !info.xsdt && info.root_paddr == AT_RSDT);
	CHECK(info.revision == 2 && info.cpu_count == 2);

	world(&m, 1); /* revision 1 does not exist; treated as 1.0 */
	CHECK(parse() == NULL && !info.xsdt && info.revision == 1);
}

/* FADT fields: X_PM1a_CNT_BLK when PM1a_CNT_BLK is 0, X_ preferred over
 * the 32-bit field, X_DSDT 0 uses DSDT, PM1b, the reset register and its
 * flag, HW_REDUCED_ACPI; no FADT; repeated tables. */
static void test_fadt_fields(void)
{
	paddr_t tables[2] = { AT_MADT, AT_FADT };
	struct tb m, t;

	madt_qemu(&m, 1, false);
	world(&m, 2);
	fadt_build(&t, 3, (uint32_t)AT_DSDT, 0, true);
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && info.pm1a_cnt_port == 0x604 && info.dsdt_paddr == AT_DSDT);

	world(&m, 2); /* X_DSDT wins; it cannot be mapped: a warning, no \_S5 */
	fadt_build(&t, 3, (uint32_t)AT_DSDT, 0x5678000ull << 12, false);
	tb_place(&t, AT_FADT);
	CHECK(expect_warning("DSDT cannot be mapped", 1, "DSDT at 0x5678000000 cannot be mapped"));
	CHECK(info.dsdt_paddr == 0x5678000ull << 12 && info.has_fadt && !info.has_s5);

	world(&m, 2); /* X_PM1a in I/O space beats PM1a; PM1b from X_PM1b; reset */
	fadt_build(&t, 3, (uint32_t)AT_DSDT, 0, false);
	set32(t.b + 68, 0x1234);            /* PM1b_CNT_BLK */
	t.b[184] = 1, t.b[185] = 16;        /* X_PM1b_CNT_BLK: I/O, 16 bits */
	set64(t.b + 188, 0x0808);
	set64(t.b + 176, 0x0404);           /* X_PM1a_CNT_BLK */
	set32(t.b + 112, 1u << 10);         /* RESET_REG_SUP */
	t.b[116] = 1, t.b[117] = 8;         /* RESET_REG: I/O, 8 bits, 0xcf9 */
	set64(t.b + 120, 0xcf9);
	t.b[128] = 6;
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && info.warnings == 0);
	CHECK(info.pm1a_cnt_port == 0x404 && info.pm1b_cnt_port == 0x808);
	CHECK(info.reset_supported && info.reset_reg.space == ACPI_GAS_IO);
	CHECK(info.reset_reg.bit_width == 8 && info.reset_reg.addr == 0xcf9 && info.reset_value == 6);
	CHECK(acpi_reset_port(&info) == 0xcf9 && !info.hw_reduced);

	t.b[184] = 0;                       /* X_PM1b in memory space: PM1b_CNT_BLK */
	set32(t.b + 112, 1u << 20);         /* HW_REDUCED, no RESET_REG_SUP */
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && info.pm1b_cnt_port == 0x1234 && info.hw_reduced);
	CHECK(!info.reset_supported && acpi_reset_port(&info) == 0 && info.reset_value == 6);
	CHECK(acpi_sleep_control_port(&info) == 0); /* a 244-byte FADT has none */

	/* ACPI 5.0 FADT, hardware-reduced, Sleep Control Register at I/O 0x405
	 * (as on the corpus' five hardware-reduced machines). */
	memset(t.b + 244, 0, 32);
	t.len = 276;
	t.b[8] = 5;
	t.b[244] = 1, t.b[245] = 8;
	set64(t.b + 248, 0x405);
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && info.hw_reduced && acpi_sleep_control_port(&info) == 0x405);
	CHECK(info.sleep_control.space == ACPI_GAS_IO && info.sleep_control.bit_width == 8);
	set32(t.b + 112, 0);                /* not hardware-reduced: not used */
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && !info.hw_reduced && acpi_sleep_control_port(&info) == 0);
	set32(t.b + 112, 1u << 20);
	t.b[244] = 0;                       /* System Memory: not supported */
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && acpi_sleep_control_port(&info) == 0);

	world(&m, 2); /* no FADT at all: a warning, the MADT stands */
	root_build(&t, true, tables, 1);
	tb_place(&t, AT_XSDT);
	CHECK(expect_warning("no FADT", 1, "no usable FADT"));
	CHECK(!info.has_fadt && info.pm1a_cnt_port == 0 && info.has_madt && info.cpu_count == 1);

	world(&m, 2); /* a second MADT and FADT are skipped with warnings */
	root_build(&t, true, tables, 2);
	p64(&t, AT_FADT), p64(&t, AT_MADT), p64(&t, 0);
	tb_place(&t, AT_XSDT);
	CHECK(expect_warning("second MADT, FADT; a zero entry", 3, "XSDT entry 4 is 0"));
	CHECK(info.cpu_count == 1 && info.has_fadt);
}

/* acpi_reset_port's rules, one field at a time. */
static void test_reset_port(void)
{
	struct acpi_info r = { .has_fadt = true, .reset_supported = true,
			       .reset_reg = { ACPI_GAS_IO, 8, 0, 1, 0xcf9 }, .reset_value = 6 };
	struct acpi_info x;

	CHECK(acpi_reset_port(&r) == 0xcf9);
	x = r, x.has_fadt = false;
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_supported = false;
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_reg.space = ACPI_GAS_MEMORY; /* seen on real PCs: "memory" 0xcf9 */
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_reg.space = 2; /* PCI configuration space: not supported */
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_reg.addr = 0;
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_reg.addr = 0x10000;
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_reg.bit_width = 16;
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_reg.bit_offset = 1;
	CHECK(acpi_reset_port(&x) == 0);
	x = r, x.reset_reg.addr = 0xb2; /* an SMI command port: the firmware's choice */
	CHECK(acpi_reset_port(&x) == 0xb2);
}

static void test_pm1_value(void)
{
	CHECK(acpi_pm1_sleep_value(0, 0) == 0x2000);     /* QEMU's \_S5 is 0 */
	CHECK(acpi_pm1_sleep_value(0, 5) == 0x3400);
	CHECK(acpi_pm1_sleep_value(0, 7) == 0x3c00);
	CHECK(acpi_pm1_sleep_value(0x0001, 7) == 0x3c01); /* SCI_EN kept */
	CHECK(acpi_pm1_sleep_value(0xffff, 0) == 0xe3ff); /* old SLP_TYP cleared */
	CHECK(acpi_pm1_sleep_value(0, 0xf) == 0x3c00);   /* 3 bits only */
}

static void test_sleep_control_value(void)
{
	CHECK(acpi_sleep_control_value(0) == 0x20);
	CHECK(acpi_sleep_control_value(5) == 0x34);
	CHECK(acpi_sleep_control_value(7) == 0x3c);
	CHECK(acpi_sleep_control_value(0xff) == 0x3c);
}

static void test_ebda(void)
{
	CHECK(acpi_ebda_base(0x9fc0) == 0x9fc00);
	CHECK(acpi_ebda_base(0x8000) == 0x80000);
	CHECK(acpi_ebda_base(0x9fff) == 0x9fff0);
	CHECK(acpi_ebda_base(0) == 0);
	CHECK(acpi_ebda_base(0x7fff) == 0);
	CHECK(acpi_ebda_base(0xa000) == 0);
	CHECK(acpi_ebda_base(0xffff) == 0);
}

/* Every table above 4 GiB: XSDT, MADT, FADT and DSDT in the high window. */
static void test_high_tables(void)
{
	paddr_t x_at = HIGH_BASE, madt_at = HIGH_BASE + 0x1000, fadt_at = HIGH_BASE + 0x2000;
	paddr_t dsdt_at = HIGH_BASE + 0x3000, tables[2] = { fadt_at, madt_at };
	struct tb m, t;

	madt_qemu(&m, 4, false);
	m_x2apic(&m, 300, 1, 300);
	world(&m, 2);
	tb_place(&m, madt_at);
	fadt_build(&t, 3, 0, dsdt_at, false);
	tb_place(&t, fadt_at);
	dsdt_build(&t, s5_aml, sizeof(s5_aml));
	tb_place(&t, dsdt_at);
	root_build(&t, true, tables, 2);
	tb_place(&t, x_at);
	rsdp_build(rsdp, 2, 0, x_at);
	CHECK(parse() == NULL && info.warnings == 0);
	CHECK(info.xsdt && info.root_paddr == x_at && info.madt_paddr == madt_at);
	CHECK(info.cpu_count == 5 && info.cpus[4].apic_id == 300 && info.dsdt_paddr == dsdt_at);
	CHECK(info.has_fadt && info.has_s5 && info.s5_typa == 5);
}

static void test_x2apic(void)
{
	struct tb m;

	madt_begin(&m, 0xfee00000, 0);
	m.b[8] = 5; /* ACPI 6.3: Online Capable defined */
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
	CHECK(parse() == NULL && info.warnings == 0);
	CHECK(info.cpu_count == 7 && !info.pcat_compat && info.madt_revision == 5);
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

	/* Before MADT revision 5 flag bit 1 is reserved: 300 and 9's xAPIC
	 * entry are placeholders (9 still comes in through its x2APIC entry). */
	m.b[8] = 4;
	world(&m, 2);
	CHECK(parse() == NULL && info.cpu_count == 6 && info.cpus[5].apic_id == 9);
	CHECK(info.cpus[5].x2apic && info.cpus[5].enabled);
	for (uint32_t i = 0; i < info.cpu_count; i++)
		CHECK(!info.cpus[i].online_capable && info.cpus[i].apic_id != 300);
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
	CHECK(info.warnings == 0);
}

/* Limits: entries past them are counted and left out, one warning per
 * kind; everything up to the limit is kept. */
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
	CHECK(parse() == NULL && info.cpu_count == ACPI_MAX_CPUS && info.warnings == 0);
	CHECK(info.cpus[255].apic_id == 1000 && info.ioapic_count == ACPI_MAX_IOAPICS);
	CHECK(info.ioapics[31].gsi_base == 24 * 31 && info.override_count == 16);
	CHECK(info.overrides[15].mode.active_low && info.nmi_count == ACPI_MAX_NMIS);

	m_x2apic(&m, 1001, 1, 1001);
	m_x2apic(&m, 1002, 1, 1002);
	m_ioapic(&m, 200, 0xfed00000, 24 * 40);
	m_ioapic(&m, 201, 0xfed01000, 24 * 41);
	m_ioapic(&m, 202, 0xfed02000, 24 * 42);
	m_nmi(&m, 0xff, 0, 0);
	m_x2nmi(&m, 0, 5000, 1);
	world(&m, 2);
	CHECK(expect_warning("2 CPUs, 3 I/O APICs, 2 NMIs past", 3,
			     "more than 256 local APIC NMIs: the rest are counted and ignored"));
	CHECK(info.cpu_count == ACPI_MAX_CPUS && info.dropped.cpus == 2);
	CHECK(info.ioapic_count == ACPI_MAX_IOAPICS && info.dropped.ioapics == 3);
	CHECK(info.nmi_count == ACPI_MAX_NMIS && info.dropped.nmis == 2);
	CHECK(info.cpus[255].apic_id == 1000 && info.nmis[254].uid == 254);
}

/* The MADT at the very end of memory, its length cut at every size (the
 * checksum fixed for the cut): whole entries before the cut are kept. */
/* A root table listing more than ACPI_MAX_ROOT_ENTRIES tables: the first
 * ACPI_MAX_ROOT_ENTRIES are looked at, the rest ignored with a warning
 * (each may cost the kernel a firmware mapping). */
static void test_root_entry_limit(void)
{
	static paddr_t tables[ACPI_MAX_ROOT_ENTRIES + 1];
	const paddr_t at_root = PHYS_BASE + 0x3000;
	struct tb m, *t = malloc(sizeof(*t));

	CHECK(t != NULL);
	if (!t)
		return;
	madt_qemu(&m, 2, false);
	for (int last = 0; last < 2; last++) {
		world(&m, 0);
		for (unsigned i = 0; i < ACPI_MAX_ROOT_ENTRIES + 1; i++)
			tables[i] = AT_HPET; /* a table the parser only notes */
		tables[0] = AT_FADT;
		tables[last ? ACPI_MAX_ROOT_ENTRIES : ACPI_MAX_ROOT_ENTRIES - 1] = AT_MADT;
		root_build(t, false, tables, ACPI_MAX_ROOT_ENTRIES + 1);
		tb_place(t, at_root);
		rsdp_build(rsdp, 0, (uint32_t)at_root, 0);
		CHECK(parse() == NULL);
		CHECK(info.has_madt == !last && info.cpu_count == (last ? 0u : 2u));
		CHECK(strstr(last_warning, last ? "no usable MADT" : "the rest are ignored") != NULL);
	}
	free(t);
}

static void test_truncations(void)
{
	paddr_t end_madt, tables[2];
	struct tb m, x;

	madt_qemu(&m, 4, true);
	m_x2apic(&m, 500, 1, 500);
	end_madt = PHYS_BASE + PHYS_SIZE - m.len;
	tables[0] = end_madt, tables[1] = AT_FADT;
	for (uint32_t len = 0; len <= m.len; len++) {
		struct tb cut = m;
		uint32_t whole = len < 44 ? 0 : (len - 44) / 8;

		world(&m, 2);
		root_build(&x, true, tables, 2);
		tb_place(&x, AT_XSDT);
		cut.len = len;
		tb_end(&cut);
		phys_put(end_madt, cut.b, m.len);
		CHECK(parse() == NULL && info.has_fadt);
		CHECK(info.has_madt == (len >= 52));
		CHECK(info.cpu_count == (whole < 4 ? whole : len == m.len ? 5 : 4));
		CHECK(info.has_madt || info_is_zero_madt());
	}
	CHECK(info.cpu_count == 5 && info.warnings == 0 && info.override_count == 5);
}

/* --- the \_S5 scan --- */

/* `aml` must give typa/typb (or nothing, a < 0). */
static void s5_case(const char *what, const uint8_t *aml, size_t n, int a, int b)
{
	uint8_t ta = 0xee, tb = 0xee;
	bool found = acpi_aml_find_s5(aml, n, &ta, &tb);

	CHECK(found == (a >= 0));
	if (found)
		CHECK(ta == a && tb == b);
	if (found != (a >= 0) || (found && (ta != a || tb != b)))
		fprintf(stderr, "s5 case '%s': found %d (%u, %u)\n", what, found, ta, tb);
}

#define S5(what, a, b, ...)                                                   \
	do {                                                                  \
		static const uint8_t aml_[] = { __VA_ARGS__ };                \
		s5_case(what, aml_, sizeof(aml_), a, b);                      \
	} while (0)
#define NAME_S5 0x08, '_', 'S', '5', '_'

static void test_aml_s5(void)
{
	S5("byte prefixes", 5, 5, NAME_S5, 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x05, 0, 0);
	S5("zero, one", 0, 1, NAME_S5, 0x12, 0x06, 0x04, 0x00, 0x01, 0x00, 0x00);
	S5("root prefix", 7, 7, 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, 7, 0x0a, 7, 0, 0);
	S5("word and dword", 6, 3, NAME_S5, 0x12, 0x0a, 0x02, 0x0b, 6, 0, 0x0c, 3, 0, 0, 0);
	S5("two elements", 7, 0, NAME_S5, 0x12, 0x05, 0x02, 0x0a, 7, 0x00);
	S5("after other names and an If", 5, 5, 0x08, '_', 'S', '0', '_', 0x12, 0x06, 0x04, 0, 0,
	   0, 0, 0xa0, 0x10, 0x93, 'O', 'S', 'Y', 'S', 0x0a, 1, NAME_S5, 0x12, 0x08, 0x04,
	   0x0a, 5, 0x0a, 5, 0, 0);
	S5("first malformed, second good", 3, 4, NAME_S5, 0x12, 0x06, 0x04, 0x0d, 'x', 0,
	   NAME_S5, 0x12, 0x06, 0x02, 0x0a, 3, 0x0a, 4);
	S5("a string \"_S5_\" is not a name", -1, -1, 0x0d, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
	   0x00, 0x00, 0, 0);
	S5("a method _S5_ is not a package", -1, -1, 0x14, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
	   0x00, 0x00, 0, 0);
	S5("name at offset 0 has no NameOp", -1, -1, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0);
	S5("not a package", -1, -1, NAME_S5, 0x0a, 0x05);
	S5("one element", -1, -1, NAME_S5, 0x12, 0x04, 0x01, 0x0a, 5);
	S5("zero elements", -1, -1, NAME_S5, 0x12, 0x02, 0x00);
	S5("value 8", -1, -1, NAME_S5, 0x12, 0x05, 0x02, 0x0a, 8, 0x00);
	S5("second value 0x100", -1, -1, NAME_S5, 0x12, 0x06, 0x02, 0x00, 0x0b, 0, 1);
	S5("Ones is not 0..7", -1, -1, NAME_S5, 0x12, 0x04, 0x02, 0xff, 0x00);
	S5("PkgLength past the end", -1, -1, NAME_S5, 0x12, 0x3f, 0x04, 0x0a, 5, 0x0a, 5);
	S5("PkgLength 0", -1, -1, NAME_S5, 0x12, 0x00, 0x04, 0x0a, 5, 0x0a, 5);
	S5("PkgLength bits 4-5 set", -1, -1, NAME_S5, 0x12, 0x70, 0x00, 0x04, 0x0a, 5, 0x0a, 5);
	S5("PkgLength cut", -1, -1, NAME_S5, 0x12, 0xc0, 0x01);
	S5("elements past PkgLength", -1, -1, NAME_S5, 0x12, 0x04, 0x04, 0x0a, 5, 0x0a, 5);
	S5("cut after the name", -1, -1, NAME_S5);
	S5("empty", -1, -1, 0);

	{ /* a 2-byte PkgLength: 71 bytes, lead 0x47, then 71 >> 4 */
		uint8_t big[5 + 1 + 71] = { NAME_S5, 0x12, 0x47, 0x04, 0x04, 0x0a, 5, 0x0a, 6 };

		s5_case("2-byte PkgLength", big, sizeof(big), 5, 6);
		s5_case("2-byte PkgLength, one byte short", big, sizeof(big) - 1, -1, -1);
		big[7] = 0x44; /* PkgLength 0x444: past the end */
		s5_case("2-byte PkgLength too long", big, sizeof(big), -1, -1);
	}

	/* Cut at every length: never found short of the whole, never a read past
	 * (each cut is its own exact-size allocation). */
	{
		static const uint8_t full[] = { 0x10, 0x20, 0x08, '\\', '_', 'S', '5', '_', 0x12,
						0x09, 0x04, 0x0a, 0x05, 0x0b, 0x06, 0x00, 0, 0 };
		unsigned found = 0;

		for (size_t n = 0; n <= sizeof(full); n++) {
			uint8_t *c = malloc(n ? n : 1), ta, tb;

			memcpy(c, full, n);
			found += acpi_aml_find_s5(c, n, &ta, &tb);
			free(c);
		}
		CHECK(found == 1);
	}
}

/* The DSDT path: missing, unmappable, checksum, no \_S5, at 0. */
static void test_dsdt(void)
{
	static const uint8_t no_s5[] = { 0x08, '_', 'S', '3', '_', 0x12, 0x06, 0x04, 1, 1, 0, 0 };
	uint8_t *dsdt = ph.b + (AT_DSDT - PHYS_BASE);
	struct tb m, t;

	madt_qemu(&m, 1, false);
	world(&m, 2);
	dsdt[20] ^= 1;
	CHECK(expect_warning("DSDT checksum", 1, "DSDT at 0x7fe0500 has a wrong checksum"));
	CHECK(info.has_s5 && info.s5_typa == 5);
	/* acpi_parse, with no warn function: counted all the same */
	CHECK(acpi_parse(rsdp, sizeof(rsdp), phys_map, &ph, &info) == NULL);
	phys_unmap_all();
	CHECK(info.warnings == 1 && info.has_s5 && info.has_madt);
	world(&m, 2);
	dsdt_build(&t, no_s5, sizeof(no_s5));
	tb_place(&t, AT_DSDT);
	CHECK(expect_warning("DSDT without \\_S5", 1, "has no usable \\_S5 package"));
	CHECK(!info.has_s5 && info.has_fadt && info.has_madt);
	world(&m, 2);
	memcpy(dsdt, "SSDT", 4);
	CHECK(expect_warning("DSDT signature", 1, "has signature \"SSDT\""));
	CHECK(!info.has_s5 && info.has_fadt);
	world(&m, 2);
	set32(dsdt + 4, 0x10000);
	CHECK(expect_warning("DSDT longer than memory", 1, "cannot be mapped"));
	world(&m, 2); /* no DSDT address at all: nothing to scan, no warning */
	fadt_build(&t, 3, 0, 0, false);
	tb_place(&t, AT_FADT);
	CHECK(parse() == NULL && info.warnings == 0 && !info.has_s5 && info.dsdt_paddr == 0);
}

/* --- malformed: errors --- */

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
	CHECK(acpi_parse_warn(rsdp, 10, phys_map, warn, &ph, &info) != NULL && info_is_zero());
	world(&m, 2);
	CHECK(acpi_parse_warn(rsdp, 20, phys_map, NULL, &ph, &info) != NULL && info_is_zero());
	set32(rsdp + 20, 40), rsdp[32] = 0, rsdp[32] = (uint8_t)-sum(rsdp, 36);
	expect_error("RSDP length past the copy");
	world(&m, 0);
	rsdp_build(rsdp, 0, 0, 0);
	expect_error("RSDT address 0");
	world(&m, 0);
	rsdp_build(rsdp, 0, 0x1000, 0);
	expect_error("RSDT outside memory");
}

/* A broken XSDT falls back to the RSDT with a warning; with no RSDT, or
 * both broken, the parse fails. */
static void test_bad_root(void)
{
	paddr_t tables[1] = { AT_MADT };
	uint8_t *x = ph.b + (AT_XSDT - PHYS_BASE), *r = ph.b + (AT_RSDT - PHYS_BASE);
	struct tb m, t;

#define FALLBACK(what, text)                                                \
	do {                                                                \
		CHECK(expect_warning(what, 1, text));                       \
		CHECK(!info.xsdt && info.root_paddr == AT_RSDT);            \
		CHECK(info.has_madt && info.has_fadt && info.cpu_count == 1); \
	} while (0)
	madt_qemu(&m, 1, true);
	world(&m, 2);
	memcpy(x, "RSDT", 4);
	FALLBACK("XSDT signature", "has signature \"RSDT\"; using the RSDT");
	world(&m, 2);
	set32(x + 4, 35);
	FALLBACK("XSDT length 35", "has length 35, needs 36..4194304; using the RSDT");
	world(&m, 2);
	set32(x + 4, ACPI_TABLE_MAX + 1);
	FALLBACK("XSDT length 4 MiB + 1", "using the RSDT");
	world(&m, 2);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, PHYS_BASE + PHYS_SIZE);
	FALLBACK("XSDT past memory", "cannot be mapped; using the RSDT");
	world(&m, 2);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, UINT64_MAX - 10);
	FALLBACK("XSDT address wraps", "cannot be mapped; using the RSDT");
	world(&m, 2);
	root_build(&t, true, tables, 1);
	tb_end(&t);
	phys_put(PHYS_BASE + PHYS_SIZE - 40, t.b, 40);
	rsdp_build(rsdp, 2, (uint32_t)AT_RSDT, PHYS_BASE + PHYS_SIZE - 40);
	FALLBACK("XSDT straddling the end", "cannot be mapped; using the RSDT");
#undef FALLBACK

	world(&m, 2); /* a wrong checksum is only a warning */
	x[20] ^= 1;
	CHECK(expect_warning("XSDT checksum", 1, "XSDT at 0x7fe0000 has a wrong checksum"));
	CHECK(info.xsdt && info.has_madt && info.has_fadt);
	world(&m, 2); /* a cut last entry is ignored */
	root_build(&t, true, tables, 1);
	p32(&t, 0);
	tb_place(&t, AT_XSDT);
	CHECK(expect_warning("XSDT length 36 + 12", 2, "no usable FADT"));
	CHECK(info.xsdt && info.has_madt && !info.has_fadt);

	world(&m, 2);
	memcpy(x, "RSDT", 4);
	memcpy(r, "XSDT", 4);
	expect_error("XSDT and RSDT signatures");
	world(&m, 2);
	rsdp_build(rsdp, 2, 0, PHYS_BASE + PHYS_SIZE);
	expect_error("XSDT unmappable, no RSDT");
	world(&m, 2);
	ph.refuse_from = 0;
	expect_error("map refuses everything");
	world(&m, 2);
	ph.refuse_from = 2; /* the XSDT maps, its entries do not */
	CHECK(expect_warning("map refuses the entries", 5, "no usable FADT"));
	CHECK(!info.has_madt && !info.has_fadt && info.xsdt && info.cpu_count == 0);
}

/* --- malformed: warnings --- */

/* The MADT and the FADT stand alone: either broken, the other is kept. */
static void test_bad_tables(void)
{
	paddr_t tables[2] = { AT_HPET, PHYS_BASE + PHYS_SIZE - 8 };
	uint8_t *madt = ph.b + (AT_MADT - PHYS_BASE), *fadt = ph.b + (AT_FADT - PHYS_BASE);
	struct tb m, t;

	madt_qemu(&m, 1, true);
	world(&m, 2);
	root_build(&t, true, tables, 2);
	tb_place(&t, AT_XSDT);
	CHECK(expect_warning("no MADT, no FADT", 3, "no usable FADT"));
	CHECK(!info.has_madt && !info.has_fadt && info.cpu_count == 0);
	world(&m, 2);
	madt[20] ^= 1;
	CHECK(expect_warning("MADT checksum", 1, "MADT at 0x7fe1000 has a wrong checksum"));
	CHECK(info.has_madt && info.cpu_count == 1 && info.override_count == 5);
#define MADT_GONE(what, n, text)                                              \
	do {                                                                  \
		CHECK(expect_warning(what, n, text));                         \
		CHECK(!info.has_madt && info.cpu_count == 0 && info.ioapic_count == 0); \
		CHECK(info.has_fadt && info.pm1a_cnt_port == 0x604 && info.has_s5); \
	} while (0)
	world(&m, 2);
	set32(madt + 4, 0x7001);
	MADT_GONE("MADT longer than memory", 2, "no usable MADT");
	world(&m, 2);
	set32(madt + 4, 20);
	MADT_GONE("MADT length 20", 2, "no usable MADT");
	{ /* an unusable first MADT (no CPU), then a good one: the second is used */
		paddr_t two[3] = { AT_MADT, AT_FADT, AT_MADT + 0x800 };
		struct tb empty;

		world(&m, 2);
		madt_begin(&empty, 0xfee00000, 1);
		m_lapic(&empty, 3, 3, 0);
		tb_place(&empty, AT_MADT);
		tb_place(&m, AT_MADT + 0x800);
		root_build(&t, true, two, 3);
		tb_place(&t, AT_XSDT);
		CHECK(expect_warning("first MADT unusable", 1, "lists no enabled CPU: not used"));
		CHECK(info.has_madt && info.madt_paddr == AT_MADT + 0x800 && info.cpu_count == 1);
		CHECK(info.override_count == 5 && info.has_fadt);
	}
	world(&m, 2);
	fadt[100] ^= 1;
	CHECK(expect_warning("FADT checksum", 1, "FADT at 0x7fe0200 has a wrong checksum"));
	CHECK(info.has_fadt && info.pm1a_cnt_port == 0x604 && info.has_madt);
	world(&m, 2);
	fadt_build(&t, 1, 0, 0, false);
	t.len = 100;
	tb_place(&t, AT_FADT);
	CHECK(expect_warning("FADT 100 bytes", 2, "no usable FADT"));
	CHECK(!info.has_fadt && info.pm1a_cnt_port == 0 && !info.has_s5);
	CHECK(info.has_madt && info.cpu_count == 1 && info.override_count == 5);
}

static void test_bad_madt_header(void)
{
	struct tb m;

	madt_begin(&m, 0xfee00000, 1);
	m.len = 40;
	world(&m, 2);
	MADT_GONE("MADT 40 bytes", 2, "no usable MADT");
	madt_begin(&m, 0xfee00000, 1);
	world(&m, 2);
	MADT_GONE("MADT with no CPU", 2, "no usable MADT");
	madt_begin(&m, 0xfee00000, 1);
	m.b[8] = 5;
	m_lapic(&m, 0, 0, 2);
	m_x2apic(&m, 7, 0, 7);
	world(&m, 2);
	MADT_GONE("only online-capable CPUs", 2, "no usable MADT");
	madt_begin(&m, 0, 1);
	m_lapic(&m, 0, 0, 1);
	world(&m, 2);
	CHECK(expect_warning("local APIC address 0", 1, "is 0 or not page-aligned: using 0xfee00000"));
	CHECK(info.has_madt && info.lapic_addr == ACPI_LAPIC_DEFAULT);
	madt_begin(&m, 0xfee00010, 1);
	m_lapic(&m, 0, 0, 1);
	world(&m, 2);
	CHECK(expect_warning("local APIC address unaligned", 1, "using 0xfee00000"));
	CHECK(info.has_madt && info.lapic_addr == ACPI_LAPIC_DEFAULT);
}
#undef MADT_GONE

/* Entries too short for their type are skipped (the walk goes on); lengths
 * that cannot be followed end the walk, keeping what came before. */
static void test_bad_entry_lengths(void)
{
	static const uint8_t types[] = { 0, 1, 2, 4, 5, 9, 10 };
	static const uint8_t mins[] = { 8, 12, 10, 6, 12, 16, 12 };
	struct tb m;

	madt_begin(&m, 0xfee00000, 1);
	for (int i = 0; i < 5; i++)
		m_lapic(&m, (uint8_t)i, (uint8_t)i, 1);
	m_raw(&m, 1, 8);
	m_lapic(&m, 9, 9, 1);
	world(&m, 2);
	CHECK(expect_warning("I/O APIC entry of 8 bytes", 1,
			     "acpi: MADT entry type 1 at offset 0x54 is too short for its type: ignored"));
	CHECK(info.cpu_count == 6 && info.dropped.ioapics == 1 && info.ioapic_count == 0);
	for (size_t i = 0; i < sizeof(types); i++) {
		madt_begin(&m, 0xfee00000, 1);
		m_lapic(&m, 0, 0, 1);
		m_raw(&m, types[i], (uint8_t)(mins[i] - 1));
		m_lapic(&m, 1, 1, 1);
		world(&m, 2);
		CHECK(expect_warning("entry one byte short", 1, "is too short for its type: ignored"));
		CHECK(info.cpu_count == 2 && info.lapic_addr == 0xfee00000);
	}
#define CUT(what, text, ...)                                             \
	do {                                                             \
		madt_begin(&m, 0xfee00000, 1);                           \
		m_lapic(&m, 0, 0, 1);                                    \
		__VA_ARGS__;                                             \
		m_lapic(&m, 1, 1, 1); /* never reached */                \
		world(&m, 2);                                            \
		CHECK(expect_warning(what, 1, text));                    \
		CHECK(info.has_madt && info.cpu_count == 1);             \
	} while (0)
	CUT("zero-length entry", "has length 0: the rest of the MADT is ignored",
	    (p8(&m, 0x42), p8(&m, 0), p16(&m, 0)));
	CUT("one-byte entry", "has length 1: the rest", (p8(&m, 0x42), p8(&m, 1), p16(&m, 0)));
	CUT("entry past the table", "past the table's end",
	    (p8(&m, 0x42), p8(&m, 200), p16(&m, 0)));
#undef CUT
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 1);
	p8(&m, 0);
	world(&m, 2);
	CHECK(expect_warning("entry cut after its type", 1, "is cut off by the end of the table"));
	CHECK(info.cpu_count == 1);
	madt_begin(&m, 0xfee00000, 1);
	m_lapic(&m, 0, 0, 1);
	m_x2apic(&m, 5, 1, 5);
	m.len -= 1;
	world(&m, 2);
	CHECK(expect_warning("x2APIC entry cut by the end", 1, "past the table's end"));
	CHECK(info.cpu_count == 1);
}

/* Each entry-level problem: one warning; the entry left out (counted in its
 * kind's `dropped`) or kept with defaults; CPU 0 and the rest kept. */
static void test_bad_entries(void)
{
	struct tb m;

#define BAD(what, text, ...)                                                \
	do {                                                                \
		madt_begin(&m, 0xfee00000, 1);                              \
		m_lapic(&m, 0, 0, 1);                                       \
		__VA_ARGS__;                                                \
		m_ioapic(&m, 99, 0xfe000000, 1000);                         \
		world(&m, 2);                                               \
		CHECK(expect_warning(what, 1, text));                       \
		CHECK(info.has_madt && info.cpus[0].apic_id == 0 && info.cpu_count >= 1); \
		CHECK(info.ioapics[info.ioapic_count - 1].addr == 0xfe000000); \
	} while (0)
	BAD("duplicate xAPIC id", "repeats an APIC id of an earlier entry: ignored",
	    m_lapic(&m, 1, 0, 1));
	CHECK(info.cpu_count == 1 && info.dropped.cpus == 1 && info.cpus[0].uid == 0);
	BAD("duplicate x2APIC id", "repeats an APIC id",
	    (m_x2apic(&m, 8, 1, 1), m_x2apic(&m, 8, 1, 2)));
	CHECK(info.cpu_count == 2 && info.dropped.cpus == 1 && info.cpus[1].uid == 1);
	BAD("xAPIC broadcast id 0xff", "has the broadcast APIC id", m_lapic(&m, 1, 0xff, 1));
	CHECK(info.cpu_count == 1 && info.dropped.cpus == 1);
	BAD("x2APIC id 0xffffffff", "broadcast", m_x2apic(&m, 0xffffffff, 1, 1));
	CHECK(info.cpu_count == 1 && info.dropped.cpus == 1);
	BAD("duplicate I/O APIC id", "repeats I/O APIC id 0 (kept",
	    (m_ioapic(&m, 0, 0xfec00000, 0), m_ioapic(&m, 0, 0xfec01000, 24)));
	CHECK(info.ioapic_count == 3 && info.dropped.ioapics == 0);
	CHECK(info.ioapics[1].addr == 0xfec01000 && info.ioapics[1].gsi_base == 24);
	BAD("duplicate I/O APIC address", "repeats the address of an earlier I/O APIC",
	    (m_ioapic(&m, 0, 0xfec00000, 0), m_ioapic(&m, 1, 0xfec00000, 24)));
	CHECK(info.ioapic_count == 2 && info.dropped.ioapics == 1);
	BAD("duplicate I/O APIC GSI base", "repeats the GSI base",
	    (m_ioapic(&m, 0, 0xfec00000, 24), m_ioapic(&m, 1, 0xfec01000, 24)));
	CHECK(info.ioapic_count == 2 && info.dropped.ioapics == 1);
	BAD("I/O APIC address 0", "has I/O APIC address 0", m_ioapic(&m, 0, 0, 0));
	CHECK(info.ioapic_count == 1 && info.dropped.ioapics == 1);
	BAD("override polarity 2", "has reserved flags 0x2: bus defaults used",
	    m_override(&m, 0, 0, 2, 2));
	CHECK(info.override_count == 1 && !info.overrides[0].mode.active_low);
	BAD("override trigger 2", "has reserved flags 0xb", m_override(&m, 0, 0, 2, 0xb));
	CHECK(info.override_count == 1 && info.overrides[0].mode.active_low);
	CHECK(!info.overrides[0].mode.level);
	BAD("override bus 1", "is not for an ISA IRQ", m_override(&m, 1, 0, 2, 0));
	CHECK(info.override_count == 0 && info.dropped.overrides == 1);
	BAD("override IRQ 16", "is not for an ISA IRQ", m_override(&m, 0, 16, 16, 0));
	CHECK(info.override_count == 0 && info.dropped.overrides == 1);
	BAD("duplicate override", "repeats the IRQ of an earlier override",
	    (m_override(&m, 0, 9, 9, 0), m_override(&m, 0, 9, 20, 0)));
	CHECK(info.override_count == 1 && info.overrides[0].gsi == 9);
	BAD("NMI LINT2", "names a LINT pin other than 0 or 1", m_nmi(&m, 0xff, 0, 2));
	CHECK(info.nmi_count == 0 && info.dropped.nmis == 1);
	BAD("x2APIC NMI LINT7", "names a LINT pin", m_x2nmi(&m, 0, 0, 7));
	CHECK(info.nmi_count == 0 && info.dropped.nmis == 1);
	BAD("garbage NMI: LINT and flags", "names a LINT pin", m_nmi(&m, 1, 0xbf78, 0x41));
	CHECK(info.nmi_count == 0 && info.dropped.nmis == 1);
	BAD("NMI polarity 2", "has reserved flags 0x106", m_nmi(&m, 0xff, 0x106, 1));
	CHECK(info.nmi_count == 1 && !info.nmis[0].mode.active_low && info.nmis[0].flags == 0x106);
	BAD("local APIC override 0", "has a local APIC address that is 0", m_lapic_addr(&m, 0));
	CHECK(info.lapic_addr == 0xfee00000);
	BAD("local APIC override unaligned", "not page-aligned", m_lapic_addr(&m, 0xfee00800));
	CHECK(info.lapic_addr == 0xfee00000);
#undef BAD

	/* 40 NMI entries, one per CPU slot as current firmware lists them. */
	madt_begin(&m, 0xfee00000, 1);
	for (int i = 0; i < 40; i++)
		m_lapic(&m, (uint8_t)i, (uint8_t)i, i < 8);
	for (int i = 0; i < 40; i++)
		m_nmi(&m, (uint8_t)i, 0x5, 1);
	world(&m, 2);
	CHECK(parse() == NULL && info.warnings == 0 && info.nmi_count == 40 && info.cpu_count == 8);
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

	if (!info.has_s5 ? info.s5_typa || info.s5_typb : info.s5_typa > 7 || info.s5_typb > 7)
		return false;
	if (!info.has_madt)
		return info_is_zero_madt();

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
	unsigned accepted = 0, rejected = 0, bad = 0, partial = 0;
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
			partial += info.warnings > 0;
			bad += !sane();
		}
	}
	printf("  random mutation: %u accepted (%u with warnings), %u rejected, %u bad\n", accepted,
	       partial, rejected, bad);
	CHECK(bad == 0);
	CHECK(accepted > 1000 && rejected > 1000 && partial > 1000);
}

int main(void)
{
	ph.b = malloc(PHYS_SIZE);
	ph.high = malloc(HIGH_SIZE);
	test_qemu_pc();
	test_qemu_q35();
	test_xsdt_preferred();
	test_fadt_fields();
	test_reset_port();
	test_pm1_value();
	test_sleep_control_value();
	test_ebda();
	test_high_tables();
	test_x2apic();
	test_unknown_entries();
	test_limits();
	test_root_entry_limit();
	test_truncations();
	test_aml_s5();
	test_dsdt();
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
	free(ph.high);
	return check_summary("test_acpi");
}
