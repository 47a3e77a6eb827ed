/*
 * ACPI tables -> struct acpi_info: the RSDP, the RSDT or XSDT, the MADT
 * (cores, I/O APICs, interrupt overrides, NMIs), the FADT's fixed fields
 * and the \_S5 sleep type from the DSDT. Pure C, boot-only, single-threaded;
 * also built, tested and fuzzed on the host. Tables are reached only through
 * the caller's acpi_map_fn: the parser never dereferences a physical address
 * and never reads past what map gave.
 *
 * Tolerance (docs/boot.md, "Real hardware"): only an unusable RSDP or root
 * table is an error. Anything odd below it is a warning, and parsing goes on:
 * a wrong checksum is reported and the table used; an entry that is
 * malformed, repeated or past a limit is counted in `dropped` and left out;
 * the MADT and the FADT stand or fall on their own.
 */
#pragma once
#include "types.h"

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 32
#define ACPI_MAX_OVERRIDES 16 /* at most one per ISA IRQ */
#define ACPI_MAX_ROOT_ENTRIES 256 /* tables listed in the RSDT/XSDT that are looked at:
				       each may cost a firmware mapping */
#define ACPI_MAX_NMIS 256     /* firmware lists one per possible CPU slot */
#define ACPI_TABLE_MAX (4u << 20) /* larger tables are not used */
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36
#define ACPI_NMI_ALL_CPUS 0xffffffffu /* acpi_nmi.uid: applies to every core */
#define ACPI_LAPIC_DEFAULT 0xfee00000u /* architectural local APIC base */

/* Return a pointer from which `len` bytes at physical `paddr` can be read,
 * or NULL if that range cannot be mapped. Pointers stay valid until
 * acpi_parse returns. */
typedef const void *(*acpi_map_fn)(void *ctx, paddr_t paddr, size_t len);
/* Told each problem found, as one line ("acpi: ..."), without newline; the
 * message is gone when it returns. */
typedef void (*acpi_warn_fn)(void *ctx, const char *msg);

/* MPS INTI flags as decoded from an override or NMI entry ("conforms to the
 * bus" is resolved to the ISA defaults: active high, edge). */
struct acpi_irq_mode {
	bool active_low;
	bool level;
};

/* One core from a MADT type 0 (xAPIC) or type 9 (x2APIC) entry. Entries that
 * are neither enabled nor online-capable are left out. */
struct acpi_cpu {
	uint32_t apic_id;
	uint32_t uid;        /* ACPI processor UID (type 0: the processor id) */
	bool enabled;        /* usable now */
	bool online_capable; /* may be hot-added later (disabled until then) */
	bool x2apic;         /* first described by a type 9 entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr; /* physical MMIO base */
	uint32_t gsi_base;
};

/* Bus `bus` IRQ `irq` is wired to `gsi` with `mode` (MADT type 2). */
struct acpi_override {
	uint8_t bus, irq;
	uint32_t gsi;
	uint16_t flags; /* raw MPS INTI flags */
	struct acpi_irq_mode mode;
};

/* LINTn of the core with ACPI UID `uid` (or every core) is an NMI. */
struct acpi_nmi {
	uint32_t uid; /* ACPI_NMI_ALL_CPUS for all */
	uint8_t lint; /* 0 or 1 */
	uint16_t flags;
	struct acpi_irq_mode mode;
};

/* A Generic Address Structure (ACPI 5.2.3.2). */
#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO 1
struct acpi_gas {
	uint8_t space; /* ACPI_GAS_* or another address space id */
	uint8_t bit_width, bit_offset, access_size;
	uint64_t addr;
};

/* The ACPI PM timer from the FADT (PM_TMR_BLK, or X_PM_TMR_BLK in system
 * I/O space): a free-running up-counter at ACPI_PM_TIMER_HZ, 24 bits wide
 * unless the FADT's TMR_VAL_EXT flag says 32. */
#define ACPI_PM_TIMER_HZ 3579545u
struct acpi_pm_timer {
	uint16_t port; /* 0: none */
	uint8_t bits;  /* 24 or 32 */
	bool rejected; /* the FADT gave a port that cannot be one */
};

/* The first event timer block of the ACPI HPET table: its registers
 * (1 KiB of MMIO at `base`); the counter's period is read from the
 * hardware's capabilities register, not from the table. */
struct acpi_hpet {
	paddr_t base;      /* 0: no usable HPET table */
	uint32_t block_id; /* event timer block id (vendor, counter width...) */
	uint8_t number;    /* HPET sequence number */
	uint16_t min_tick; /* minimum clock ticks in periodic mode */
	bool rejected;     /* an HPET table was there but unusable (length,
			      checksum, base): left out */
};

struct acpi_info {
	uint8_t revision;   /* RSDP revision: 0 = ACPI 1.0, 2 = ACPI 2.0+ */
	bool xsdt;          /* the root table used is the XSDT (else RSDT) */
	paddr_t root_paddr; /* the RSDT or XSDT */

	/* MADT: all zero unless has_madt. */
	bool has_madt;      /* a usable MADT: at least one enabled CPU */
	paddr_t madt_paddr;
	uint8_t madt_revision;
	paddr_t lapic_addr; /* after any type 5 override */
	bool pcat_compat;   /* legacy 8259 PICs present (must be masked) */
	uint32_t cpu_count; /* in MADT order, no two with the same apic_id */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t ioapic_count; /* in MADT order, distinct addresses and GSI bases */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	uint32_t nmi_count;
	struct acpi_nmi nmis[ACPI_MAX_NMIS];
	struct {            /* entries left out (each with a warning) */
		uint32_t cpus, ioapics, overrides, nmis;
	} dropped;

	/* FADT: all zero unless has_fadt. */
	bool has_fadt;
	uint8_t fadt_revision;
	uint32_t fadt_flags;
	bool hw_reduced;        /* HW_REDUCED_ACPI: no PM1 blocks (sleep_control instead) */
	uint16_t sci_irq;
	paddr_t dsdt_paddr;     /* X_DSDT if set, else DSDT; 0 if none */
	uint32_t pm1a_cnt_port; /* I/O port of PM1a_CNT, 0 if none */
	uint32_t pm1b_cnt_port; /* I/O port of PM1b_CNT, 0 if none */
	bool reset_supported;   /* FADT flag RESET_REG_SUP (revision 2+ FADT) */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	struct acpi_gas sleep_control; /* SLEEP_CONTROL_REG (ACPI 5.0+ FADT), zero if none */

	/* \_S5 from the DSDT: SLP_TYPa and SLP_TYPb for soft-off. */
	bool has_s5;
	uint8_t s5_typa, s5_typb;

	uint32_t warnings; /* problems reported through the warn function */

	/* Timer sources (the TSC's calibration references); never fatal: a
	 * malformed timer block or HPET table is left out and marked rejected. */
	struct acpi_pm_timer pm_timer; /* from the FADT */
	struct acpi_hpet hpet;         /* from the first valid "HPET" table */
};

/*
 * Check the RSDP at `rsdp` (readable for `len` bytes): signature, the
 * checksum of the first 20 bytes and, for revision >= 2, the length and the
 * extended checksum. Returns NULL if good, else a static message.
 */
const char *acpi_check_rsdp(const void *rsdp, size_t len);

/*
 * Scan `area` (readable for `len` bytes, 16-byte aligned physically, e.g.
 * the first KiB of the EBDA or 0xE0000-0xFFFFF) on 16-byte boundaries for
 * an RSDP that passes acpi_check_rsdp. On success stores its offset.
 */
bool acpi_find_rsdp(const uint8_t *area, size_t len, size_t *offset);

/* Where the BIOS keeps the EBDA: the real-mode segment in the 16-bit word
 * at physical 0x40E, shifted left by 4. Returns 0 unless that lies in
 * 0x80000..0x9FFFF (anything else is not an EBDA). */
paddr_t acpi_ebda_base(uint16_t bda_segment);

/*
 * Parse from the RSDP at `rsdp` (readable for `rsdp_len` bytes, e.g.
 * bootinfo.rsdp/rsdp_len) through the root table to the MADT, the FADT and
 * the DSDT's \_S5. `warn` (may be NULL) hears every problem. Returns NULL if
 * a root table was read (then has_madt and has_fadt say what was usable),
 * else a static message ("acpi: ...") and *info is zeroed.
 */
const char *acpi_parse_warn(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
			    acpi_warn_fn warn, void *ctx, struct acpi_info *info);
/* The same with no one to hear the warnings (they are still counted). */
const char *acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_info *info);

/* The GSI and mode of ISA IRQ `irq`: an override if the MADT has one for
 * bus 0, else the same number, active high, edge. */
uint32_t acpi_isa_irq(const struct acpi_info *info, uint8_t irq, struct acpi_irq_mode *mode);

/*
 * A bounded scan of AML bytes (a DSDT's body) for `Name (_S5, Package
 * (n) { a, b, ... })`: NameOp (optionally `\`), "_S5_", PackageOp,
 * PkgLength, NumElements >= 2, then two integers (Zero, One, Byte, Word or
 * DWord prefix), each 0..7. Every read is within `len`. Stores them and
 * returns true at the first well-formed one.
 */
bool acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

#define ACPI_PM1_SLP_EN (1u << 13)
/* The PM1 control value that enters sleep type `slp_typ`: SLP_TYP in bits
 * 10-12, SLP_EN (bit 13), with `keep` (the register's other bits) kept. */
uint16_t acpi_pm1_sleep_value(uint16_t keep, uint8_t slp_typ);

/* The Sleep Control Register value that enters sleep type `slp_typ`
 * (hardware-reduced ACPI, 4.8.3.7): SLP_TYP in bits 2-4, SLP_EN (bit 5). */
uint8_t acpi_sleep_control_value(uint8_t slp_typ);

/* The I/O port of the FADT's Sleep Control Register if a hardware-reduced
 * platform can be put to sleep through it (System I/O, 8 bits, no bit
 * offset), else 0. */
uint16_t acpi_sleep_control_port(const struct acpi_info *info);

/* The I/O port of the FADT reset register if it can be used to reset the
 * machine (RESET_REG_SUP, System I/O space, an 8-bit register at a 16-bit
 * port, no bit offset), else 0. */
uint16_t acpi_reset_port(const struct acpi_info *info);
