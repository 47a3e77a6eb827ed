/*
 * Fixtures for the multiboot2 parser's host tests (test_bootinfo.c): a
 * builder of multiboot2 information images (the fixed header, 8-aligned
 * tags: strings, modules, memory maps, framebuffers, EFI maps, raw tags).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* An image being built. */
struct img {
	uint8_t b[16384];
	uint32_t len;
};

struct reg {
	uint64_t base, len;
	uint32_t type;
};

void put(struct img *m, const void *p, size_t n);
void img_begin(struct img *m);
uint32_t tag_open(struct img *m, uint32_t type);
void tag_close(struct img *m, uint32_t at);
uint32_t img_end(struct img *m);
uint32_t add_string_tag(struct img *m, uint32_t type, const char *s);
uint32_t add_module(struct img *m, uint32_t start, uint32_t end, const char *name);
uint32_t add_basic_mem(struct img *m, uint32_t lo, uint32_t hi);
uint32_t add_mmap(struct img *m, uint32_t esz, const struct reg *r, size_t n);
uint32_t add_fb_common(struct img *m, uint64_t addr, uint32_t pitch, uint32_t w, uint32_t h,
                       uint8_t bpp, uint8_t type);
uint32_t add_fb_rgb(struct img *m, uint32_t pitch, uint32_t w, uint8_t bpp);
uint32_t add_raw(struct img *m, uint32_t type, uint32_t payload, uint8_t fill);
uint32_t add_efi_mmap(struct img *m, uint32_t dsz, uint32_t count);
void p8(struct img *m, uint8_t v);
void p16(struct img *m, uint16_t v);
void p32(struct img *m, uint32_t v);
void p64(struct img *m, uint64_t v);
void pstr(struct img *m, const char *s);
void set32(struct img *m, uint32_t off, uint32_t v);
