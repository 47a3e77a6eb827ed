/*
 * mb2_parse(): good BIOS-like and UEFI-like tag lists parse field by field;
 * every malformed case is rejected with a message and a zeroed bootinfo;
 * truncations and 100k seeded random mutations never crash. Buffers are
 * malloc'd at exactly the readable size so ASan catches any over-read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootinfo.h"
#include "check.h"
#include "mb2_fixture.h"

#define MBI_PADDR 0x10000ull

static const struct reg one_region[] = { { 0x100000, 0x1000000, 1 } };

/* --- running the parser on exactly `avail` readable bytes --- */

static struct bootinfo bi;

static const char *parse_n(const struct img *m, size_t avail, paddr_t paddr)
{
	uint8_t *buf = malloc(avail ? avail : 1);
	const char *err;

	memcpy(buf, m->b, MIN(avail, (size_t)m->len));
	memset(&bi, 0xAA, sizeof(bi));
	err = mb2_parse(buf, avail, paddr, &bi);
	free(buf);
	return err;
}

static const char *parse(const struct img *m)
{
	return parse_n(m, m->len, MBI_PADDR);
}

static bool bi_is_zero(void)
{
	static const struct bootinfo zero;

	return memcmp(&bi, &zero, sizeof(bi)) == 0;
}

static bool str_terminated(const char *s, size_t cap)
{
	return memchr(s, 0, cap) != NULL;
}

/* Invariants every successful parse must keep. */
static bool bi_sane(void)
{
	bool ok = bi.mem_count >= 1 && bi.mem_count <= BI_MAX_MEM && bi.module_count <= BI_MAX_MODULES;

	ok = ok && str_terminated(bi.cmdline, sizeof(bi.cmdline)) && str_terminated(bi.loader, sizeof(bi.loader));
	for (uint32_t i = 0; ok && i < bi.mem_count; i++) {
		ok = bi.mem[i].len && bi.mem[i].type >= 1 && bi.mem[i].type <= 5 &&
		     bi.mem[i].base + bi.mem[i].len > bi.mem[i].base;
		ok = ok && (i == 0 || bi.mem[i - 1].base <= bi.mem[i].base);
	}
	for (uint32_t i = 0; ok && i < bi.module_count; i++)
		ok = bi.modules[i].start <= bi.modules[i].end &&
		     str_terminated(bi.modules[i].name, BI_NAME_MAX);
	ok = ok && bi.fb.type <= BI_FB_INDEXED && bi.rsdp_revision <= 2 && bi.rsdp_len <= 36;
	return ok && (!bi.has_efi_mmap || bi.efi_desc_size >= 40);
}

/* --- good lists --- */

static const struct reg bios_map[] = {
	{ 0x100000, 0x7ee0000, 1 },  { 0x0, 0x9fc00, 1 },           { 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },     { 0x7fe0000, 0x20000, 2 },     { 0xfffc0000, 0x40000, 7 },
	{ 0x5000000000, 0, 1 },      { 0x100000000, 0x40000000, 3 },
};

static void build_bios(struct img *m)
{
	uint8_t apm[20] = { 1, 2, 3 };

	img_begin(m);
	add_raw(m, 21, 4, 0x10);                  /* load base address */
	add_string_tag(m, 1, "cluster_size=4 test=ipc");
	add_string_tag(m, 2, "GRUB 2.06");
	add_module(m, 0x200000, 0x240000, "init");
	add_module(m, 0x240000, 0x240000, "empty");
	uint32_t at = tag_open(m, 10);            /* APM */
	put(m, apm, sizeof(apm));
	tag_close(m, at);
	add_mmap(m, 24, bios_map, ARRAY_SIZE(bios_map));
	add_raw(m, 9, 20 + 64 * 3, 0);            /* ELF sections */
	add_basic_mem(m, 639, 130048);
	add_raw(m, 5, 12, 0x80);                  /* boot device */
	add_fb_rgb(m, 4096, 1024, 32);
	at = tag_open(m, 14);
	put(m, "RSD PTR " "\x11" "ABCDEF" "\x00\x40\x0f\x00\x07", 20);
	tag_close(m, at);
	img_end(m);
}

static void test_bios(void)
{
	struct img m;
	static const uint64_t bases[] = { 0, 0x9fc00, 0xf0000, 0x100000, 0x7fe0000, 0xfffc0000, 0x100000000 };
	static const uint32_t types[] = { 1, 2, 2, 1, 2, 2, 3 };

	build_bios(&m);
	CHECK(parse(&m) == NULL);
	CHECK(bi.mb2_paddr == MBI_PADDR && bi.mb2_size == m.len);
	CHECK(bi.has_cmdline && strcmp(bi.cmdline, "cluster_size=4 test=ipc") == 0);
	CHECK(strcmp(bi.loader, "GRUB 2.06") == 0);
	CHECK(bi.has_basic_mem && bi.mem_lower_kb == 639 && bi.mem_upper_kb == 130048);
	CHECK(bi.module_count == 2);
	CHECK(bi.modules[0].start == 0x200000 && bi.modules[0].end == 0x240000);
	CHECK(strcmp(bi.modules[0].name, "init") == 0 && strcmp(bi.modules[1].name, "empty") == 0);
	CHECK(bi.mem_count == ARRAY_SIZE(bases));
	for (size_t i = 0; i < ARRAY_SIZE(bases) && i < bi.mem_count; i++)
		CHECK(bi.mem[i].base == bases[i] && bi.mem[i].type == types[i]);
	CHECK(bi.mem[0].len == 0x9fc00 && bi.mem[6].len == 0x40000000);
	CHECK(bi.fb.type == BI_FB_RGB && bi.fb.addr == 0xfd000000 && bi.fb.pitch == 4096);
	CHECK(bi.fb.width == 1024 && bi.fb.height == 768 && bi.fb.bpp == 32);
	CHECK(bi.fb.red_pos == 16 && bi.fb.red_size == 8 && bi.fb.green_pos == 8 &&
	      bi.fb.green_size == 8 && bi.fb.blue_pos == 0 && bi.fb.blue_size == 8);
	CHECK(bi.rsdp_revision == 1 && bi.rsdp_len == 20 && memcmp(bi.rsdp, "RSD PTR ", 8) == 0);
	CHECK(bi.rsdp[19] == 0x07 && bi.rsdp[20] == 0);
	CHECK(!bi.has_efi_mmap && !bi.efi64 && bi.warnings == 0);
	CHECK(bi_sane());
}

static const struct reg uefi_map[] = {
	{ 0x100000000, 0x100000000, 1 }, { 0x1000, 0x9f000, 1 }, { 0x100000, 0x7f000000, 1 },
	{ 0x7f100000, 0x100000, 4 },     { 0xfee00000, 0x1000, 5 },
};

static uint32_t efi_mmap_at;

static void build_uefi(struct img *m)
{
	uint32_t at;

	img_begin(m);
	add_raw(m, 21, 4, 0x10);
	add_string_tag(m, 1, "");
	add_string_tag(m, 2, "GRUB 2.12");
	add_mmap(m, 32, uefi_map, ARRAY_SIZE(uefi_map));
	add_raw(m, 9, 20, 0);
	add_basic_mem(m, 0, 0);
	at = tag_open(m, 12);
	p64(m, 0x7fe00018);
	tag_close(m, at);
	at = tag_open(m, 14);
	put(m, "RSD PTR " "\x11" "OLDOLD" "\x00\x40\x0f\x00\x07", 20);
	tag_close(m, at);
	at = tag_open(m, 15);
	put(m, "RSD PTR " "\x22" "NEWNEW" "\x02\x40\x0f\x00\x07\x24\x00\x00\x00\x00\xe0\x0f\x7f\x00\x00\x00\x00\x55\x00\x00\x00", 36);
	tag_close(m, at);
	efi_mmap_at = add_efi_mmap(m, 48, 5);
	img_end(m);
}

static void test_uefi(void)
{
	struct img m;

	build_uefi(&m);
	CHECK(parse(&m) == NULL);
	CHECK(bi.has_cmdline && bi.cmdline[0] == 0);
	CHECK(strcmp(bi.loader, "GRUB 2.12") == 0);
	CHECK(bi.mem_count == 5 && bi.mem[0].base == 0x1000 && bi.mem[4].base == 0x100000000);
	CHECK(bi.mem[2].type == BI_MEM_ACPI_NVS && bi.mem[3].type == BI_MEM_BAD);
	CHECK(bi.has_basic_mem && bi.module_count == 0 && bi.fb.type == BI_FB_NONE);
	CHECK(bi.efi64);
	CHECK(bi.rsdp_revision == 2 && bi.rsdp_len == 36 && bi.rsdp[9] == 'N' && bi.rsdp[32] == 0x55);
	CHECK(bi.has_efi_mmap && bi.efi_desc_size == 48 && bi.efi_desc_version == 1);
	CHECK(bi.efi_desc_count == 5 && bi.efi_mmap_paddr == MBI_PADDR + efi_mmap_at + 16);
	CHECK(bi.warnings == 0 && bi_sane());
	CHECK(parse_n(&m, m.len + 100, 0x7f000000) == NULL && bi.efi_mmap_paddr == 0x7f000000 + efi_mmap_at + 16);
}

/* --- rejections --- */

/* Start a list that would be good: a one-region memory map first. */
static void mini(struct img *m)
{
	img_begin(m);
	add_mmap(m, 24, one_region, 1);
}

static void expect_reject(const struct img *m, const char *needle, int line)
{
	const char *err = parse(m);

	if (!err || (needle && !strstr(err, needle)) || !bi_is_zero())
		fprintf(stderr, "line %d: got '%s'\n", line, err ? err : "(accepted)");
	CHECK(err != NULL);
	CHECK(!err || !needle || strstr(err, needle));
	CHECK(bi_is_zero());
}

#define REJECT(m, needle) expect_reject(m, needle, __LINE__)

static void test_reject_header(void)
{
	struct img m;
	uint8_t *raw = malloc(64);

	memset(&bi, 0xAA, sizeof(bi));
	CHECK(mb2_parse(NULL, 4096, 0, &bi) != NULL && bi_is_zero());
	mini(&m);
	img_end(&m);
	CHECK(parse_n(&m, 15, MBI_PADDR) != NULL && bi_is_zero());
	CHECK(parse_n(&m, m.len - 1, MBI_PADDR) != NULL && bi_is_zero());
	CHECK(parse_n(&m, m.len, UINT64_MAX - 16) != NULL && bi_is_zero());
	set32(&m, 0, 8);
	REJECT(&m, "below 16");
	set32(&m, 0, BI_MB2_MAX_SIZE + 8);
	REJECT(&m, "1 MiB");
	mini(&m);
	img_end(&m);
	memcpy(raw + 4, m.b, MIN(m.len, 60u));
	memset(&bi, 0xAA, sizeof(bi));
	CHECK(mb2_parse(raw + 4, 60, MBI_PADDR, &bi) != NULL && bi_is_zero()); /* misaligned */
	free(raw);
}

static void test_reject_structure(void)
{
	struct img m;
	uint32_t at;

	mini(&m);
	at = add_raw(&m, 99, 8, 0);
	img_end(&m);
	set32(&m, at + 4, 4);
	REJECT(&m, "below 8");
	set32(&m, at + 4, m.len);
	REJECT(&m, "overruns the list");
	mini(&m);
	img_end(&m);
	set32(&m, 0, m.len - 8);
	REJECT(&m, "no end tag");
	mini(&m);
	img_end(&m);
	set32(&m, 8 + 4, 0x100);
	REJECT(&m, "multiboot2: tag 6 at offset 0x8 overruns the list");
	mini(&m);
	at = img_end(&m);
	p32(&m, 0);
	set32(&m, at + 4, 12);
	set32(&m, 0, m.len);
	REJECT(&m, "size other than 8");
	img_begin(&m);
	add_string_tag(&m, 1, "x");
	img_end(&m);
	REJECT(&m, "no memory map");
}

static void reject_tag(uint32_t type, uint32_t payload, const char *needle, int line)
{
	struct img m;

	mini(&m);
	add_raw(&m, type, payload, 0x41);
	img_end(&m);
	expect_reject(&m, needle, line);
}

static void test_reject_short_tags(void)
{
	char msg[64];

	reject_tag(1, 0, "too short", __LINE__);
	reject_tag(2, 0, "too short", __LINE__);
	reject_tag(3, 8, "too short", __LINE__);
	reject_tag(4, 7, "too short", __LINE__);
	reject_tag(6, 7, "too short", __LINE__);
	reject_tag(8, 23, "too short", __LINE__);
	reject_tag(12, 7, "too short", __LINE__);
	reject_tag(14, 19, "too short", __LINE__);
	reject_tag(15, 35, "too short", __LINE__);
	reject_tag(17, 7, "too short", __LINE__);
	snprintf(msg, sizeof(msg), "tag 4 at offset 0x%x", 8 + 16 + 24);
	reject_tag(4, 4, msg, __LINE__);
}

static void test_reject_strings(void)
{
	struct img m;
	char longline[600];

	reject_tag(1, 5, "not NUL-terminated", __LINE__); /* payload "ABCDE" */
	reject_tag(2, 5, "not NUL-terminated", __LINE__);
	reject_tag(3, 13, "not NUL-terminated", __LINE__);
	memset(longline, 'a', sizeof(longline) - 1);
	longline[BI_CMDLINE_MAX] = 0;
	mini(&m);
	add_string_tag(&m, 1, longline);
	img_end(&m);
	REJECT(&m, "longer than 511");
	longline[BI_CMDLINE_MAX - 1] = 0;
	mini(&m);
	add_string_tag(&m, 1, longline);
	img_end(&m);
	CHECK(parse(&m) == NULL && strlen(bi.cmdline) == BI_CMDLINE_MAX - 1);
}

static void test_reject_modules(void)
{
	struct img m;

	mini(&m);
	add_module(&m, 0x2000, 0x1000, "backwards");
	img_end(&m);
	REJECT(&m, "ends before it starts");
	mini(&m);
	for (int i = 0; i < BI_MAX_MODULES; i++)
		add_module(&m, 0x1000u * (uint32_t)i, 0x1000u * (uint32_t)i + 0x800, "m");
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.module_count == BI_MAX_MODULES);
	mini(&m);
	for (int i = 0; i < BI_MAX_MODULES + 1; i++)
		add_module(&m, 0, 0, "m");
	img_end(&m);
	REJECT(&m, "at most 16");
}

static void test_reject_mmap(void)
{
	struct img m;
	struct reg many[BI_MAX_MEM + 3];
	uint32_t kept = 0, reserved_in = 0;
	const struct reg wrap[] = { { UINT64_MAX - 0xfff, 0x1000, 1 } };
	const struct reg top[] = { { UINT64_MAX - 0xfff, 0x1000 - 1, 1 } };
	const struct reg zero[] = { { 0x1000, 0, 1 } };

	img_begin(&m);
	add_mmap(&m, 20, one_region, 1);
	img_end(&m);
	REJECT(&m, "entry size");
	img_begin(&m);
	add_mmap(&m, 28, one_region, 1);
	img_end(&m);
	REJECT(&m, "entry size");
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct reg){ (ARRAY_SIZE(many) - i) * 0x10000ull, 0x1000, 1 + (uint32_t)i % 5 };
	img_begin(&m);
	add_mmap(&m, 24, many, BI_MAX_MEM);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.mem_count == BI_MAX_MEM && bi_sane());
	/* Past the table's size: counted and ignored, available RAM first, so
	 * that no reservation is lost while RAM can go instead. */
	img_begin(&m);
	add_mmap(&m, 24, many, BI_MAX_MEM + 3);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.mem_count == BI_MAX_MEM && bi.mem_dropped == 3 && bi_sane());
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		reserved_in += many[i].type != BI_MEM_AVAILABLE;
	for (uint32_t i = 0; i < bi.mem_count; i++) {
		kept += bi.mem[i].type != BI_MEM_AVAILABLE;
		CHECK(i == 0 || bi.mem[i - 1].base < bi.mem[i].base); /* still sorted */
	}
	CHECK(kept == reserved_in);
	/* All reserved: the ones past the end are the ones dropped. */
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct reg){ (i + 1) * 0x10000ull, 0x1000, BI_MEM_RESERVED };
	img_begin(&m);
	add_mmap(&m, 24, many, BI_MAX_MEM + 3);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.mem_count == BI_MAX_MEM && bi.mem_dropped == 3);
	CHECK(bi.mem[BI_MAX_MEM - 1].base == BI_MAX_MEM * 0x10000ull);
	img_begin(&m);
	add_mmap(&m, 24, wrap, 1);
	img_end(&m);
	REJECT(&m, "wraps");
	img_begin(&m);
	add_mmap(&m, 24, top, 1);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.mem_count == 1);
	img_begin(&m);
	add_mmap(&m, 24, zero, 1);
	img_end(&m);
	REJECT(&m, "no regions");
	mini(&m);
	add_mmap(&m, 24, one_region, 1);
	img_end(&m);
	REJECT(&m, "second memory map");
}

static void test_reject_firmware(void)
{
	struct img m;
	uint32_t at;

	mini(&m);
	add_efi_mmap(&m, 0, 0);
	img_end(&m);
	REJECT(&m, "below 40");
	mini(&m);
	add_efi_mmap(&m, 32, 2);
	img_end(&m);
	REJECT(&m, "below 40");
	mini(&m);
	add_efi_mmap(&m, 40, 0);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.has_efi_mmap && bi.efi_desc_count == 0);
	mini(&m);
	at = add_efi_mmap(&m, 40, 3);
	p32(&m, 0); /* a partial descriptor is not counted */
	tag_close(&m, at);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.efi_desc_count == 3);
}

static void test_reject_framebuffer(void)
{
	struct img m;
	uint32_t at;

	mini(&m);
	at = add_fb_common(&m, 0xb8000, 160, 80, 25, 16, 1);
	p8(&m, 16);
	tag_close(&m, at);
	img_end(&m);
	REJECT(&m, "RGB");
	mini(&m);
	at = add_fb_common(&m, 0xa0000, 320, 320, 200, 8, 0);
	p16(&m, 256);
	for (int i = 0; i < 255 * 3; i++)
		p8(&m, 1);
	tag_close(&m, at);
	img_end(&m);
	REJECT(&m, "palette");
	mini(&m);
	at = add_fb_common(&m, 0xa0000, 320, 320, 200, 8, 0);
	tag_close(&m, at);
	img_end(&m);
	REJECT(&m, "palette");
}

/* --- non-fatal oddities: warnings, not rejections --- */

static void test_warnings(void)
{
	struct img m;
	uint32_t at;
	char name[100];

	mini(&m);
	add_fb_rgb(&m, 4096, 1024, 0); /* bpp 0 */
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_NONE && bi.warnings == 1);
	mini(&m);
	add_fb_rgb(&m, 4095, 1024, 32); /* pitch below width * 4 */
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_NONE && bi.warnings == 1);
	mini(&m);
	add_fb_rgb(&m, 3072, 1024, 24);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_RGB && bi.fb.bpp == 24 && bi.warnings == 0);
	mini(&m);
	at = add_fb_common(&m, 0xb8000, 160, 80, 25, 16, 2);
	tag_close(&m, at);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_EGA_TEXT && bi.fb.width == 80 && bi.warnings == 0);
	mini(&m);
	at = add_fb_common(&m, 0xb8000, 159, 80, 25, 16, 2);
	tag_close(&m, at);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_NONE && bi.warnings == 1);
	mini(&m);
	at = add_fb_common(&m, 0xa0000, 320, 320, 200, 8, 0);
	p16(&m, 2);
	put(&m, "\1\2\3\4\5\6", 6);
	tag_close(&m, at);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_INDEXED && bi.fb.bpp == 8 && bi.warnings == 0);
	mini(&m);
	at = add_fb_common(&m, 0xa0000, 320, 320, 200, 8, 7); /* unknown type */
	tag_close(&m, at);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_NONE && bi.warnings == 1);
	mini(&m);
	at = add_fb_common(&m, UINT64_MAX - 0x1000, 4096, 1024, 768, 32, 1); /* wraps */
	put(&m, "\0\0\0\0\0\0", 6);
	tag_close(&m, at);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.fb.type == BI_FB_NONE && bi.warnings == 1);

	memset(name, 'n', sizeof(name));
	name[99] = 0;
	mini(&m);
	add_module(&m, 0x1000, 0x2000, name);
	add_string_tag(&m, 2, name);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.warnings == 2 && bi.module_count == 1);
	CHECK(strlen(bi.modules[0].name) == BI_NAME_MAX - 1 && strlen(bi.loader) == BI_NAME_MAX - 1);
	name[BI_NAME_MAX - 1] = 0; /* 63 characters fit exactly */
	mini(&m);
	add_module(&m, 0x1000, 0x2000, name);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.warnings == 0 && strcmp(bi.modules[0].name, name) == 0);

	img_begin(&m);
	at = add_mmap(&m, 24, one_region, 1);
	p32(&m, 7); /* trailing bytes shorter than an entry */
	tag_close(&m, at);
	add_raw(&m, 0x7777, 3, 0); /* unknown tag: skipped, not counted */
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.warnings == 1 && bi.mem_count == 1);
}

static void test_rsdp_order(void)
{
	struct img m;
	uint32_t at;

	mini(&m);
	at = tag_open(&m, 15);
	put(&m, "RSD PTR NEW.....................RSDP", 36);
	p32(&m, 0); /* longer than 36: only 36 copied */
	tag_close(&m, at);
	at = tag_open(&m, 14);
	put(&m, "RSD PTR OLD.........", 20);
	tag_close(&m, at);
	img_end(&m);
	CHECK(parse(&m) == NULL && bi.rsdp_revision == 2 && bi.rsdp_len == 36);
	CHECK(memcmp(bi.rsdp, "RSD PTR NEW", 11) == 0 && memcmp(bi.rsdp + 32, "RSDP", 4) == 0);
	CHECK(strcmp(bi_mem_type_name(BI_MEM_AVAILABLE), "available") == 0);
	CHECK(strcmp(bi_mem_type_name(BI_MEM_ACPI_NVS), "ACPI NVS") == 0);
	CHECK(bi_mem_type_name(0) != NULL && bi_mem_type_name(99) != NULL);
}

/* --- truncation and random mutation --- */

static void check_outcome(const char *err)
{
	if (err)
		CHECK(bi_is_zero() && strncmp(err, "multiboot2: ", 12) == 0);
	else
		CHECK(bi_sane());
}

static void test_truncation(void)
{
	struct img good[2], m;
	unsigned accepted = 0;

	build_bios(&good[0]);
	build_uefi(&good[1]);
	for (int g = 0; g < 2; g++) {
		for (uint32_t n = 0; n <= good[g].len; n++) {
			const char *err = parse_n(&good[g], n, MBI_PADDR); /* fewer bytes readable */
			CHECK((err == NULL) == (n == good[g].len));
			check_outcome(err);
			m = good[g];
			if (n >= 4)
				set32(&m, 0, n); /* the list itself says it is shorter */
			err = parse_n(&m, n, MBI_PADDR);
			accepted += err == NULL;
			check_outcome(err);
		}
	}
	CHECK(accepted == 2);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void mutate(struct img *m)
{
	int n = 1 + (int)(rng() % 4);

	for (int i = 0; i < n; i++) {
		uint32_t off = (uint32_t)(rng() % m->len);
		switch (rng() % 4) {
		case 0: m->b[off] ^= (uint8_t)(1u << (rng() % 8)); break;
		case 1: m->b[off] = (uint8_t)rng(); break;
		case 2: /* a size or type field: tags are 8-aligned */
			off &= ~3u;
			if (off + 4 <= m->len)
				set32(m, off, (uint32_t)(rng() % 64) * (rng() % 2 ? 1 : 8));
			break;
		default:
			off &= ~3u;
			if (off + 4 <= m->len)
				set32(m, off, (uint32_t)rng());
		}
	}
}

static void test_mutation(void)
{
	struct img good[2], m;
	unsigned ok = 0, bad = 0;

	build_bios(&good[0]);
	build_uefi(&good[1]);
	for (int it = 0; it < 100000; it++) {
		const struct img *g = &good[it & 1];
		size_t avail = g->len;
		const char *err;
		memcpy(&m, g, sizeof(m));
		mutate(&m);
		if (rng() % 8 == 0)
			avail = (size_t)(rng() % (g->len + 1));
		err = parse_n(&m, avail, MBI_PADDR);
		if (err ? !bi_is_zero() : !bi_sane())
			CHECK(false);
		err ? bad++ : ok++;
	}
	printf("mutation: %u accepted, %u rejected\n", ok, bad);
	CHECK(ok > 1000 && bad > 1000);
}

/* The early screen pass: the framebuffer (and EFI) tags alone, read from
 * a list that the full parse rejects, up to the malformed tag. */
static void test_parse_screen(void)
{
	struct img m;
	uint32_t at;

	img_begin(&m);
	add_fb_rgb(&m, 4096, 1024, 32);
	add_raw(&m, 12, 8, 0); /* EFI64 system table */
	at = add_raw(&m, 99, 8, 0);
	img_end(&m);
	set32(&m, at + 4, 4); /* a tag of size 4 */
	CHECK(parse(&m) != NULL); /* no memory map, bad tag: rejected */
	memset(&bi, 0xAA, sizeof(bi));
	CHECK(mb2_parse_screen(m.b, m.len, MBI_PADDR, &bi) != NULL);
	CHECK(bi.fb.type == BI_FB_RGB && bi.fb.width == 1024 && bi.fb.pitch == 4096 && bi.fb.bpp == 32);
	CHECK(bi.efi64 && bi.mem_count == 0 && !bi.has_cmdline);
	mini(&m);
	add_string_tag(&m, 1, "cmd");
	img_end(&m);
	CHECK(mb2_parse_screen(m.b, m.len, MBI_PADDR, &bi) == NULL);
	CHECK(bi.fb.type == BI_FB_NONE && !bi.efi64 && !bi.has_cmdline && bi.mem_count == 0);
	CHECK(mb2_parse_screen(NULL, 64, MBI_PADDR, &bi) != NULL && bi.fb.type == BI_FB_NONE);
	CHECK(mb2_parse_screen(m.b, 8, MBI_PADDR, &bi) != NULL);
}

int main(void)
{
	test_bios();
	test_uefi();
	test_parse_screen();
	test_reject_header();
	test_reject_structure();
	test_reject_short_tags();
	test_reject_strings();
	test_reject_modules();
	test_reject_mmap();
	test_reject_firmware();
	test_reject_framebuffer();
	test_warnings();
	test_rsdp_order();
	test_truncation();
	test_mutation();
	return check_summary("test_bootinfo");
}
