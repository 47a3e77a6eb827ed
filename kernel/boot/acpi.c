/*
 * ACPI tables -> struct acpi_info. Boot-only, single-threaded.
 * Every table is mapped through the caller's map function, its length
 * bounded and its checksum checked before any field is read; every read is
 * within the length that was mapped. Anything malformed in the tables used
 * (RSDP, RSDT/XSDT, MADT, FADT) is rejected with a message naming it.
 */
#include "acpi.h"
#include "kstring.h"
#include "unaligned.h"

#define SDT_HDR 36     /* signature, length, revision, checksum, OEM ids... */
#define MADT_HDR 44    /* SDT header, local APIC address, flags */
#define MADT_PCAT_COMPAT 1u
#define FADT_MIN 116   /* the ACPI 1.0 FADT, up to and including Flags */
#define FADT_DSDT 40
#define FADT_SCI_INT 46
#define FADT_PM1A_CNT 64
#define FADT_X_DSDT 140
#define FADT_X_PM1A_CNT 172 /* a 12-byte Generic Address Structure */
#define GAS_SYSTEM_IO 1

#define LAPIC_ENABLED 1u
#define LAPIC_ONLINE_CAPABLE 2u

enum madt_type {
	MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_OVERRIDE = 2, MADT_LAPIC_NMI = 4,
	MADT_LAPIC_ADDR = 5, MADT_X2APIC = 9, MADT_X2APIC_NMI = 10,
};

/* A table mapped whole, its header and checksum checked. */
struct table {
	const uint8_t *p;
	uint32_t len;
	paddr_t paddr;
};

struct parser {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *info;
	bool have_madt;
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

/* --- error messages --- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_char(struct sbuf *b, char c)
{
	if (b->len + 1 < b->cap)
		b->s[b->len++] = c;
	b->s[b->len] = 0;
}

static void sb_str(struct sbuf *b, const char *s)
{
	while (*s)
		sb_char(b, *s++);
}

static void sb_num(struct sbuf *b, uint64_t v, unsigned radix)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % radix];
		v /= radix;
	} while (v);
	while (n > 0)
		sb_char(b, tmp[--n]);
}

/* Format "acpi: " + fmt into a static buffer: acpi_parse runs once, on one
 * CPU, and the caller prints the message before going on. Knows %s, %u,
 * %x (unsigned) and %lx (unsigned long). */
static const char *errorf(const char *fmt, ...) PRINTF_LIKE(1, 2);
static const char *errorf(const char *fmt, ...)
{
	static char msg[160];
	struct sbuf b = { msg, 0, sizeof(msg) };
	va_list ap;

	va_start(ap, fmt);
	sb_str(&b, "acpi: ");
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			sb_char(&b, *fmt);
		} else if (*++fmt == 's') {
			sb_str(&b, va_arg(ap, const char *));
		} else if (*fmt == 'u') {
			sb_num(&b, va_arg(ap, unsigned), 10);
		} else if (*fmt == 'x') {
			sb_num(&b, va_arg(ap, unsigned), 16);
		} else {
			fmt++; /* "lx" */
			sb_num(&b, va_arg(ap, unsigned long), 16);
		}
	}
	va_end(ap);
	return msg;
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

/* --- tables --- */

static const void *map_range(const struct parser *ps, paddr_t paddr, size_t len)
{
	if (paddr == 0 || paddr > UINT64_MAX - len)
		return NULL;
	return ps->map(ps->ctx, paddr, len);
}

/* Map the table at `paddr` whole and check its length and checksum; `hdr`
 * is its already-mapped header. */
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
		return errorf("%s at 0x%lx has a wrong checksum", name, (unsigned long)paddr);
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

static const char *entry_error(const struct entry *e, const char *what)
{
	return errorf("MADT entry type %u at offset 0x%x %s", e->type, e->off, what);
}

/* MPS INTI flags -> mode; "conforms" (0) means the ISA default. */
static const char *decode_mode(const struct entry *e, uint16_t flags, struct acpi_irq_mode *m)
{
	unsigned pol = flags & 3, trig = (flags >> 2) & 3;

	if (pol == 2)
		return entry_error(e, "has the reserved polarity 2");
	if (trig == 2)
		return entry_error(e, "has the reserved trigger mode 2");
	m->active_low = pol == 3;
	m->level = trig == 3;
	return NULL;
}

static struct acpi_cpu *find_cpu(struct acpi_info *info, uint32_t apic_id)
{
	for (uint32_t i = 0; i < info->cpu_count; i++)
		if (info->cpus[i].apic_id == apic_id)
			return &info->cpus[i];
	return NULL;
}

/* Record a core; an xAPIC and an x2APIC entry for one APIC id merge. */
static const char *add_cpu(struct acpi_info *info, const struct entry *e, uint32_t apic_id,
			   uint32_t uid, uint32_t flags)
{
	bool x2 = e->type == MADT_X2APIC, en = flags & LAPIC_ENABLED;
	bool oc = !en && (flags & LAPIC_ONLINE_CAPABLE);
	struct acpi_cpu *c;

	if (!en && !oc)
		return NULL; /* unusable: firmware placeholder */
	if (apic_id == (x2 ? 0xffffffffu : 0xffu))
		return entry_error(e, "has the broadcast APIC id");
	c = find_cpu(info, apic_id);
	if (c && c->x2apic == x2)
		return entry_error(e, "repeats an APIC id of an earlier entry");
	if (c) {
		c->enabled |= en;
		c->online_capable = !c->enabled && (c->online_capable || oc);
		return NULL;
	}
	if (info->cpu_count == ACPI_MAX_CPUS)
		return errorf("MADT lists more than %u CPUs", ACPI_MAX_CPUS);
	info->cpus[info->cpu_count++] = (struct acpi_cpu){ apic_id, uid, en, oc, x2 };
	return NULL;
}

static const char *madt_lapic(struct acpi_info *info, const struct entry *e)
{
	return add_cpu(info, e, e->p[3], e->p[2], rd32(e->p + 4));
}

static const char *madt_x2apic(struct acpi_info *info, const struct entry *e)
{
	return add_cpu(info, e, rd32(e->p + 4), rd32(e->p + 12), rd32(e->p + 8));
}

static const char *madt_ioapic(struct acpi_info *info, const struct entry *e)
{
	struct acpi_ioapic io = { e->p[2], rd32(e->p + 4), rd32(e->p + 8) };

	for (uint32_t i = 0; i < info->ioapic_count; i++)
		if (info->ioapics[i].id == io.id || info->ioapics[i].addr == io.addr)
			return entry_error(e, "repeats the id or address of an earlier I/O APIC");
	if (io.addr == 0)
		return entry_error(e, "has I/O APIC address 0");
	if (info->ioapic_count == ACPI_MAX_IOAPICS)
		return errorf("MADT lists more than %u I/O APICs", ACPI_MAX_IOAPICS);
	info->ioapics[info->ioapic_count++] = io;
	return NULL;
}

static const char *madt_override(struct acpi_info *info, const struct entry *e)
{
	struct acpi_override o = { e->p[2], e->p[3], rd32(e->p + 4), rd16(e->p + 8), { 0 } };
	const char *err = decode_mode(e, o.flags, &o.mode);

	if (err)
		return err;
	if (o.bus != 0 || o.irq > 15)
		return entry_error(e, "is not for an ISA IRQ (bus 0, IRQ 0..15)");
	for (uint32_t i = 0; i < info->override_count; i++)
		if (info->overrides[i].irq == o.irq)
			return entry_error(e, "repeats the IRQ of an earlier override");
	if (info->override_count == ACPI_MAX_OVERRIDES)
		return errorf("MADT lists more than %u interrupt overrides", ACPI_MAX_OVERRIDES);
	info->overrides[info->override_count++] = o;
	return NULL;
}

/* Types 4 and 10: LINTn of one core (or all) is an NMI. */
static const char *madt_nmi(struct acpi_info *info, const struct entry *e)
{
	struct acpi_nmi n;
	const char *err;

	if (e->type == MADT_LAPIC_NMI) {
		n.uid = e->p[2] == 0xff ? ACPI_NMI_ALL_CPUS : e->p[2];
		n.flags = rd16(e->p + 3);
		n.lint = e->p[5];
	} else {
		n.flags = rd16(e->p + 2);
		n.uid = rd32(e->p + 4);
		n.lint = e->p[8];
	}
	if ((err = decode_mode(e, n.flags, &n.mode)))
		return err;
	if (n.lint > 1)
		return entry_error(e, "names a LINT pin other than 0 or 1");
	if (info->nmi_count == ACPI_MAX_NMIS)
		return errorf("MADT lists more than %u local APIC NMIs", ACPI_MAX_NMIS);
	info->nmis[info->nmi_count++] = n;
	return NULL;
}

static const char *madt_lapic_addr(struct acpi_info *info, const struct entry *e)
{
	uint64_t addr = rd64(e->p + 4);

	if (addr == 0 || (addr & 0xfff))
		return entry_error(e, "has a local APIC address that is 0 or not page-aligned");
	info->lapic_addr = addr;
	return NULL;
}

static const char *madt_entry(struct acpi_info *info, const struct entry *e)
{
	switch (e->type) {
	case MADT_LAPIC: return madt_lapic(info, e);
	case MADT_IOAPIC: return madt_ioapic(info, e);
	case MADT_OVERRIDE: return madt_override(info, e);
	case MADT_LAPIC_NMI:
	case MADT_X2APIC_NMI: return madt_nmi(info, e);
	case MADT_LAPIC_ADDR: return madt_lapic_addr(info, e);
	case MADT_X2APIC: return madt_x2apic(info, e);
	default: return NULL; /* unknown or unused types are skipped */
	}
}

/* Walk the variable-length entries after the MADT header. */
static const char *madt_entries(struct acpi_info *info, const struct table *t)
{
	struct entry e;
	const char *err;

	for (uint32_t off = MADT_HDR; off < t->len; off += e.len) {
		e = (struct entry){ t->p + off, off, t->p[off], 0 };
		if (t->len - off < 2)
			return entry_error(&e, "is cut off by the end of the table");
		e.len = t->p[off + 1];
		if (e.len < entry_min_len(e.type))
			return errorf("MADT entry type %u at offset 0x%x is %u bytes, needs %u",
				      e.type, off, e.len, entry_min_len(e.type));
		if (e.len > t->len - off)
			return errorf("MADT entry type %u at offset 0x%x is %u bytes, past the "
				      "table's end at 0x%x", e.type, off, e.len, t->len);
		if ((err = madt_entry(info, &e)))
			return err;
	}
	return NULL;
}

static const char *madt_parse(struct acpi_info *info, const struct table *t)
{
	const char *err;

	if (t->len < MADT_HDR)
		return errorf("MADT is %u bytes, needs %u", t->len, MADT_HDR);
	info->lapic_addr = rd32(t->p + 36);
	info->pcat_compat = rd32(t->p + 40) & MADT_PCAT_COMPAT;
	if ((err = madt_entries(info, t)))
		return err;
	if (info->lapic_addr == 0 || (info->lapic_addr & 0xfff))
		return errorf("MADT local APIC address 0x%lx is 0 or not page-aligned",
			      (unsigned long)info->lapic_addr);
	for (uint32_t i = 0; i < info->cpu_count; i++)
		if (info->cpus[i].enabled)
			return NULL;
	return errorf("MADT lists no enabled CPU");
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
static void hpet_table(struct parser *ps, paddr_t paddr, const uint8_t *hdr)
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

static const char *fadt_parse(struct acpi_info *info, const struct table *t)
{
	uint64_t x_dsdt = 0, x_pm1a = 0;

	if (t->len < FADT_MIN)
		return errorf("FADT is %u bytes, needs %u", t->len, FADT_MIN);
	info->has_fadt = true;
	info->fadt_revision = t->p[8];
	info->sci_irq = rd16(t->p + FADT_SCI_INT);
	info->pm1a_cnt_port = rd32(t->p + FADT_PM1A_CNT);
	if (t->len >= FADT_X_DSDT + 8)
		x_dsdt = rd64(t->p + FADT_X_DSDT);
	info->dsdt_paddr = x_dsdt ? x_dsdt : rd32(t->p + FADT_DSDT);
	if (t->len >= FADT_X_PM1A_CNT + 12 && t->p[FADT_X_PM1A_CNT] == GAS_SYSTEM_IO)
		x_pm1a = rd64(t->p + FADT_X_PM1A_CNT + 4);
	if (info->pm1a_cnt_port == 0 && x_pm1a && x_pm1a <= 0xffff)
		info->pm1a_cnt_port = (uint32_t)x_pm1a;
	fadt_pm_timer(info, t);
	return NULL;
}

/* --- root table --- */

/* One root-table entry: parse it if it is the first MADT or FADT; other
 * tables, and unmappable or repeated ones, are skipped with a warning. */
static const char *root_entry(struct parser *ps, paddr_t paddr)
{
	const uint8_t *hdr = map_range(ps, paddr, SDT_HDR);
	struct table t;
	bool madt, fadt;
	const char *err;

	if (!hdr) {
		ps->info->warnings++;
		return NULL;
	}
	if (memcmp(hdr, "HPET", 4) == 0) {
		hpet_table(ps, paddr, hdr);
		return NULL;
	}
	madt = memcmp(hdr, "APIC", 4) == 0;
	fadt = memcmp(hdr, "FACP", 4) == 0;
	if ((madt && ps->have_madt) || (fadt && ps->info->has_fadt)) {
		ps->info->warnings++;
		return NULL;
	}
	if (!madt && !fadt)
		return NULL;
	if ((err = table_map(ps, paddr, hdr, &t)))
		return err;
	if (fadt)
		return fadt_parse(ps->info, &t);
	ps->have_madt = true;
	ps->info->madt_paddr = paddr;
	return madt_parse(ps->info, &t);
}

static const char *root_walk(struct parser *ps, const struct table *root)
{
	uint32_t esize = ps->info->xsdt ? 8 : 4, body = root->len - SDT_HDR;
	const char *err;

	if (body % esize)
		return errorf("%s at 0x%lx has length %u, not 36 + a multiple of %u",
			      ps->info->xsdt ? "XSDT" : "RSDT", (unsigned long)root->paddr,
			      root->len, esize);
	for (uint32_t off = SDT_HDR; off < root->len; off += esize) {
		const uint8_t *q = root->p + off;
		paddr_t paddr = esize == 8 ? rd64(q) : rd32(q);

		if (paddr == 0)
			ps->info->warnings++;
		else if ((err = root_entry(ps, paddr)))
			return err;
	}
	if (!ps->have_madt)
		return errorf("no MADT (\"APIC\" table) in the %s",
			      ps->info->xsdt ? "XSDT" : "RSDT");
	return NULL;
}

static const char *parse(struct parser *ps, const uint8_t *rsdp, size_t rsdp_len)
{
	struct acpi_info *info = ps->info;
	struct table root;
	const char *err;
	uint64_t xsdt = 0;

	if ((err = acpi_check_rsdp(rsdp, rsdp_len)))
		return err;
	info->revision = rsdp[15];
	if (info->revision >= 2)
		xsdt = rd64(rsdp + 24);
	info->xsdt = xsdt != 0;
	info->root_paddr = xsdt ? xsdt : rd32(rsdp + 16);
	if (info->root_paddr == 0)
		return errorf("RSDP gives no RSDT or XSDT address");
	err = table_get(ps, info->root_paddr, xsdt ? "XSDT" : "RSDT", &root);
	return err ? err : root_walk(ps, &root);
}

const char *acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
		       struct acpi_info *info)
{
	struct parser ps = { map, ctx, info, false };
	const char *err;

	memset(info, 0, sizeof(*info));
	err = parse(&ps, rsdp, rsdp_len);
	if (err)
		memset(info, 0, sizeof(*info));
	return err;
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
