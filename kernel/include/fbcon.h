/*
 * Text console on a linear RGB framebuffer (the multiboot2 framebuffer under
 * UEFI), with the built-in 8x16 font. Pure C over a mapped pixel buffer so
 * it is host-testable; the caller maps the framebuffer.
 */
#pragma once
#include "types.h"

#define FONT_W 8
#define FONT_H 16
#define FONT_FIRST 32
#define FONT_LAST 126
/* One glyph per printable ASCII character, 16 rows, MSB = leftmost pixel. */
extern const uint8_t font8x16[FONT_LAST - FONT_FIRST + 1][FONT_H];

struct fbcon {
	uint8_t *base;          /* mapped framebuffer */
	uint32_t pitch, width, height, bpp; /* bytes per line, pixels, bits per pixel (16, 24, 32) */
	uint8_t rpos, rsize, gpos, gsize, bpos, bsize;
	uint32_t cols, rows;    /* in characters */
	uint32_t cx, cy;        /* cursor */
	uint32_t fg, bg;        /* packed pixel values */
};

/* Returns false (and leaves the console unusable) for unsupported formats. */
bool fbcon_init(struct fbcon *c, void *base, uint32_t pitch, uint32_t width, uint32_t height,
		uint32_t bpp, uint8_t rpos, uint8_t rsize, uint8_t gpos, uint8_t gsize, uint8_t bpos,
		uint8_t bsize);
/* Write text: handles '\n', '\r', '\t', '\b'; wraps and scrolls. */
void fbcon_write(struct fbcon *c, const char *s, size_t len);
