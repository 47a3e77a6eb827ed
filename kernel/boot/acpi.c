/*
 * ACPI tables -> struct acpi_info. Boot-only, single-threaded.
 * Every table is mapped through the caller's map function and its length
 * bounded before any field is read; every read is within the length that
 * was mapped. Only an unusable RSDP or root table stops the parse; any other
 * oddity is reported through the warn function and left out (acpi.h), so
 * the tables of real firmware give what they can.
 */
#include "acpi.h"
#include "kstring.h"
#include "printf.h"
#include "unaligned.h"

#define SDT_HDR 36     /* signature, length, revision, checksum, OEM ids... */
#define MADT_HDR 44    /* SDT header, local APIC address, flags */
#define MADT_PCAT_COMPAT 1u
#define MADT_REV_ONLINE_CAPABLE 5 /* ACPI 6.3: flag bit 1 is Online Capable */
#define FADT_MIN 116   /* the ACPI 1.0 FADT, up to and including Flags */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_CNT 64
#define FADT_PM1B_CNT 68
#define FADT_FLAGS 112
#define FADT_RESET_REG 116  /* a 12-byte GAS, then RESET_VALUE */
#define FADT_RESET_VALUE 128
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT 172 /* 12-byte GASes */
#define FADT_X_PM1B_CNT 184
#define FADT_SLEEP_CONTROL 244 /* ACPI 5.0: a GAS */
#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED (1u << 20)
#define GAS_LEN 12
#define GAS_SYSTEM_IO ACPI_GAS_IO

#define LAPIC_ENABLED 1u
#define LAPIC_ONLINE_CAPABLE 2u

enum madt_type {
	MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_OVERRIDE = 2, MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDR = 5, MADT_X2APIC = 9, MADT_X2APIC_NMI = 10,
};

/* A table mapped whole, its header checked. */
struct table {
	const uint8_t *p;
	uint32_t len;
	paddr_t paddr;
};

struct parser {
	acpi_map_fn map;
	acpi_warn_fn warn;
	void *ctx;
	struct acpi_info *info;
};

/* One MADT entry being parsed. */
struct entry {
	const uint8_t *p;
	uint32_t off; /* from the start of the MADT */
	uint8_t type, len;
};

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* --- messages --- */

/* "acpi: " + fmt into buf (lib/printf.c). */
static void vformat(char *buf, size_t cap, const char *fmt, va_list ap)
{
	static const char prefix[] = "acpi: ";

	memcpy(buf, prefix, sizeof(prefix));
	kvsnprintf(buf + sizeof(prefix) - 1, cap - (sizeof(prefix) - 1), fmt, ap);
}

/* An error: formatted into a static buffer (acpi_parse runs once, on one
 * CPU, and the caller prints or passes on the message before going on). */
static const char *errorf(const char *fmt, ...) PRINTF_LIKE(1, 2);
static const char *errorf(const char *fmt, ...)
{
	static char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return msg;
}

/* Count a problem and tell the caller's warn function. */
static void warn_msg(const struct parser *ps, const char *msg)
{
	ps->info->warnings++;
	if (ps->warn)
		ps->warn(ps->ctx, msg);
}

static void warnf(const struct parser *ps, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void warnf(const struct parser *ps, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn_msg(ps, msg);
}

/* A table signature as a printable string. */
static const char *sig_str(const uint8_t *p, char out[5])
{
	for (int i = 0; i < 4; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[4] = 0;
	return out;
}

/* The table's usual name: MADT and FADT for "APIC" and "FACP". */
static const char *table_name(const uint8_t *p, char out[5])
{
	if (memcmp(p, "APIC", 4) == 0)
		return "MADT";
	if (memcmp(p, "FACP", 4) == 0)
		return "FADT";
	return sig_str(p, out);
}

/* --- RSDP --- */

const char *acpi_check_rsdp(const void *rsdp, size_t len)
{
	const uint8_t *p = rsdp;
	uint32_t full;

	if (len < ACPI_RSDP_V1_LEN)
		return errorf("RSDP is %u bytes, needs %u", (unsigned)len, ACPI_RSDP_V1_LEN);
	if (memcmp(p, "RSD PTR ", 8) != 0)
		return errorf("RSDP has no \"RSD PTR \" signature");
	if (sum8(p, ACPI_RSDP_V1_LEN) != 0)
		return errorf("RSDP checksum of the first 20 bytes is wrong");
	if (p[15] < 2)
		return NULL;
	if (len < ACPI_RSDP_V2_LEN)
		return errorf("RSDP revision %u is %u bytes, needs %u", p[15], (unsigned)len,
			      ACPI_RSDP_V2_LEN);
	full = rd32(p + 20);
	if (full < ACPI_RSDP_V2_LEN)
		return errorf("RSDP length %u is less than %u", full, ACPI_RSDP_V2_LEN);
	if (full > len)
		return errorf("RSDP length %u is past the %u bytes given", full, (unsigned)len);
	if (sum8(p, full) != 0)
		return errorf("RSDP extended checksum is wrong");
	return NULL;
}

bool acpi_find_rsdp(const uint8_t *area, size_t len, size_t *offset)
{
	for (size_t off = 0; len >= ACPI_RSDP_V1_LEN && off <= len - ACPI_RSDP_V1_LEN; off += 16) {
		if (acpi_check_rsdp(area + off, len - off) == NULL) {
			*offset = off;
			return true;
		}
	}
	return false;
}

paddr_t acpi_ebda_base(uint16_t bda_segment)
{
	paddr_t base = (paddr_t)bda_segment << 4;

	return base >= 0x80000 && base < 0xa0000 ? base : 0;
}

/* --- tables --- */

static const void *map_range(const struct parser *ps, paddr_t paddr, size_t len)
{
	if (paddr == 0 || paddr > UINT64_MAX - len)
		return NULL;
	return ps->map(ps->ctx, paddr, len);
}

/* Map the table at `paddr` whole and check its length; `hdr` is its
 * already-mapped header. A wrong checksum is a warning: firmware gets them
 * wrong and the fields are still what it meant. */
static const char *table_map(const struct parser *ps, paddr_t paddr, const uint8_t *hdr,
			     struct table *t)
{
	uint32_t len = rd32(hdr + 4);
	char buf[5];
	const char *name = table_name(hdr, buf);

	if (len < SDT_HDR || len > ACPI_TABLE_MAX)
		return errorf("%s at 0x%lx has length %u, needs %u..%u", name,
			      (unsigned long)paddr, len, SDT_HDR, ACPI_TABLE_MAX);
	t->p = map_range(ps, paddr, len);
	if (!t->p)
		return errorf("%s at 0x%lx (%u bytes) cannot be mapped", name,
			      (unsigned long)paddr, len);
	if (rd32(t->p + 4) != len || memcmp(t->p, hdr, 4) != 0)
		return errorf("%s at 0x%lx changed while mapped", name, (unsigned long)paddr);
	if (sum8(t->p, len) != 0)
		warnf(ps, "%s at 0x%lx has a wrong checksum (used all the same)", name,
		      (unsigned long)paddr);
	t->len = len;
	t->paddr = paddr;
	return NULL;
}

/* Map and check the table at `paddr`, which must have signature `want`. */
static const char *table_get(const struct parser *ps, paddr_t paddr, const char *want,
			     struct table *t)
{
	const uint8_t *hdr = map_range(ps, paddr, SDT_HDR);
	char sig[5];

	if (!hdr)
		return errorf("%s at 0x%lx cannot be mapped", want, (unsigned long)paddr);
	if (memcmp(hdr, want, 4) != 0)
		return errorf("%s at 0x%lx has signature \"%s\"", want, (unsigned long)paddr,
			      sig_str(hdr, sig));
	return table_map(ps, paddr, hdr, t);
}

/* --- MADT entries --- */

static uint8_t entry_min_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC: return 8;
	case MADT_IOAPIC: return 12;
	case MADT_OVERRIDE: return 10;
	case MADT_LAPIC_NMI: return 6;
	case MADT_LAPIC_ADDR: return 12;
	case MADT_X2APIC: return 16;
	case MADT_X2APIC_NMI: return 12;
	default: return 2;
	}
}

/* The dropped-entry counter of an entry's kind, NULL for kinds not kept. */
static uint32_t *dropped_of(struct acpi_info *info, uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:
	case MADT_X2APIC: return &info->dropped.cpus;
	case MADT_IOAPIC: return &info->dropped.ioapics;
	case MADT_OVERRIDE: return &info->dropped.overrides;
	case MADT_LAPIC_NMI:
	case MADT_X2APIC_NMI: return &info->dropped.nmis;
	default: return NULL;
	}
}

/* Leave entry `e` out, counted, with a warning saying why. */
static void entry_drop(const struct parser *ps, const struct entry *e, const char *why)
{
	uint32_t *n = dropped_of(ps->info, e->type);

	if (n)
		++*n;
	warnf(ps, "MADT entry type %u at offset 0x%x %s: ignored", e->type, e->off, why);
}

/* An entry past a limit: counted; only the first one of a kind warns. */
static void entry_over_limit(const struct parser *ps, const struct entry *e, const char *what,
			     unsigned limit)
{
	uint32_t *n = dropped_of(ps->info, e->type);

	if ((*n)++ == 0)
		warnf(ps, "MADT lists more than %u %s: the rest are counted and ignored", limit,
		      what);
}

/* MPS INTI flags -> mode; "conforms" (0) means the ISA default, and so do
 * the reserved values (2), with a warning, as the firmware's intent is
 * unknown. */
static void decode_mode(const struct parser *ps, const struct entry *e, uint16_t flags,
			struct acpi_irq_mode *m)
{
	unsigned pol = flags & 3, trig = (flags >> 2) & 3;

	if (pol == 2 || trig == 2)
		warnf(ps, "MADT entry type %u at offset 0x%x has reserved flags 0x%x: "
			  "bus defaults used", e->type, e->off, flags);
	m->active_low = pol == 3;
	m->level = trig == 3;
}

static struct acpi_cpu *find_cpu(struct acpi_info *info, uint32_t apic_id)
{
	for (uint32_t i = 0; i < info->cpu_count; i++)
		if (info->cpus[i].apic_id == apic_id)
			return &info->cpus[i];
	return NULL;
}

/* Record a core; an xAPIC and an x2APIC entry for one APIC id merge. The
 * Online Capable bit exists from MADT revision 5 on (reserved before). */
static void add_cpu(const struct parser *ps, const struct entry *e, uint32_t apic_id,
		    uint32_t uid, uint32_t flags)
{
	struct acpi_info *info = ps->info;
	bool x2 = e->type == MADT_X2APIC, en = flags & LAPIC_ENABLED;
	bool oc = !en && (flags & LAPIC_ONLINE_CAPABLE) &&
		  info->madt_revision >= MADT_REV_ONLINE_CAPABLE;
	struct acpi_cpu *c;

	if (!en && !oc)
		return; /* unusable: firmware placeholder */
	if (apic_id == (x2 ? 0xffffffffu : 0xffu)) {
		entry_drop(ps, e, "has the broadcast APIC id");
		return;
	}
	c = find_cpu(info, apic_id);
	if (c && c->x2apic == x2) {
		entry_drop(ps, e, "repeats an APIC id of an earlier entry");
		return;
	}
	if (c) {
		c->enabled |= en;
		c->online_capable = !c->enabled && (c->online_capable || oc);
		return;
	}
	if (info->cpu_count == ACPI_MAX_CPUS) {
		entry_over_limit(ps, e, "CPUs", ACPI_MAX_CPUS);
		return;
	}
	info->cpus[info->cpu_count++] = (struct acpi_cpu){ apic_id, uid, en, oc, x2 };
}

static void madt_lapic(const struct parser *ps, const struct entry *e)
{
	add_cpu(ps, e, e->p[3], e->p[2], rd32(e->p + 4));
}

static void madt_x2apic(const struct parser *ps, const struct entry *e)
{
	add_cpu(ps, e, rd32(e->p + 4), rd32(e->p + 12), rd32(e->p + 8));
}

/* Every I/O APIC is kept with its GSI base; one repeating the address or
 * GSI base of an earlier one cannot be told apart from it and is left out.
 * A repeated id alone only warns: the id is a label, the address decides. */
static void madt_ioapic(const struct parser *ps, const struct entry *e)
{
	struct acpi_info *info = ps->info;
	struct acpi_ioapic io = { e->p[2], rd32(e->p + 4), rd32(e->p + 8) };
	bool same_id = false;

	if (io.addr == 0) {
		entry_drop(ps, e, "has I/O APIC address 0");
		return;
	}
	for (uint32_t i = 0; i < info->ioapic_count; i++) {
		if (info->ioapics[i].addr == io.addr) {
			entry_drop(ps, e, "repeats the address of an earlier I/O APIC");
			return;
		}
		if (info->ioapics[i].gsi_base == io.gsi_base) {
			entry_drop(ps, e, "repeats the GSI base of an earlier I/O APIC");
			return;
		}
		same_id |= info->ioapics[i].id == io.id;
	}
	if (info->ioapic_count == ACPI_MAX_IOAPICS) {
		entry_over_limit(ps, e, "I/O APICs", ACPI_MAX_IOAPICS);
		return;
	}
	if (same_id)
		warnf(ps, "MADT entry type 1 at offset 0x%x repeats I/O APIC id %u (kept: its "
			  "address is its own)", e->off, io.id);
	info->ioapics[info->ioapic_count++] = io;
}

static void madt_override(const struct parser *ps, const struct entry *e)
{
	struct acpi_info *info = ps->info;
	struct acpi_override o = { e->p[2], e->p[3], rd32(e->p + 4), rd16(e->p + 8), { 0 } };

	if (o.bus != 0 || o.irq > 15) {
		entry_drop(ps, e, "is not for an ISA IRQ (bus 0, IRQ 0..15)");
		return;
	}
	for (uint32_t i = 0; i < info->override_count; i++)
		if (info->overrides[i].irq == o.irq) {
			entry_drop(ps, e, "repeats the IRQ of an earlier override");
			return;
		}
	/* Distinct ISA IRQs: at most ACPI_MAX_OVERRIDES, never past it. */
	decode_mode(ps, e, o.flags, &o.mode);
	info->overrides[info->override_count++] = o;
}

/* Types 4 and 10: LINTn of one core (or all) is an NMI. A LINT pin other
 * than 0 or 1 is uninitialised firmware memory (seen on real PCs): left out. */
static void madt_nmi(const struct parser *ps, const struct entry *e)
{
	struct acpi_info *info = ps->info;
	struct acpi_nmi n;

	if (e->type == MADT_LAPIC_NMI) {
		n.uid = e->p[2] == 0xff ? ACPI_NMI_ALL_CPUS : e->p[2];
		n.flags = rd16(e->p + 3);
		n.lint = e->p[5];
	} else {
		n.flags = rd16(e->p + 2);
		n.uid = rd32(e->p + 4);
		n.lint = e->p[8];
	}
	if (n.lint > 1) {
		entry_drop(ps, e, "names a LINT pin other than 0 or 1");
		return;
	}
	if (info->nmi_count == ACPI_MAX_NMIS) {
		entry_over_limit(ps, e, "local APIC NMIs", ACPI_MAX_NMIS);
		return;
	}
	decode_mode(ps, e, n.flags, &n.mode);
	info->nmis[info->nmi_count++] = n;
}

static void madt_lapic_addr(const struct parser *ps, const struct entry *e)
{
	uint64_t addr = rd64(e->p + 4);

	if (addr == 0 || (addr & 0xfff)) {
		entry_drop(ps, e, "has a local APIC address that is 0 or not page-aligned");
		return;
	}
	ps->info->lapic_addr = addr;
}

static void madt_entry(const struct parser *ps, const struct entry *e)
{
	switch (e->type) {
	case MADT_LAPIC: madt_lapic(ps, e); break;
	case MADT_IOAPIC: madt_ioapic(ps, e); break;
	case MADT_OVERRIDE: madt_override(ps, e); break;
	case MADT_LAPIC_NMI:
	case MADT_X2APIC_NMI: madt_nmi(ps, e); break;
	case MADT_LAPIC_ADDR: madt_lapic_addr(ps, e); break;
	case MADT_X2APIC: madt_x2apic(ps, e); break;
	default: break; /* unknown or unused types are skipped */
	}
}

/* Walk the variable-length entries after the MADT header. An entry too
 * short for its type is skipped; one whose length cannot be followed ends
 * the walk, keeping what came before. */
static void madt_entries(const struct parser *ps, const struct table *t)
{
	struct entry e;

	for (uint32_t off = MADT_HDR; off < t->len; off += e.len) {
		e = (struct entry){ t->p + off, off, t->p[off], 0 };
		if (t->len - off < 2) {
			warnf(ps, "MADT entry at offset 0x%x is cut off by the end of the "
				  "table: ignored", off);
			return;
		}
		e.len = t->p[off + 1];
		if (e.len < 2) {
			warnf(ps, "MADT entry type %u at offset 0x%x has length %u: the "
				  "rest of the MADT is ignored", e.type, off, e.len);
			return;
		}
		if (e.len > t->len - off) {
			warnf(ps, "MADT entry type %u at offset 0x%x is %u bytes, past the "
				  "table's end at 0x%x: ignored", e.type, off, e.len, t->len);
			return;
		}
		if (e.len < entry_min_len(e.type)) {
			entry_drop(ps, &e, "is too short for its type");
			continue;
		}
		madt_entry(ps, &e);
	}
}

/* Forget what an unusable MADT left behind. */
static void madt_clear(struct acpi_info *info)
{
	info->has_madt = false;
	info->madt_paddr = info->lapic_addr = 0;
	info->madt_revision = 0;
	info->pcat_compat = false;
	info->cpu_count = info->ioapic_count = info->override_count = info->nmi_count = 0;
	memset(&info->dropped, 0, sizeof(info->dropped));
}

static bool any_enabled_cpu(const struct acpi_info *info)
{
	for (uint32_t i = 0; i < info->cpu_count; i++)
		if (info->cpus[i].enabled)
			return true;
	return false;
}

/* Usable if it lists an enabled CPU; a bad local APIC address falls back to
 * the architectural one (the APIC base MSR has the last word anyway). */
static bool madt_parse(const struct parser *ps, const struct table *t)
{
	struct acpi_info *info = ps->info;

	if (t->len < MADT_HDR) {
		warnf(ps, "MADT at 0x%lx is %u bytes, needs %u: not used",
		      (unsigned long)t->paddr, t->len, MADT_HDR);
		return false;
	}
	info->madt_paddr = t->paddr;
	info->madt_revision = t->p[8];
	info->lapic_addr = rd32(t->p + 36);
	info->pcat_compat = rd32(t->p + 40) & MADT_PCAT_COMPAT;
	madt_entries(ps, t);
	if (info->lapic_addr == 0 || (info->lapic_addr & 0xfff)) {
		warnf(ps, "MADT local APIC address 0x%lx is 0 or not page-aligned: using 0x%x",
		      (unsigned long)info->lapic_addr, ACPI_LAPIC_DEFAULT);
		info->lapic_addr = ACPI_LAPIC_DEFAULT;
	}
	if (any_enabled_cpu(info))
		return info->has_madt = true;
	warnf(ps, "MADT at 0x%lx lists no enabled CPU: not used", (unsigned long)t->paddr);
	madt_clear(info);
	return false;
}

/* The DSDT's \_S5, if the DSDT can be read and has one. */
static void dsdt_scan(const struct parser *ps)
{
	struct acpi_info *info = ps->info;
	struct table t;
	const char *err = table_get(ps, info->dsdt_paddr, "DSDT", &t);

	if (err) {
		warn_msg(ps, err);
		return;
	}
	info->has_s5 = acpi_aml_find_s5(t.p + SDT_HDR, t.len - SDT_HDR, &info->s5_typa,
					&info->s5_typb);
	if (!info->has_s5)
		warnf(ps, "DSDT at 0x%lx has no usable \\_S5 package: no ACPI power-off",
		      (unsigned long)info->dsdt_paddr);
}

/* --- timer sources: FADT PM timer, HPET table --- */

#define FADT_PM_TMR_BLK 76
#define FADT_PM_TMR_LEN 91
#define FADT_FLAGS 112
#define FADT_TMR_VAL_EXT (1u << 8)
#define FADT_HW_REDUCED (1u << 20)
#define FADT_X_PM_TMR_BLK 208 /* a GAS; the FADT is then at least 220 bytes */
#define HPET_LEN 56
#define HPET_BLOCK_ID 36
#define HPET_BASE_GAS 40 /* address space id; the address at +4 */
#define HPET_NUMBER 52
#define HPET_MIN_TICK 53
#define GAS_SYSTEM_MEMORY 0

/* The PM timer's I/O port: X_PM_TMR_BLK if it is in system I/O space and
 * non-zero, else PM_TMR_BLK (which then needs PM_TMR_LEN 4). A
 * hardware-reduced platform has none. */
static void fadt_pm_timer(struct acpi_info *info, const struct table *t)
{
	uint32_t flags = rd32(t->p + FADT_FLAGS);
	uint64_t port = rd32(t->p + FADT_PM_TMR_BLK);

	if (port && t->p[FADT_PM_TMR_LEN] != 4)
		port = 0;
	if (t->len >= FADT_X_PM_TMR_BLK + 12 && t->p[FADT_X_PM_TMR_BLK] == GAS_SYSTEM_IO &&
	    rd64(t->p + FADT_X_PM_TMR_BLK + 4))
		port = rd64(t->p + FADT_X_PM_TMR_BLK + 4);
	if ((flags & FADT_HW_REDUCED) || port == 0 || port > 0xfffc) {
		info->pm_timer.rejected = port > 0xfffc && !(flags & FADT_HW_REDUCED);
		return;
	}
	info->pm_timer = (struct acpi_pm_timer){ (uint16_t)port, flags & FADT_TMR_VAL_EXT ? 32 : 24,
						 false };
}

/* The first HPET table whose length, checksum and base (system memory,
 * non-zero, 1 KiB aligned) are right; any other is skipped and marked. */
static void hpet_table(const struct parser *ps, paddr_t paddr, const uint8_t *hdr)
{
	struct acpi_info *info = ps->info;
	struct table t;
	uint64_t base;

	if (info->hpet.base)
		return; /* the first one is used */
	if (table_map(ps, paddr, hdr, &t) || t.len < HPET_LEN) {
		info->hpet.rejected = true;
		return;
	}
	base = rd64(t.p + HPET_BASE_GAS + 4);
	if (t.p[HPET_BASE_GAS] != GAS_SYSTEM_MEMORY || base == 0 || (base & 0x3ff)) {
		info->hpet.rejected = true;
		return;
	}
	info->hpet = (struct acpi_hpet){ base, rd32(t.p + HPET_BLOCK_ID), t.p[HPET_NUMBER],
					 rd16(t.p + HPET_MIN_TICK), false };
}

/* --- FADT --- */

static struct acpi_gas gas_read(const uint8_t *p)
{
	return (struct acpi_gas){ p[0], p[1], p[2], p[3], rd64(p + 4) };
}

/* A PM1 control block's port: X_PM1x_CNT_BLK (ACPI 2.0+) if it is given in
 * System I/O space, else the 32-bit PM1x_CNT_BLK. */
static uint32_t fadt_pm1_port(const struct table *t, uint32_t legacy_off, uint32_t x_off)
{
	if (t->len >= x_off + GAS_LEN) {
		struct acpi_gas g = gas_read(t->p + x_off);

		if (g.space == ACPI_GAS_IO && g.addr && g.addr <= 0xffff)
			return (uint32_t)g.addr;
	}
	return rd32(t->p + legacy_off) <= 0xffff ? rd32(t->p + legacy_off) : 0;
}

/* RESET_REG, RESET_VALUE and the flag (a revision 2+ FADT is long enough). */
static void fadt_reset(struct acpi_info *info, const struct table *t)
{
	if (t->len < FADT_RESET_VALUE + 1)
		return;
	info->reset_supported = info->fadt_flags & FADT_RESET_REG_SUP;
	info->reset_reg = gas_read(t->p + FADT_RESET_REG);
	info->reset_value = t->p[FADT_RESET_VALUE];
}

static void fadt_sleep_control(struct acpi_info *info, const struct table *t)
{
	if (t->len >= FADT_SLEEP_CONTROL + GAS_LEN)
		info->sleep_control = gas_read(t->p + FADT_SLEEP_CONTROL);
}

static bool fadt_parse(const struct parser *ps, const struct table *t)
{
	struct acpi_info *info = ps->info;
	uint64_t x_dsdt = 0;

	if (t->len < FADT_MIN) {
		warnf(ps, "FADT at 0x%lx is %u bytes, needs %u: not used",
		      (unsigned long)t->paddr, t->len, FADT_MIN);
		return false;
	}
	info->has_fadt = true;
	info->fadt_revision = t->p[8];
	info->fadt_flags = rd32(t->p + FADT_FLAGS);
	info->hw_reduced = info->fadt_flags & FADT_HW_REDUCED;
	info->sci_irq = rd16(t->p + FADT_SCI_INT);
	if (t->len >= FADT_X_DSDT + 8)
		x_dsdt = rd64(t->p + FADT_X_DSDT);
	info->dsdt_paddr = x_dsdt ? x_dsdt : rd32(t->p + FADT_DSDT);
	info->pm1a_cnt_port = fadt_pm1_port(t, FADT_PM1A_CNT, FADT_X_PM1A_CNT);
	info->pm1b_cnt_port = fadt_pm1_port(t, FADT_PM1B_CNT, FADT_X_PM1B_CNT);
	fadt_reset(info, t);
	fadt_sleep_control(info, t);
	fadt_pm_timer(info, t);
	return true;
}

/* --- root table --- */

/* One root-table entry: parse it if it is the first usable MADT or FADT;
 * other tables are not looked at; unmappable, broken or repeated MADTs and
 * FADTs are skipped with a warning. */
static void root_entry(const struct parser *ps, paddr_t paddr)
{
	const uint8_t *hdr = map_range(ps, paddr, SDT_HDR);
	struct acpi_info *info = ps->info;
	struct table t;
	bool madt, fadt;
	const char *err;

	if (!hdr) {
		warnf(ps, "table at 0x%lx cannot be mapped: skipped", (unsigned long)paddr);
		return;
	}
	if (memcmp(hdr, "HPET", 4) == 0) {
		hpet_table(ps, paddr, hdr);
		return;
	}
	madt = memcmp(hdr, "APIC", 4) == 0;
	fadt = memcmp(hdr, "FACP", 4) == 0;
	if (!madt && !fadt)
		return;
	if ((madt && info->has_madt) || (fadt && info->has_fadt)) {
		warnf(ps, "a second %s at 0x%lx: skipped", madt ? "MADT" : "FADT",
		      (unsigned long)paddr);
		return;
	}
	if ((err = table_map(ps, paddr, hdr, &t))) {
		warn_msg(ps, err);
		return;
	}
	if (madt)
		madt_parse(ps, &t);
	else if (fadt_parse(ps, &t) && info->dsdt_paddr)
		dsdt_scan(ps);
}

static void root_walk(const struct parser *ps, const struct table *root)
{
	struct acpi_info *info = ps->info;
	uint32_t esize = info->xsdt ? 8 : 4, body = root->len - SDT_HDR;
	const char *name = info->xsdt ? "XSDT" : "RSDT";

	if (body % esize)
		warnf(ps, "%s at 0x%lx has length %u, not 36 + a multiple of %u: the last "
			  "%u bytes are ignored", name, (unsigned long)root->paddr, root->len,
		      esize, body % esize);
	for (uint32_t off = SDT_HDR; off + esize <= root->len; off += esize) {
		const uint8_t *q = root->p + off;
		paddr_t paddr = esize == 8 ? rd64(q) : rd32(q);

		if ((off - SDT_HDR) / esize == ACPI_MAX_ROOT_ENTRIES) {
			warnf(ps, "%s has more than %u entries: the rest are ignored", name,
			      ACPI_MAX_ROOT_ENTRIES);
			break;
		}
		if (paddr == 0)
			warnf(ps, "%s entry %u is 0: skipped", name, (off - SDT_HDR) / esize);
		else
			root_entry(ps, paddr);
	}
	if (!info->has_madt)
		warnf(ps, "no usable MADT (\"APIC\" table) in the %s", name);
	if (!info->has_fadt)
		warnf(ps, "no usable FADT (\"FACP\" table) in the %s", name);
}

/* The XSDT if the RSDP gives one and it can be read, else the RSDT. */
static const char *root_open(const struct parser *ps, const uint8_t *rsdp, struct table *root)
{
	struct acpi_info *info = ps->info;
	uint64_t xsdt = info->revision >= 2 ? rd64(rsdp + 24) : 0;
	uint32_t rsdt = rd32(rsdp + 16);
	const char *err;

	if (xsdt) {
		info->xsdt = true;
		info->root_paddr = xsdt;
		if (!(err = table_get(ps, xsdt, "XSDT", root)))
			return NULL;
		if (!rsdt)
			return err;
		warnf(ps, "%s; using the RSDT", err + 6);
	}
	info->xsdt = false;
	info->root_paddr = rsdt;
	if (rsdt == 0)
		return errorf("RSDP gives no RSDT or XSDT address");
	return table_get(ps, rsdt, "RSDT", root);
}

static const char *parse(const struct parser *ps, const uint8_t *rsdp, size_t rsdp_len)
{
	struct table root;
	const char *err;

	if ((err = acpi_check_rsdp(rsdp, rsdp_len)))
		return err;
	ps->info->revision = rsdp[15];
	if ((err = root_open(ps, rsdp, &root)))
		return err;
	root_walk(ps, &root);
	return NULL;
}

const char *acpi_parse_warn(const void *rsdp, size_t rsdp_len, acpi_map_fn map,
			    acpi_warn_fn warn, void *ctx, struct acpi_info *info)
{
	struct parser ps = { map, warn, ctx, info };
	const char *err;

	memset(info, 0, sizeof(*info));
	err = parse(&ps, rsdp, rsdp_len);
	if (err)
		memset(info, 0, sizeof(*info));
	return err;
}

const char *acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_info *info)
{
	return acpi_parse_warn(rsdp, rsdp_len, map, NULL, ctx, info);
}

uint32_t acpi_isa_irq(const struct acpi_info *info, uint8_t irq, struct acpi_irq_mode *mode)
{
	for (uint32_t i = 0; i < info->override_count; i++) {
		const struct acpi_override *o = &info->overrides[i];

		if (o->bus == 0 && o->irq == irq) {
			*mode = o->mode;
			return o->gsi;
		}
	}
	*mode = (struct acpi_irq_mode){ false, false };
	return irq;
}
