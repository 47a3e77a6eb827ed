/*
 * ACPI tables -> struct acpi_info: the RSDP, the RSDT or XSDT, the MADT
 * (cores, I/O APICs, interrupt overrides, NMIs) and the FADT's fixed fields.
 * Pure C, boot-only, single-threaded; also built, tested and fuzzed on the
 * host. Tables are reached only through the caller's acpi_map_fn: the parser
 * never dereferences a physical address and never reads past what map gave.
 */
#pragma once
#include "types.h"

#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16 /* at most one per ISA IRQ */
#define ACPI_MAX_NMIS 16
#define ACPI_TABLE_MAX (1u << 20) /* larger tables are rejected */
#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36
#define ACPI_NMI_ALL_CPUS 0xffffffffu /* acpi_nmi.uid: applies to every core */

/* Return a pointer from which `len` bytes at physical `paddr` can be read,
 * or NULL if that range cannot be mapped. Pointers stay valid until
 * acpi_parse returns. */
typedef const void *(*acpi_map_fn)(void *ctx, paddr_t paddr, size_t len);

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
	paddr_t madt_paddr;

	paddr_t lapic_addr; /* after any type 5 override */
	bool pcat_compat;   /* legacy 8259 PICs present (must be masked) */

	uint32_t cpu_count; /* in MADT order, no two with the same apic_id */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	uint32_t ioapic_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	uint32_t override_count;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	uint32_t nmi_count;
	struct acpi_nmi nmis[ACPI_MAX_NMIS];

	bool has_fadt;
	uint8_t fadt_revision;
	uint32_t pm1a_cnt_port; /* 0 if none */
	uint16_t sci_irq;
	paddr_t dsdt_paddr;     /* X_DSDT if set, else DSDT; 0 if none */

	uint32_t warnings; /* skipped oddities: unmappable or duplicate unused tables */

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

/*
 * Parse from the RSDP at `rsdp` (readable for `rsdp_len` bytes, e.g.
 * bootinfo.rsdp/rsdp_len) through the root table to the MADT and FADT.
 * Returns NULL on success, else a static message ("acpi: ..."); then *info
 * is zeroed. A missing MADT is an error (the caller falls back to one core).
 */
const char *acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_info *info);

/* The GSI and mode of ISA IRQ `irq`: an override if the MADT has one for
 * bus 0, else the same number, active high, edge. */
uint32_t acpi_isa_irq(const struct acpi_info *info, uint8_t irq, struct acpi_irq_mode *mode);
