/*
 * Multiboot2 information → struct bootinfo. Every read is bounds-checked
 * against the tag list's declared size and the caller's limit; anything
 * malformed is rejected with a message naming the tag and offset.
 */
#include "bootinfo.h"
#include "kstring.h"

enum {
	TAG_END = 0, TAG_CMDLINE = 1, TAG_LOADER = 2, TAG_MODULE = 3, TAG_BASIC_MEM = 4,
	TAG_MMAP = 6, TAG_FRAMEBUFFER = 8, TAG_EFI64 = 12, TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15, TAG_EFI_MMAP = 17,
};

struct parser {
	const uint8_t *base;
	uint32_t size;       /* total_size, already checked against avail */
	struct bootinfo *bi;
	const char *err;
};

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t rd64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* Copy a NUL-terminated string lying in [s, s+max) into dst (cap bytes).
 * Returns -1 if unterminated, 1 if truncated, 0 if whole. */
static int copy_str(char *dst, size_t cap, const uint8_t *s, size_t max)
{
	size_t n = strnlen((const char *)s, max);

	if (n == max)
		return -1;
	if (n >= cap) {
		memcpy(dst, s, cap - 1);
		dst[cap - 1] = 0;
		return 1;
	}
	memcpy(dst, s, n + 1);
	return 0;
}

static const char *tag_cmdline(struct parser *p, const uint8_t *t, uint32_t sz)
{
	int r = copy_str(p->bi->cmdline, BI_CMDLINE_MAX, t + 8, sz - 8);

	if (r < 0)
		return "multiboot2: command line is not NUL-terminated";
	if (r > 0)
		return "multiboot2: command line longer than 511 bytes";
	p->bi->has_cmdline = true;
	return NULL;
}

static const char *tag_loader(struct parser *p, const uint8_t *t, uint32_t sz)
{
	int r = copy_str(p->bi->loader, BI_NAME_MAX, t + 8, sz - 8);

	if (r < 0)
		return "multiboot2: boot loader name is not NUL-terminated";
	if (r > 0)
		p->bi->warnings++;
	return NULL;
}

static const char *tag_module(struct parser *p, const uint8_t *t, uint32_t sz)
{
	struct bi_module *m;
	int r;

	if (sz < 17)
		return "multiboot2: module tag too short";
	if (p->bi->module_count == BI_MAX_MODULES)
		return "multiboot2: more than 16 modules";
	m = &p->bi->modules[p->bi->module_count];
	m->start = rd32(t + 8);
	m->end = rd32(t + 12);
	if (m->end < m->start)
		return "multiboot2: module ends before it starts";
	r = copy_str(m->name, BI_NAME_MAX, t + 16, sz - 16);
	if (r < 0)
		return "multiboot2: module string is not NUL-terminated";
	if (r > 0)
		p->bi->warnings++;
	p->bi->module_count++;
	return NULL;
}

static const char *tag_basic_mem(struct parser *p, const uint8_t *t, uint32_t sz)
{
	if (sz < 16)
		return "multiboot2: basic memory tag too short";
	p->bi->has_basic_mem = true;
	p->bi->mem_lower_kb = rd32(t + 8);
	p->bi->mem_upper_kb = rd32(t + 12);
	return NULL;
}

/* Insert keeping the array sorted by base. */
static void mem_insert(struct bootinfo *bi, struct bi_mem_region r)
{
	uint32_t i = bi->mem_count;

	while (i > 0 && bi->mem[i - 1].base > r.base) {
		bi->mem[i] = bi->mem[i - 1];
		i--;
	}
	bi->mem[i] = r;
	bi->mem_count++;
}

static const char *tag_mmap(struct parser *p, const uint8_t *t, uint32_t sz)
{
	uint32_t esz, off;

	if (sz < 16)
		return "multiboot2: memory map tag too short";
	esz = rd32(t + 8);
	if (esz < 24 || esz % 8)
		return "multiboot2: memory map entry size is not a multiple of 8 of at least 24";
	if (p->bi->mem_count)
		return "multiboot2: more than one memory map tag";
	for (off = 16; off + esz <= sz; off += esz) {
		struct bi_mem_region r = { rd64(t + off), rd64(t + off + 8), rd32(t + off + 16) };
		if (r.len == 0)
			continue;
		if (r.base + r.len < r.base)
			return "multiboot2: memory map region wraps around the address space";
		if (r.type < BI_MEM_AVAILABLE || r.type > BI_MEM_BAD)
			r.type = BI_MEM_RESERVED;
		if (p->bi->mem_count == BI_MAX_MEM)
			return "multiboot2: more than 128 memory map regions";
		mem_insert(p->bi, r);
	}
	if (off != sz)
		p->bi->warnings++; /* trailing bytes shorter than one entry */
	if (p->bi->mem_count == 0)
		return "multiboot2: memory map has no regions";
	return NULL;
}

static bool fb_sane(const struct bi_framebuffer *f)
{
	if (f->type == BI_FB_EGA_TEXT)
		return f->width && f->height && f->pitch >= f->width * 2;
	if (f->bpp == 0 || f->width == 0 || f->height == 0)
		return false;
	if ((uint64_t)f->pitch < ((uint64_t)f->width * f->bpp + 7) / 8)
		return false;
	return f->addr + (uint64_t)f->pitch * f->height > f->addr;
}

static const char *tag_framebuffer(struct parser *p, const uint8_t *t, uint32_t sz)
{
	struct bi_framebuffer f = { 0 };

	if (sz < 31)
		return "multiboot2: framebuffer tag too short";
	f.addr = rd64(t + 8);
	f.pitch = rd32(t + 16);
	f.width = rd32(t + 20);
	f.height = rd32(t + 24);
	f.bpp = t[28];
	f.type = t[29];
	if (f.type == BI_FB_RGB) {
		if (sz < 38)
			return "multiboot2: RGB framebuffer tag too short";
		f.red_pos = t[31], f.red_size = t[32], f.green_pos = t[33];
		f.green_size = t[34], f.blue_pos = t[35], f.blue_size = t[36];
	}
	if (f.type > BI_FB_INDEXED || !fb_sane(&f)) {
		p->bi->warnings++; /* unusable: treat as absent */
		return NULL;
	}
	p->bi->fb = f;
	return NULL;
}

static const char *tag_rsdp(struct parser *p, const uint8_t *t, uint32_t sz, uint8_t rev)
{
	uint32_t len = sz - 8;

	if (len < 20)
		return "multiboot2: ACPI RSDP tag too short";
	if (rev < p->bi->rsdp_revision)
		return NULL; /* the new RSDP wins over the old */
	if (len > sizeof(p->bi->rsdp))
		len = sizeof(p->bi->rsdp);
	memcpy(p->bi->rsdp, t + 8, len);
	p->bi->rsdp_len = len;
	p->bi->rsdp_revision = rev;
	return NULL;
}

static const char *tag_efi_mmap(struct parser *p, const uint8_t *t, uint32_t sz, uint32_t off)
{
	uint32_t dsz;

	if (sz < 16)
		return "multiboot2: EFI memory map tag too short";
	dsz = rd32(t + 8);
	if (dsz < 40)
		return "multiboot2: EFI memory descriptor size below 40";
	p->bi->has_efi_mmap = true;
	p->bi->efi_desc_size = dsz;
	p->bi->efi_desc_version = rd32(t + 12);
	p->bi->efi_desc_count = (sz - 16) / dsz;
	p->bi->efi_mmap_paddr = p->bi->mb2_paddr + off + 16;
	return NULL;
}

static const char *parse_tag(struct parser *p, uint32_t off, uint32_t type, uint32_t sz)
{
	const uint8_t *t = p->base + off;

	switch (type) {
	case TAG_CMDLINE: return tag_cmdline(p, t, sz);
	case TAG_LOADER: return tag_loader(p, t, sz);
	case TAG_MODULE: return tag_module(p, t, sz);
	case TAG_BASIC_MEM: return tag_basic_mem(p, t, sz);
	case TAG_MMAP: return tag_mmap(p, t, sz);
	case TAG_FRAMEBUFFER: return tag_framebuffer(p, t, sz);
	case TAG_EFI64: p->bi->efi64 = true; return NULL;
	case TAG_ACPI_OLD: return tag_rsdp(p, t, sz, 1);
	case TAG_ACPI_NEW: return tag_rsdp(p, t, sz, 2);
	case TAG_EFI_MMAP: return tag_efi_mmap(p, t, sz, off);
	default: return NULL;
	}
}

static const char *walk_tags(struct parser *p)
{
	uint32_t off = 8;

	while (off + 8 <= p->size) {
		uint32_t type = rd32(p->base + off), sz = rd32(p->base + off + 4);
		const char *err;

		if (sz < 8 || sz > p->size - off)
			return "multiboot2: a tag's size runs outside the tag list";
		if (type == TAG_END)
			return sz == 8 ? NULL : "multiboot2: end tag has the wrong size";
		err = parse_tag(p, off, type, sz);
		if (err)
			return err;
		off += (sz + 7) & ~7u;
	}
	return "multiboot2: tag list has no end tag";
}

const char *mb2_parse(const void *mbi, size_t avail, paddr_t mbi_paddr, struct bootinfo *bi)
{
	struct parser p = { mbi, 0, bi, NULL };
	const char *err = NULL;

	memset(bi, 0, sizeof(*bi));
	if (!mbi || avail < 16)
		err = "multiboot2: no boot information";
	else if ((uintptr_t)mbi % 8)
		err = "multiboot2: boot information is not 8-byte aligned";
	else if ((p.size = rd32(p.base)) < 16 || p.size > BI_MB2_MAX_SIZE || p.size > avail)
		err = "multiboot2: total size out of range";
	if (!err) {
		bi->mb2_paddr = mbi_paddr;
		bi->mb2_size = p.size;
		err = walk_tags(&p);
	}
	if (!err && bi->mem_count == 0)
		err = "multiboot2: no memory map";
	if (err)
		memset(bi, 0, sizeof(*bi));
	return err;
}

const char *bi_mem_type_name(uint32_t type)
{
	static const char *const names[] = { "?", "available", "reserved", "ACPI reclaim", "ACPI NVS", "bad" };

	return type < ARRAY_SIZE(names) ? names[type] : "?";
}
