/*
 * Text console on a linear RGB framebuffer, in the built-in 8x16 font, at
 * 16, 24 or 32 bits per pixel in any channel layout (RGB, BGR, ...) and any
 * pitch (little-endian pixels at any byte address, so odd pitches work).
 *
 * The text is kept in RAM as a ring of rows; the screen is drawn from it one
 * scan line of a span of cells at a time, composed in RAM and stored with
 * fb_store. Video memory is never read. A scroll moves the ring (no copy)
 * and redraws each screen row only up to the longer of the line it showed
 * and the line it now shows, so blank tails cost nothing.
 *
 * Wrapping is deferred: a character that does not fit starts a new line when
 * it is drawn, so a full-width line followed by '\n' leaves no blank line.
 */
#include "fbcon.h"
#include "kstring.h"

#define TAB_STOP 8
#define BLANK(attr) ((uint16_t)(' ' | (attr) << 8))

/* The 16 VGA colours, as 8-bit R, G, B. */
static const uint8_t vga_rgb[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0x00, 0x00, 0xaa }, { 0x00, 0xaa, 0x00 }, { 0x00, 0xaa, 0xaa },
	{ 0xaa, 0x00, 0x00 }, { 0xaa, 0x00, 0xaa }, { 0xaa, 0x55, 0x00 }, { 0xaa, 0xaa, 0xaa },
	{ 0x55, 0x55, 0x55 }, { 0x55, 0x55, 0xff }, { 0x55, 0xff, 0x55 }, { 0x55, 0xff, 0xff },
	{ 0xff, 0x55, 0x55 }, { 0xff, 0x55, 0xff }, { 0xff, 0xff, 0x55 }, { 0xff, 0xff, 0xff },
};

/* An 8-bit intensity scaled to a size-bit channel at bit pos. */
static uint32_t pack_channel(uint8_t v, uint8_t pos, uint8_t size)
{
	uint32_t x;

	if (size == 0)
		return 0;
	x = size >= 8 ? (uint32_t)v << (size - 8) : (uint32_t)v >> (8 - size);
	return x << pos;
}

static uint32_t pack_rgb(const struct fbcon *c, const uint8_t *rgb)
{
	return pack_channel(rgb[0], c->rpos, c->rsize) | pack_channel(rgb[1], c->gpos, c->gsize) |
	       pack_channel(rgb[2], c->bpos, c->bsize);
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

/* Pixels are stored whole but may sit at any byte address of the line. */
typedef uint16_t __attribute__((aligned(1), may_alias)) pix16_t;
typedef uint32_t __attribute__((aligned(1), may_alias)) pix32_t;

/* One 8-pixel glyph row into the composed line at d; returns the end. */
static uint8_t *compose_cell(uint8_t *d, uint32_t bytes, unsigned bits, uint32_t fg, uint32_t bg)
{
	unsigned m;

	switch (bytes) {
	case 4:
		for (m = 0x80; m; m >>= 1, d += 4)
			*(pix32_t *)d = bits & m ? fg : bg;
		break;
	case 3:
		for (m = 0x80; m; m >>= 1, d += 3) {
			uint32_t v = bits & m ? fg : bg;
			*(pix16_t *)d = (uint16_t)v;
			d[2] = (uint8_t)(v >> 16);
		}
		break;
	default:
		for (m = 0x80; m; m >>= 1, d += 2)
			*(pix16_t *)d = (uint16_t)(bits & m ? fg : bg);
		break;
	}
	return d;
}

/* The 8 pixels of every glyph row pattern in the default colours, packed
 * (the common case becomes one copy per cell and scan line). */
static void build_expand(struct fbcon *c)
{
	uint32_t fg = c->palette[FBCON_ATTR_DEFAULT & 15], bg = c->palette[FBCON_ATTR_DEFAULT >> 4];

	for (unsigned bits = 0; bits < 256; bits++)
		compose_cell(c->expand[bits], c->bpp / 8, bits, fg, bg);
}

static uint8_t *copy_cell(uint8_t *d, const uint8_t *src, uint32_t bytes)
{
	switch (bytes) {
	case 4: __builtin_memcpy(d, src, 32); return d + 32;
	case 3: __builtin_memcpy(d, src, 24); return d + 24;
	default: __builtin_memcpy(d, src, 16); return d + 16;
	}
}

/* Compose scan line y (0..15) of cells [x0, x1) of ring row r into c->line. */
static void compose(struct fbcon *c, uint32_t r, uint32_t y, uint32_t x0, uint32_t x1)
{
	uint32_t bytes = c->bpp / 8;
	uint8_t *d = c->line;

	for (uint32_t x = x0; x < x1; x++) {
		uint16_t cell = x < c->len[r] ? c->text[r][x] : BLANK(FBCON_ATTR_DEFAULT);
		unsigned ch = cell & 0xff, bits;

		if (ch < FONT_FIRST || ch > FONT_LAST)
			ch = '?';
		bits = font8x16[ch - FONT_FIRST][y];
		if (cell >> 8 == FBCON_ATTR_DEFAULT)
			d = copy_cell(d, c->expand[bits], bytes);
		else
			d = compose_cell(d, bytes, bits, c->palette[(cell >> 8) & 15], c->palette[cell >> 12]);
	}
}

/* Draw cells [x0, x1) of ring row r on screen row sy. */
static void draw_span(struct fbcon *c, uint32_t sy, uint32_t r, uint32_t x0, uint32_t x1)
{
	uint32_t bytes = c->bpp / 8;
	uintptr_t dst = c->fb + (uintptr_t)sy * FONT_H * c->pitch + (uintptr_t)x0 * FONT_W * bytes;

	if (x0 >= x1)
		return;
	for (uint32_t y = 0; y < FONT_H; y++, dst += c->pitch) {
		compose(c, r, y, x0, x1);
		fb_store(dst, c->line, (size_t)(x1 - x0) * FONT_W * bytes);
	}
}

static uint32_t ring_row(const struct fbcon *c, uint32_t sy)
{
	return (c->top + sy) % c->rows;
}

/* Redraw what changed after a scroll: each screen row up to the longer of
 * its old and its new line. */
static void redraw(struct fbcon *c)
{
	for (uint32_t sy = 0; sy < c->rows; sy++) {
		uint32_t r = ring_row(c, sy), n = MAX(c->len[r], c->shown[sy]);

		draw_span(c, sy, r, 0, n);
		c->shown[sy] = c->len[r];
	}
}

static void line_feed(struct fbcon *c)
{
	c->cx = 0;
	if (c->cy + 1 < c->rows) {
		c->cy++;
		return;
	}
	c->len[c->top] = 0; /* the top line leaves; its ring row becomes the bottom */
	c->top = (c->top + 1) % c->rows;
	redraw(c);
}

static void put_glyph(struct fbcon *c, unsigned char ch)
{
	uint32_t r, sy;

	if (c->cx >= c->cols)
		line_feed(c);
	sy = c->cy;
	r = ring_row(c, sy);
	while (c->len[r] < c->cx)
		c->text[r][c->len[r]++] = BLANK(FBCON_ATTR_DEFAULT);
	c->text[r][c->cx] = (uint16_t)(ch | c->attr << 8);
	if (c->len[r] <= c->cx)
		c->len[r] = (uint16_t)(c->cx + 1);
	draw_span(c, sy, r, c->cx, c->cx + 1);
	c->shown[sy] = MAX(c->shown[sy], c->len[r]);
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

/* Every pixel of the screen, margins included, to black: line by line from
 * the zeroed composition buffer. */
static void clear_screen(struct fbcon *c)
{
	size_t line = (size_t)c->width * (c->bpp / 8);

	memset(c->line, 0, sizeof(c->line));
	for (uint32_t y = 0; y < c->height; y++)
		for (size_t off = 0; off < line; off += sizeof(c->line))
			fb_store(c->fb + (uintptr_t)y * c->pitch + off, c->line,
				 MIN(sizeof(c->line), line - off));
	fb_store_done();
}

bool fbcon_init(struct fbcon *c, uintptr_t fb, uint32_t pitch, uint32_t width, uint32_t height,
		uint32_t bpp, uint8_t rpos, uint8_t rsize, uint8_t gpos, uint8_t gsize, uint8_t bpos,
		uint8_t bsize)
{
	memset(c, 0, sizeof(*c));
	if (!fb || !format_ok(pitch, width, height, bpp) || !channel_fits(rpos, rsize, bpp) ||
	    !channel_fits(gpos, gsize, bpp) || !channel_fits(bpos, bsize, bpp))
		return false;
	c->fb = fb;
	c->pitch = pitch;
	c->width = width;
	c->height = height;
	c->bpp = bpp;
	c->rpos = rpos, c->rsize = rsize, c->gpos = gpos, c->gsize = gsize;
	c->bpos = bpos, c->bsize = bsize;
	c->attr = FBCON_ATTR_DEFAULT;
	for (int i = 0; i < 16; i++)
		c->palette[i] = pack_rgb(c, vga_rgb[i]);
	build_expand(c);
	clear_screen(c);
	c->cols = MIN(width / FONT_W, FBCON_MAX_COLS);
	c->rows = MIN(height / FONT_H, FBCON_MAX_ROWS);
	return true;
}

void fbcon_move(struct fbcon *c, uintptr_t fb)
{
	if (c->cols && fb)
		c->fb = fb;
}

void fbcon_set_attr(struct fbcon *c, uint8_t attr)
{
	c->attr = attr;
}

/* Draws len bytes at the cursor; a console whose init failed ignores it. */
void fbcon_write(struct fbcon *c, const char *s, size_t len)
{
	if (c->cols == 0)
		return;
	for (size_t i = 0; i < len; i++)
		put_char(c, (unsigned char)s[i]);
	fb_store_done();
}

uint64_t fbcon_scroll_bytes(const struct fbcon *c)
{
	return (uint64_t)c->cols * c->rows * FONT_W * FONT_H * (c->bpp / 8);
}
