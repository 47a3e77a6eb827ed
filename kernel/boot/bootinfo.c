/*
 * Multiboot2 information -> struct bootinfo. Boot-only, single-threaded.
 * Every read is bounds-checked against the tag list's total_size, itself
 * checked against the caller's readable length; anything malformed is
 * rejected with a message naming the tag and its offset.
 */
#include "bootinfo.h"
#include "kstring.h"
#include "unaligned.h"

enum {
	TAG_END = 0, TAG_CMDLINE = 1, TAG_LOADER = 2, TAG_MODULE = 3, TAG_BASIC_MEM = 4,
	TAG_MMAP = 6, TAG_FRAMEBUFFER = 8, TAG_EFI64 = 12, TAG_ACPI_OLD = 14,
	TAG_ACPI_NEW = 15, TAG_EFI_MMAP = 17,
};

/* multiboot2 framebuffer_type values (not enum bi_fb_type). */
enum { MB2_FB_INDEXED = 0, MB2_FB_RGB = 1, MB2_FB_EGA_TEXT = 2 };

#define MB2_HDR 8        /* total_size, reserved */
#define TAG_HDR 8        /* type, size */
#define MMAP_ENTRY_MIN 24
#define FB_COMMON 32     /* up to and including the u16 reserved */
#define EFI_DESC_MIN 40  /* sizeof(EFI_MEMORY_DESCRIPTOR) */
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

_Static_assert(sizeof(((struct bootinfo *)0)->rsdp) == RSDP_V2_LEN, "RSDP copy size");

/* One tag being parsed: where it is and how big it says it is. */
struct tag {
	const uint8_t *p; /* start of the tag (its type field) */
	uint32_t off;     /* offset from the start of the information */
	uint32_t type, size;
};

struct parser {
	const uint8_t *base;
	uint32_t size; /* total_size, already checked against avail */
	paddr_t paddr;
	struct bootinfo *bi;
	bool seen_mmap;
	bool screen_only; /* mb2_parse_screen: the framebuffer and EFI tags only */
};

/* --- error messages: "multiboot2: tag T at offset 0xO <what>" --- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_str(struct sbuf *b, const char *s)
{
	while (*s && b->len + 1 < b->cap)
		b->s[b->len++] = *s++;
	b->s[b->len] = 0;
}

static void sb_num(struct sbuf *b, uint32_t v, unsigned radix)
{
	char tmp[12];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % radix];
		v /= radix;
	} while (v);
	while (n > 0 && b->len + 1 < b->cap)
		b->s[b->len++] = tmp[--n];
	b->s[b->len] = 0;
}

/* The message lives in a static buffer: mb2_parse runs once, on one CPU,
 * and the caller only prints it before panicking. */
static const char *tag_error(const struct tag *t, const char *what)
{
	static char msg[128]; /* boot core only, at boot */
	struct sbuf b = { msg, 0, sizeof(msg) };

	sb_str(&b, "multiboot2: tag ");
	sb_num(&b, t->type, 10);
	sb_str(&b, " at offset 0x");
	sb_num(&b, t->off, 16);
	sb_str(&b, " ");
	sb_str(&b, what);
	return msg;
}

/* --- strings --- */

/* Copy the NUL-terminated string in [s, s+max) into dst[cap].
 * Returns -1 if unterminated, 1 if truncated to fit, 0 if whole. */
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

static const char *tag_cmdline(struct parser *p, const struct tag *t)
{
	int r;

	if (t->size < TAG_HDR + 1)
		return tag_error(t, "is too short for a command line");
	r = copy_str(p->bi->cmdline, BI_CMDLINE_MAX, t->p + TAG_HDR, t->size - TAG_HDR);
	if (r < 0)
		return tag_error(t, "has a command line that is not NUL-terminated");
	if (r > 0)
		return tag_error(t, "has a command line longer than 511 bytes");
	p->bi->has_cmdline = true;
	return NULL;
}

static const char *tag_loader(struct parser *p, const struct tag *t)
{
	int r;

	if (t->size < TAG_HDR + 1)
		return tag_error(t, "is too short for a boot loader name");
	r = copy_str(p->bi->loader, BI_NAME_MAX, t->p + TAG_HDR, t->size - TAG_HDR);
	if (r < 0)
		return tag_error(t, "has a boot loader name that is not NUL-terminated");
	if (r > 0)
		p->bi->warnings++;
	return NULL;
}

/* Tag 3: u32 mod_start, u32 mod_end, string. */
static const char *tag_module(struct parser *p, const struct tag *t)
{
	struct bi_module *m;
	int r;

	if (t->size < TAG_HDR + 8 + 1)
		return tag_error(t, "is too short for a module");
	if (p->bi->module_count == BI_MAX_MODULES)
		return tag_error(t, "is one module too many (at most 16)");
	m = &p->bi->modules[p->bi->module_count];
	m->start = rd32(t->p + 8);
	m->end = rd32(t->p + 12);
	if (m->end < m->start)
		return tag_error(t, "has a module that ends before it starts");
	r = copy_str(m->name, BI_NAME_MAX, t->p + 16, t->size - 16);
	if (r < 0)
		return tag_error(t, "has a module string that is not NUL-terminated");
	if (r > 0)
		p->bi->warnings++; /* name truncated */
	p->bi->module_count++;
	return NULL;
}

static const char *tag_basic_mem(struct parser *p, const struct tag *t)
{
	if (t->size < TAG_HDR + 8)
		return tag_error(t, "is too short for basic memory information");
	p->bi->has_basic_mem = true;
	p->bi->mem_lower_kb = rd32(t->p + 8);
	p->bi->mem_upper_kb = rd32(t->p + 12);
	return NULL;
}

/* --- memory map --- */

/* Insert r keeping bi->mem sorted by base (stable for equal bases). */
static void mem_insert(struct bootinfo *bi, const struct bi_mem_region *r)
{
	uint32_t i = bi->mem_count;

	while (i > 0 && bi->mem[i - 1].base > r->base) {
		bi->mem[i] = bi->mem[i - 1];
		i--;
	}
	bi->mem[i] = *r;
	bi->mem_count++;
}

/* Index of the last available region, or -1. */
static int last_available(const struct bootinfo *bi)
{
	for (int i = (int)bi->mem_count - 1; i >= 0; i--)
		if (bi->mem[i].type == BI_MEM_AVAILABLE)
			return i;
	return -1;
}

/* The table is full: r or another region is dropped and counted. RAM goes
 * first: a lost available region only loses memory, a lost reservation
 * could hand firmware or device memory out as RAM. */
static void mem_overflow(struct bootinfo *bi, const struct bi_mem_region *r)
{
	int i = r->type == BI_MEM_AVAILABLE ? -1 : last_available(bi);

	bi->mem_dropped++;
	if (i < 0)
		return;
	memmove(&bi->mem[i], &bi->mem[i + 1], (bi->mem_count - (uint32_t)i - 1) * sizeof(bi->mem[0]));
	bi->mem_count--;
	mem_insert(bi, r);
}

static const char *mmap_entry(struct parser *p, const struct tag *t, const uint8_t *e)
{
	struct bi_mem_region r = { rd64(e), rd64(e + 8), rd32(e + 16) };

	if (r.len == 0)
		return NULL;
	if (r.len > UINT64_MAX - r.base)
		return tag_error(t, "has a memory region that wraps past 2^64");
	if (r.type < BI_MEM_AVAILABLE || r.type > BI_MEM_BAD)
		r.type = BI_MEM_RESERVED;
	if (p->bi->mem_count == BI_MAX_MEM)
		mem_overflow(p->bi, &r);
	else
		mem_insert(p->bi, &r);
	return NULL;
}

/* Tag 6: u32 entry_size, u32 entry_version, entries of entry_size bytes. */
static const char *tag_mmap(struct parser *p, const struct tag *t)
{
	uint32_t esz, off;
	const char *err;

	if (t->size < TAG_HDR + 8)
		return tag_error(t, "is too short for a memory map");
	if (p->seen_mmap)
		return tag_error(t, "is a second memory map");
	p->seen_mmap = true;
	esz = rd32(t->p + 8);
	if (esz < MMAP_ENTRY_MIN || esz % 8)
		return tag_error(t, "has a memory map entry size below 24 or not a multiple of 8");
	for (off = 16; t->size - off >= esz; off += esz) {
		err = mmap_entry(p, t, t->p + off);
		if (err)
			return err;
	}
	if (off != t->size)
		p->bi->warnings++; /* trailing bytes shorter than an entry */
	return NULL;
}

/* --- framebuffer --- */

/* Is f usable? Unusable framebuffers are dropped with a warning. */
static bool fb_usable(const struct bi_framebuffer *f)
{
	uint64_t min_pitch = ((uint64_t)f->width * f->bpp + 7) / 8;

	if (f->bpp == 0 || f->width == 0 || f->height == 0)
		return false;
	if (f->type == BI_FB_EGA_TEXT)
		min_pitch = (uint64_t)f->width * 2;
	if (f->pitch < min_pitch)
		return false;
	return (uint64_t)f->pitch * f->height <= UINT64_MAX - f->addr;
}

static void fb_rgb_fields(struct bi_framebuffer *f, const uint8_t *c)
{
	f->red_pos = c[0];
	f->red_size = c[1];
	f->green_pos = c[2];
	f->green_size = c[3];
	f->blue_pos = c[4];
	f->blue_size = c[5];
}

/* Check the type-specific colour information; set f->type. */
static const char *fb_color_info(struct parser *p, const struct tag *t, struct bi_framebuffer *f)
{
	uint8_t mb2_type = t->p[29];
	uint32_t room = t->size - FB_COMMON;

	if (mb2_type == MB2_FB_INDEXED) {
		if (room < 2 || (room - 2) / 3 < (uint32_t)(t->p[32] | t->p[33] << 8))
			return tag_error(t, "is too short for its palette");
		f->type = BI_FB_INDEXED;
	} else if (mb2_type == MB2_FB_RGB) {
		if (room < 6)
			return tag_error(t, "is too short for RGB colour information");
		fb_rgb_fields(f, t->p + FB_COMMON);
		f->type = BI_FB_RGB;
	} else if (mb2_type == MB2_FB_EGA_TEXT) {
		f->type = BI_FB_EGA_TEXT;
	} else {
		p->bi->warnings++; /* unknown framebuffer type: treat as absent */
	}
	return NULL;
}

/* Tag 8: u64 addr, u32 pitch, width, height, u8 bpp, u8 type, u16 reserved,
 * colour information. */
static const char *tag_framebuffer(struct parser *p, const struct tag *t)
{
	struct bi_framebuffer f = { 0 };
	const char *err;

	if (t->size < FB_COMMON)
		return tag_error(t, "is too short for a framebuffer");
	f.addr = rd64(t->p + 8);
	f.pitch = rd32(t->p + 16);
	f.width = rd32(t->p + 20);
	f.height = rd32(t->p + 24);
	f.bpp = t->p[28];
	err = fb_color_info(p, t, &f);
	if (err || f.type == BI_FB_NONE)
		return err;
	if (!fb_usable(&f)) {
		p->bi->warnings++; /* e.g. bpp 0 or pitch too small: treat as absent */
		return NULL;
	}
	p->bi->fb = f;
	return NULL;
}

/* --- firmware tables --- */

/* Tags 14 and 15: a copy of the RSDP. The ACPI 2.0 one wins over 1.0. */
static const char *tag_rsdp(struct parser *p, const struct tag *t, uint8_t rev)
{
	uint32_t need = rev == 1 ? RSDP_V1_LEN : RSDP_V2_LEN;

	if (t->size - TAG_HDR < need)
		return tag_error(t, "is too short for its ACPI RSDP");
	if (rev < p->bi->rsdp_revision)
		return NULL;
	memset(p->bi->rsdp, 0, sizeof(p->bi->rsdp));
	memcpy(p->bi->rsdp, t->p + TAG_HDR, need);
	p->bi->rsdp_len = need;
	p->bi->rsdp_revision = rev;
	return NULL;
}

static const char *tag_efi64(struct parser *p, const struct tag *t)
{
	if (t->size < TAG_HDR + 8)
		return tag_error(t, "is too short for an EFI system table pointer");
	p->bi->efi64 = true;
	return NULL;
}

/* Tag 17: u32 descriptor_size, u32 descriptor_version, descriptors. */
static const char *tag_efi_mmap(struct parser *p, const struct tag *t)
{
	uint32_t dsz;

	if (t->size < TAG_HDR + 8)
		return tag_error(t, "is too short for an EFI memory map");
	dsz = rd32(t->p + 8);
	if (dsz < EFI_DESC_MIN)
		return tag_error(t, "has an EFI descriptor size below 40");
	p->bi->has_efi_mmap = true;
	p->bi->efi_desc_size = dsz;
	p->bi->efi_desc_version = rd32(t->p + 12);
	p->bi->efi_desc_count = (t->size - 16) / dsz;
	p->bi->efi_mmap_paddr = p->paddr + t->off + 16;
	return NULL;
}

/* --- the walk --- */

static const char *parse_tag(struct parser *p, const struct tag *t)
{
	if (p->screen_only && t->type != TAG_FRAMEBUFFER && t->type != TAG_EFI64)
		return NULL;
	switch (t->type) {
	case TAG_CMDLINE: return tag_cmdline(p, t);
	case TAG_LOADER: return tag_loader(p, t);
	case TAG_MODULE: return tag_module(p, t);
	case TAG_BASIC_MEM: return tag_basic_mem(p, t);
	case TAG_MMAP: return tag_mmap(p, t);
	case TAG_FRAMEBUFFER: return tag_framebuffer(p, t);
	case TAG_EFI64: return tag_efi64(p, t);
	case TAG_ACPI_OLD: return tag_rsdp(p, t, 1);
	case TAG_ACPI_NEW: return tag_rsdp(p, t, 2);
	case TAG_EFI_MMAP: return tag_efi_mmap(p, t);
	default: return NULL; /* unknown tags are skipped */
	}
}

/* Visit tags from offset 8 to the end tag. Tags start 8-byte aligned. */
static const char *walk_tags(struct parser *p)
{
	uint32_t off = MB2_HDR;
	const char *err;

	while (p->size - off >= TAG_HDR) {
		struct tag t = { p->base + off, off, rd32(p->base + off), rd32(p->base + off + 4) };

		if (t.size < TAG_HDR)
			return tag_error(&t, "has a size below 8");
		if (t.size > p->size - off)
			return tag_error(&t, "overruns the list");
		if (t.type == TAG_END)
			return t.size == TAG_HDR ? NULL : tag_error(&t, "(end) has a size other than 8");
		err = parse_tag(p, &t);
		if (err)
			return err;
		off += ALIGN_UP(t.size, 8u); /* size <= 1 MiB: no overflow */
		if (off > p->size)
			break;
	}
	return "multiboot2: the tag list has no end tag";
}

static const char *check_header(const void *mbi, size_t avail, paddr_t mbi_paddr, uint32_t *size)
{
	if (!mbi)
		return "multiboot2: no boot information (NULL pointer)";
	if (avail < 16)
		return "multiboot2: fewer than 16 bytes of boot information readable";
	if ((uintptr_t)mbi % 8)
		return "multiboot2: boot information is not 8-byte aligned";
	*size = rd32(mbi);
	if (*size < 16)
		return "multiboot2: total_size is below 16";
	if (*size > BI_MB2_MAX_SIZE)
		return "multiboot2: total_size is above 1 MiB";
	if (*size > avail)
		return "multiboot2: total_size is larger than the readable boot information";
	if (*size > UINT64_MAX - mbi_paddr)
		return "multiboot2: boot information wraps past 2^64";
	return NULL;
}

const char *mb2_parse(const void *mbi, size_t avail, paddr_t mbi_paddr, struct bootinfo *bi)
{
	struct parser p = { mbi, 0, mbi_paddr, bi, false, false };
	const char *err;

	memset(bi, 0, sizeof(*bi));
	err = check_header(mbi, avail, mbi_paddr, &p.size);
	if (!err) {
		bi->mb2_paddr = mbi_paddr;
		bi->mb2_size = p.size;
		err = walk_tags(&p);
	}
	if (!err && !p.seen_mmap)
		err = "multiboot2: no memory map tag (the kernel needs one)";
	if (!err && bi->mem_count == 0)
		err = "multiboot2: the memory map has no regions";
	if (err)
		memset(bi, 0, sizeof(*bi));
	return err;
}

const char *mb2_parse_screen(const void *mbi, size_t avail, paddr_t mbi_paddr, struct bootinfo *bi)
{
	struct parser p = { mbi, 0, mbi_paddr, bi, false, true };
	const char *err;

	memset(bi, 0, sizeof(*bi));
	err = check_header(mbi, avail, mbi_paddr, &p.size);
	return err ? err : walk_tags(&p);
}

const char *bi_mem_type_name(uint32_t type)
{
	switch (type) {
	case BI_MEM_AVAILABLE: return "available";
	case BI_MEM_RESERVED: return "reserved";
	case BI_MEM_ACPI_RECLAIM: return "ACPI reclaimable";
	case BI_MEM_ACPI_NVS: return "ACPI NVS";
	case BI_MEM_BAD: return "bad";
	default: return "unknown";
	}
}
