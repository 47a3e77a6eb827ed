/*
 * Text console on a linear RGB framebuffer (the multiboot2 framebuffer), with
 * the built-in 8x16 font. The text (character and attribute per cell) lives
 * in RAM; video memory is only ever written, never read, and only through
 * fb_store: on a real PC it is uncached or write-combining PCIe memory, where
 * a read costs a bus round trip (scrolling by reading it back took seconds a
 * line at 1080p). Pure C so it is host-testable; the caller maps the
 * framebuffer.
 */
#pragma once
#include "types.h"

#define FONT_W 8
#define FONT_H 16
#define FONT_FIRST 32
#define FONT_LAST 126
/* One glyph per printable ASCII character, 16 rows, MSB = leftmost pixel. */
extern const uint8_t font8x16[FONT_LAST - FONT_FIRST + 1][FONT_H];

/* The text grid kept in RAM: a 3840x2160 screen fits; a larger one shows
 * its top-left FBCON_MAX_COLS x FBCON_MAX_ROWS cells (the rest stays black). */
#define FBCON_MAX_COLS 480
#define FBCON_MAX_ROWS 135
#define FBCON_ATTR_DEFAULT 0x07 /* VGA-style: low nibble foreground, high background */

/* Copy n bytes from RAM to video memory at dst: the only access fbcon makes
 * to the framebuffer (kernel/console/fbstore.c in the kernel; the host test
 * supplies its own, which checks and counts every store). */
void fb_store(uintptr_t dst, const void *src, size_t n);
/* Make the stores so far visible (drains write-combining buffers). */
void fb_store_done(void);

/* One console; the caller serialises access (console.c's lock). */
struct fbcon {
	uintptr_t fb;           /* video memory: written through fb_store only */
	uint32_t pitch, width, height, bpp; /* bytes per line, pixels, bits per pixel (16, 24, 32) */
	uint8_t rpos, rsize, gpos, gsize, bpos, bsize;
	uint32_t cols, rows;    /* in characters, at most FBCON_MAX_* */
	uint32_t cx, cy;        /* cursor */
	uint8_t attr;           /* for new characters */
	uint32_t top;           /* text row 0 is ring row `top` */
	uint32_t palette[16];   /* packed pixel values of the 16 attribute colours */
	uint16_t len[FBCON_MAX_ROWS];   /* per ring row: cells written; the rest are blank */
	uint16_t shown[FBCON_MAX_ROWS]; /* per screen row: cells that may show ink */
	uint16_t text[FBCON_MAX_ROWS][FBCON_MAX_COLS]; /* ring of rows: char | attr << 8 */
	uint8_t line[FBCON_MAX_COLS * FONT_W * 4]; /* one scan line being composed */
	uint8_t expand[256][FONT_W * 4]; /* each glyph row's 8 pixels in the default colours */
};

/* Returns false (and leaves the console unusable) for unsupported formats:
 * bpp other than 16/24/32, a screen under one character, a pitch shorter
 * than a line, colour channels outside the pixel. Clears the screen. */
bool fbcon_init(struct fbcon *c, uintptr_t fb, uint32_t pitch, uint32_t width, uint32_t height,
		uint32_t bpp, uint8_t rpos, uint8_t rsize, uint8_t gpos, uint8_t gsize, uint8_t bpos,
		uint8_t bsize);
/* The same video memory at another address (the boot map gave way to a
 * write-combining device mapping); nothing is redrawn. */
void fbcon_move(struct fbcon *c, uintptr_t fb);
/* Write text: handles '\n', '\r', '\t', '\b'; wraps and scrolls. */
void fbcon_write(struct fbcon *c, const char *s, size_t len);
/* Colours of the characters written from now on (VGA attribute byte). */
void fbcon_set_attr(struct fbcon *c, uint8_t attr);
/* The most bytes of video memory one scroll can store: the preemption
 * budget of a console line (console_units). */
uint64_t fbcon_scroll_bytes(const struct fbcon *c);
