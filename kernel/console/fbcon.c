/*
 * Text console on a linear RGB framebuffer: light grey on black in the
 * built-in 8x16 font, at 16, 24 or 32 bits per pixel (little-endian
 * pixels at any byte address, so any pitch, odd ones too, works). Wrapping
 * is deferred: a character that does not fit starts a new line when it is
 * drawn, so a full-width line followed by '\n' leaves no blank line.
 */
#include "fbcon.h"
#include "kstring.h"

#define FG_GREY 0xaa /* VGA light grey, per channel */
#define TAB_STOP 8

/* An 8-bit intensity scaled to a size-bit channel at bit pos. */
static uint32_t pack_channel(uint8_t v, uint8_t pos, uint8_t size)
{
	uint32_t x;

	if (size == 0)
		return 0;
	x = size >= 8 ? (uint32_t)v << (size - 8) : (uint32_t)v >> (8 - size);
	return x << pos;
}

static uint32_t pack_rgb(const struct fbcon *c, uint8_t r, uint8_t g, uint8_t b)
{
	return pack_channel(r, c->rpos, c->rsize) | pack_channel(g, c->gpos, c->gsize) |
	       pack_channel(b, c->bpos, c->bsize);
}

static bool channel_fits(uint8_t pos, uint8_t size, uint32_t bpp)
{
	return size <= 32 && (uint32_t)pos + size <= bpp;
}

static bool format_ok(uint32_t pitch, uint32_t width, uint32_t height, uint32_t bpp)
{
	if (bpp != 16 && bpp != 24 && bpp != 32)
		return false;
	if (width < FONT_W || height < FONT_H)
		return false;
	return pitch >= (uint64_t)width * (bpp / 8);
}

/* Pixels are stored whole but may sit at any byte address (odd pitch). */
typedef uint16_t __attribute__((aligned(1), may_alias)) pix16_t;
typedef uint32_t __attribute__((aligned(1), may_alias)) pix32_t;

static void put16(uint8_t *p, uint32_t v)
{
	*(pix16_t *)p = (uint16_t)v;
}

static void put24(uint8_t *p, uint32_t v)
{
	*(pix16_t *)p = (uint16_t)v;
	p[2] = (uint8_t)(v >> 16);
}

static void put32(uint8_t *p, uint32_t v)
{
	*(pix32_t *)p = v;
}

/* One 8-pixel glyph row at p: set bits in fg, clear ones in bg. */
static void paint_row(uint8_t *p, uint32_t bpp, unsigned bits, uint32_t fg, uint32_t bg)
{
	unsigned m;

	switch (bpp) {
	case 32:
		for (m = 0x80; m; m >>= 1, p += 4)
			put32(p, bits & m ? fg : bg);
		break;
	case 24:
		for (m = 0x80; m; m >>= 1, p += 3)
			put24(p, bits & m ? fg : bg);
		break;
	default:
		for (m = 0x80; m; m >>= 1, p += 2)
			put16(p, bits & m ? fg : bg);
		break;
	}
}

/* Fill n pixels of one framebuffer line with the background. */
static void fill_line(const struct fbcon *c, uint8_t *p, uint32_t n)
{
	uint32_t bytes = c->bpp / 8;

	if (c->bg == 0) {
		memset(p, 0, (size_t)n * bytes);
		return;
	}
	for (; n; n--, p += bytes) {
		if (bytes == 4)
			put32(p, c->bg);
		else if (bytes == 3)
			put24(p, c->bg);
		else
			put16(p, c->bg);
	}
}

static uint8_t *cell_addr(const struct fbcon *c, uint32_t cx, uint32_t cy)
{
	return c->base + (size_t)cy * FONT_H * c->pitch + (size_t)cx * FONT_W * (c->bpp / 8);
}

static void draw_glyph(const struct fbcon *c, uint32_t cx, uint32_t cy, unsigned char ch)
{
	const uint8_t *glyph = font8x16[(ch < FONT_FIRST || ch > FONT_LAST ? '?' : ch) - FONT_FIRST];
	uint8_t *row = cell_addr(c, cx, cy);
	uint32_t pitch = c->pitch, bpp = c->bpp, fg = c->fg, bg = c->bg;

	for (unsigned y = 0; y < FONT_H; y++, row += pitch)
		paint_row(row, bpp, glyph[y], fg, bg);
}

/* Clear text row cy across the whole visible width. */
static void clear_text_row(const struct fbcon *c, uint32_t cy)
{
	uint8_t *line = cell_addr(c, 0, cy);

	for (unsigned y = 0; y < FONT_H; y++, line += c->pitch)
		fill_line(c, line, c->width);
}

/* Move every text row up by one and clear the last. */
static void scroll_up(const struct fbcon *c)
{
	size_t text_row = (size_t)FONT_H * c->pitch;

	memmove(c->base, c->base + text_row, text_row * (c->rows - 1));
	clear_text_row(c, c->rows - 1);
}

static void line_feed(struct fbcon *c)
{
	c->cx = 0;
	if (c->cy + 1 < c->rows)
		c->cy++;
	else
		scroll_up(c);
}

static void put_glyph(struct fbcon *c, unsigned char ch)
{
	if (c->cx >= c->cols)
		line_feed(c);
	draw_glyph(c, c->cx, c->cy, ch);
	c->cx++;
}

static void put_char(struct fbcon *c, unsigned char ch)
{
	switch (ch) {
	case '\n': line_feed(c); break;
	case '\r': c->cx = 0; break;
	case '\b':
		if (c->cx > 0)
			c->cx--;
		break;
	case '\t': c->cx = MIN((c->cx / TAB_STOP + 1) * TAB_STOP, c->cols); break;
	default: put_glyph(c, ch); break;
	}
}

/* Sets up c over the mapped framebuffer and clears the screen. Rejects
 * bpp other than 16/24/32, a screen under one character, a pitch shorter
 * than a line, and colour channels outside the pixel. */
bool fbcon_init(struct fbcon *c, void *base, uint32_t pitch, uint32_t width, uint32_t height,
		uint32_t bpp, uint8_t rpos, uint8_t rsize, uint8_t gpos, uint8_t gsize, uint8_t bpos,
		uint8_t bsize)
{
	memset(c, 0, sizeof(*c));
	if (!base || !format_ok(pitch, width, height, bpp) || !channel_fits(rpos, rsize, bpp) ||
	    !channel_fits(gpos, gsize, bpp) || !channel_fits(bpos, bsize, bpp))
		return false;
	*c = (struct fbcon){ .base = base, .pitch = pitch, .width = width, .height = height,
			     .bpp = bpp, .rpos = rpos, .rsize = rsize, .gpos = gpos, .gsize = gsize,
			     .bpos = bpos, .bsize = bsize, .cols = width / FONT_W,
			     .rows = height / FONT_H };
	c->fg = pack_rgb(c, FG_GREY, FG_GREY, FG_GREY);
	c->bg = pack_rgb(c, 0, 0, 0);
	for (uint32_t y = 0; y < height; y++)
		fill_line(c, c->base + (size_t)y * pitch, width);
	return true;
}

/* Draws len bytes at the cursor; a console whose init failed ignores it. */
void fbcon_write(struct fbcon *c, const char *s, size_t len)
{
	if (c->cols == 0)
		return;
	for (size_t i = 0; i < len; i++)
		put_char(c, (unsigned char)s[i]);
}
