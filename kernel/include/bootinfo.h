/*
 * Boot information: the one struct the kernel reads instead of multiboot2
 * tags. Filled by mb2_parse() from the loader's tag list; pure C, also built
 * and fuzzed on the host. All addresses are physical.
 */
#pragma once
#include "types.h"

#define BI_MAX_MEM 512 /* more are counted in mem_dropped, RAM dropped first */
#define BI_MAX_MODULES 16
#define BI_CMDLINE_MAX 512
#define BI_NAME_MAX 64
#define MB2_BOOT_MAGIC 0x36D76289u /* in eax (then edi) when a multiboot2 loader hands over; boot/entry.asm too */
#define BI_MB2_MAX_SIZE (1u << 20) /* larger tag lists are rejected */

enum bi_mem_type {
	BI_MEM_AVAILABLE = 1,
	BI_MEM_RESERVED = 2,
	BI_MEM_ACPI_RECLAIM = 3,
	BI_MEM_ACPI_NVS = 4,
	BI_MEM_BAD = 5,
};

struct bi_mem_region {
	paddr_t base;
	uint64_t len;
	uint32_t type; /* enum bi_mem_type; unknown types are stored as RESERVED */
};

struct bi_module {
	paddr_t start, end; /* [start, end) */
	char name[BI_NAME_MAX]; /* module string from grub.cfg, NUL-terminated */
};

enum bi_fb_type { BI_FB_NONE = 0, BI_FB_RGB = 1, BI_FB_EGA_TEXT = 2, BI_FB_INDEXED = 3 };

struct bi_framebuffer {
	paddr_t addr;
	uint32_t pitch, width, height; /* text mode: width/height in characters */
	uint8_t bpp;
	uint8_t type; /* enum bi_fb_type */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

struct bootinfo {
	paddr_t mb2_paddr; /* where the tag list itself lies, to reserve it */
	uint32_t mb2_size;

	bool has_cmdline;
	char cmdline[BI_CMDLINE_MAX]; /* truncated cmdlines are rejected */
	char loader[BI_NAME_MAX];      /* boot loader name, "" if absent */

	bool has_basic_mem;
	uint32_t mem_lower_kb, mem_upper_kb;

	uint32_t mem_count; /* sorted by base, non-overlapping as given */
	uint32_t mem_dropped; /* regions past BI_MAX_MEM: ignored (available ones first) */
	struct bi_mem_region mem[BI_MAX_MEM];

	uint32_t module_count;
	struct bi_module modules[BI_MAX_MODULES];

	struct bi_framebuffer fb; /* type BI_FB_NONE if no tag */

	uint8_t rsdp_revision; /* 0: none; 1: ACPI 1.0 (tag 14); 2: ACPI 2.0+ (tag 15) */
	uint32_t rsdp_len;
	uint8_t rsdp[36]; /* copy of the RSDP structure from the tag */

	bool has_efi_mmap;
	paddr_t efi_mmap_paddr; /* first descriptor, inside the tag list */
	uint32_t efi_desc_size, efi_desc_version, efi_desc_count;

	bool efi64; /* booted by 64-bit UEFI (tag 12 present) */
	uint32_t warnings; /* non-fatal oddities (unknown tags are not counted) */
};

/*
 * Parse the multiboot2 information at `mbi` (mapped, readable for at least
 * `avail` bytes; `mbi_paddr` is its physical address). Returns NULL on
 * success, else a static message saying what is wrong; on failure *bi is
 * zeroed. Never reads outside [mbi, mbi + min(avail, total_size)).
 */
const char *mb2_parse(const void *mbi, size_t avail, paddr_t mbi_paddr, struct bootinfo *bi);
/* The same walk for the screen alone, before anything else: fills only
 * bi->fb and bi->efi64 (from the tags before any malformed one) and returns
 * what mb2_parse would say of the list's structure. */
const char *mb2_parse_screen(const void *mbi, size_t avail, paddr_t mbi_paddr, struct bootinfo *bi);

/* Name of a memory type for printing. */
const char *bi_mem_type_name(uint32_t type);
