/* Fixtures for the multiboot2 parser's host tests (see mb2_fixture.h). */
#include <stdlib.h>
#include <string.h>

#include "mb2_fixture.h"

/* --- tag list builder --- */

void put(struct img *m, const void *p, size_t n)
{
	if (m->len + n > sizeof(m->b))
		abort();
	memcpy(m->b + m->len, p, n);
	m->len += (uint32_t)n;
}

void p8(struct img *m, uint8_t v) { put(m, &v, 1); }
void p16(struct img *m, uint16_t v) { put(m, &v, 2); }
void p32(struct img *m, uint32_t v) { put(m, &v, 4); }
void p64(struct img *m, uint64_t v) { put(m, &v, 8); }
void pstr(struct img *m, const char *s) { put(m, s, strlen(s) + 1); }

void set32(struct img *m, uint32_t off, uint32_t v) { memcpy(m->b + off, &v, 4); }

void img_begin(struct img *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

/* Open a tag at the next 8-aligned offset; returns its offset. */
uint32_t tag_open(struct img *m, uint32_t type)
{
	uint32_t at;

	while (m->len % 8)
		p8(m, 0);
	at = m->len;
	p32(m, type);
	p32(m, 0);
	return at;
}

void tag_close(struct img *m, uint32_t at)
{
	set32(m, at + 4, m->len - at);
}

/* Append the end tag and set total_size. */
uint32_t img_end(struct img *m)
{
	uint32_t at = tag_open(m, 0);

	tag_close(m, at);
	set32(m, 0, m->len);
	return at;
}

uint32_t add_string_tag(struct img *m, uint32_t type, const char *s)
{
	uint32_t at = tag_open(m, type);

	pstr(m, s);
	tag_close(m, at);
	return at;
}

uint32_t add_module(struct img *m, uint32_t start, uint32_t end, const char *name)
{
	uint32_t at = tag_open(m, 3);

	p32(m, start);
	p32(m, end);
	pstr(m, name);
	tag_close(m, at);
	return at;
}

uint32_t add_basic_mem(struct img *m, uint32_t lo, uint32_t hi)
{
	uint32_t at = tag_open(m, 4);

	p32(m, lo);
	p32(m, hi);
	tag_close(m, at);
	return at;
}

uint32_t add_mmap(struct img *m, uint32_t esz, const struct reg *r, size_t n)
{
	uint32_t at = tag_open(m, 6);

	p32(m, esz);
	p32(m, 0);
	for (size_t i = 0; i < n; i++) {
		p64(m, r[i].base);
		p64(m, r[i].len);
		p32(m, r[i].type);
		for (uint32_t k = 20; k < esz; k++)
			p8(m, 0xEE);
	}
	tag_close(m, at);
	return at;
}

uint32_t add_fb_common(struct img *m, uint64_t addr, uint32_t pitch, uint32_t w, uint32_t h,
			      uint8_t bpp, uint8_t type)
{
	uint32_t at = tag_open(m, 8);

	p64(m, addr);
	p32(m, pitch);
	p32(m, w);
	p32(m, h);
	p8(m, bpp);
	p8(m, type);
	p16(m, 0);
	return at;
}

uint32_t add_fb_rgb(struct img *m, uint32_t pitch, uint32_t w, uint8_t bpp)
{
	uint32_t at = add_fb_common(m, 0xfd000000, pitch, w, 768, bpp, 1);
	const uint8_t rgb[6] = { 16, 8, 8, 8, 0, 8 };

	put(m, rgb, 6);
	tag_close(m, at);
	return at;
}

uint32_t add_raw(struct img *m, uint32_t type, uint32_t payload, uint8_t fill)
{
	uint32_t at = tag_open(m, type);

	for (uint32_t i = 0; i < payload; i++)
		p8(m, (uint8_t)(fill + i));
	tag_close(m, at);
	return at;
}

uint32_t add_efi_mmap(struct img *m, uint32_t dsz, uint32_t count)
{
	uint32_t at = tag_open(m, 17);

	p32(m, dsz);
	p32(m, 1);
	for (uint32_t i = 0; i < count * dsz; i++)
		p8(m, (uint8_t)i);
	tag_close(m, at);
	return at;
}
