/* kernel/console/fbcon.c and font8x16.c: rendering at 32, 24 and 16 bpp into
 * a heap buffer of exactly pitch * height bytes (ASan sees any overrun),
 * cursor control, wrap, scroll, rejected formats, and the font's layout. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fbcon.h"

#define SENTINEL 0xa5

struct cfg {
	const char *name;
	uint32_t bpp, width, height, pitch;
	uint8_t rpos, rsize, gpos, gsize, bpos, bsize;
	uint32_t fg; /* light grey, packed by hand */
};

/* Screens of 10x3 characters plus spare pixels right and below. */
static const struct cfg cfgs[] = {
	{ "32bpp", 32, 83, 53, 83 * 4, 16, 8, 8, 8, 0, 8, 0xaaaaaa },
	{ "32bpp odd pitch", 32, 83, 53, 83 * 4 + 3, 16, 8, 8, 8, 0, 8, 0xaaaaaa },
	{ "32bpp RGBX", 32, 80, 48, 80 * 4 + 64, 24, 8, 16, 8, 8, 8, 0xaaaaaa00 },
	{ "32bpp red only", 32, 80, 48, 320, 0, 8, 0, 0, 0, 0, 0xaa },
	{ "24bpp", 24, 83, 53, 83 * 3, 16, 8, 8, 8, 0, 8, 0xaaaaaa },
	{ "24bpp red only", 24, 80, 48, 240, 16, 8, 0, 0, 0, 0, 0xaa0000 },
	{ "24bpp odd pitch", 24, 83, 53, 83 * 3 + 2, 16, 8, 8, 8, 0, 8, 0xaaaaaa },
	{ "16bpp 565", 16, 83, 53, 83 * 2, 11, 5, 5, 6, 0, 5, (21u << 11) | (42u << 5) | 21u },
	{ "16bpp 565 odd pitch", 16, 83, 53, 83 * 2 + 1, 11, 5, 5, 6, 0, 5,
	  (21u << 11) | (42u << 5) | 21u },
	{ "16bpp 555", 16, 80, 48, 160, 10, 5, 5, 5, 0, 5, (21u << 10) | (21u << 5) | 21u },
};

struct screen {
	const struct cfg *cfg;
	uint8_t *mem;
	struct fbcon c;
};

static bool screen_open(struct screen *s, const struct cfg *k)
{
	size_t size = (size_t)k->pitch * k->height;

	s->cfg = k;
	s->mem = malloc(size);
	memset(s->mem, SENTINEL, size);
	return fbcon_init(&s->c, s->mem, k->pitch, k->width, k->height, k->bpp, k->rpos,
			  k->rsize, k->gpos, k->gsize, k->bpos, k->bsize);
}

static void put(struct screen *s, const char *text)
{
	fbcon_write(&s->c, text, strlen(text));
}

static uint32_t pixel(const struct screen *s, uint32_t x, uint32_t y)
{
	const uint8_t *p = s->mem + (size_t)y * s->cfg->pitch + (size_t)x * (s->cfg->bpp / 8);
	uint32_t v = 0;

	for (uint32_t i = 0; i < s->cfg->bpp / 8; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static const uint8_t *glyph_of(unsigned char ch)
{
	return font8x16[(ch < FONT_FIRST || ch > FONT_LAST ? '?' : ch) - FONT_FIRST];
}

/* Does character cell (cx, cy) show ch, pixel for pixel? */
static bool cell_is(const struct screen *s, uint32_t cx, uint32_t cy, unsigned char ch)
{
	const uint8_t *g = glyph_of(ch);

	for (uint32_t y = 0; y < FONT_H; y++)
		for (uint32_t x = 0; x < FONT_W; x++) {
			uint32_t want = (g[y] & (0x80 >> x)) ? s->cfg->fg : 0;

			if (pixel(s, cx * FONT_W + x, cy * FONT_H + y) != want)
				return false;
		}
	return true;
}

static bool row_is(const struct screen *s, uint32_t cy, const char *text)
{
	for (uint32_t cx = 0; cx < s->c.cols; cx++)
		if (!cell_is(s, cx, cy, *text ? (unsigned char)*text++ : ' '))
			return false;
	return true;
}

/* The spare pixels right of and below the text area stay background, and
 * the bytes past each line's last pixel are never written. */
static bool margins_intact(const struct screen *s)
{
	const struct cfg *k = s->cfg;

	for (uint32_t y = 0; y < k->height; y++) {
		for (uint32_t x = y < s->c.rows * FONT_H ? s->c.cols * FONT_W : 0; x < k->width; x++)
			if (pixel(s, x, y) != 0)
				return false;
		for (uint32_t b = k->width * (k->bpp / 8); b < k->pitch; b++)
			if (s->mem[(size_t)y * k->pitch + b] != SENTINEL)
				return false;
	}
	return true;
}

/* Every pixel of text row cy, the margin included, is background. */
static bool row_blank(const struct screen *s, uint32_t cy)
{
	for (uint32_t y = cy * FONT_H; y < (cy + 1) * FONT_H; y++)
		for (uint32_t x = 0; x < s->cfg->width; x++)
			if (pixel(s, x, y) != 0)
				return false;
	return true;
}

static void test_init(const struct cfg *k)
{
	struct screen s;

	CHECK(screen_open(&s, k));
	CHECK(s.c.cols == k->width / 8 && s.c.rows == k->height / 16);
	CHECK(s.c.cx == 0 && s.c.cy == 0);
	CHECK(s.c.fg == k->fg && s.c.bg == 0);
	CHECK(row_is(&s, 0, "") && row_is(&s, 1, "") && row_is(&s, 2, ""));
	CHECK(margins_intact(&s));
	free(s.mem);
}

static void test_text(const struct cfg *k)
{
	struct screen s;

	CHECK(screen_open(&s, k));
	put(&s, "Ag{");
	CHECK(cell_is(&s, 0, 0, 'A') && cell_is(&s, 1, 0, 'g') && cell_is(&s, 2, 0, '{'));
	CHECK(s.c.cx == 3 && s.c.cy == 0);
	fbcon_write(&s.c, "\x01\x7f\x80\xff", 4); /* unprintable: '?' */
	CHECK(row_is(&s, 0, "Ag{????"));
	put(&s, "\nab\rX");
	CHECK(row_is(&s, 1, "Xb") && s.c.cx == 1 && s.c.cy == 1);
	put(&s, "cd\b\bYZ\b");
	CHECK(row_is(&s, 1, "XYZ") && s.c.cx == 2);
	put(&s, "\r\b\b.");
	CHECK(row_is(&s, 1, ".YZ"));
	CHECK(margins_intact(&s));
	free(s.mem);
}

static void test_tab(const struct cfg *k)
{
	struct screen s;

	CHECK(screen_open(&s, k));
	put(&s, "a\tb");
	CHECK(row_is(&s, 0, "a       b") && s.c.cx == 9);
	put(&s, "\t");
	CHECK(s.c.cx == 10 && s.c.cy == 0); /* past the last stop: pending wrap */
	put(&s, "c");
	CHECK(row_is(&s, 1, "c") && s.c.cx == 1 && s.c.cy == 1);
	put(&s, "\t\tx");
	CHECK(row_is(&s, 2, "x") && s.c.cy == 2);
	free(s.mem);
}

static void test_wrap(const struct cfg *k)
{
	struct screen s;

	CHECK(screen_open(&s, k));
	put(&s, "0123456789");
	CHECK(s.c.cx == 10 && s.c.cy == 0 && row_is(&s, 0, "0123456789"));
	put(&s, "\nA"); /* a full line then '\n' is one line, not two */
	CHECK(row_is(&s, 1, "A") && s.c.cy == 1);
	put(&s, "BCDEFGHIJKL");
	CHECK(row_is(&s, 1, "ABCDEFGHIJ") && row_is(&s, 2, "KL") && s.c.cx == 2 && s.c.cy == 2);
	CHECK(margins_intact(&s));
	free(s.mem);
}

static void test_scroll(const struct cfg *k)
{
	struct screen s;
	size_t text_row = (size_t)FONT_H * k->pitch;
	uint8_t *before = malloc(2 * text_row);

	CHECK(screen_open(&s, k));
	put(&s, "one\ntwo\nthree");
	/* Ink in the last pixel column too, which glyphs never use. */
	memset(s.mem + 3 * text_row - k->pitch + (k->width - 1) * (k->bpp / 8), 0x11, k->bpp / 8);
	memcpy(before, s.mem + text_row, 2 * text_row);
	put(&s, "\n");
	CHECK(memcmp(s.mem, before, 2 * text_row) == 0); /* moved up one text row */
	CHECK(row_is(&s, 0, "two") && row_blank(&s, 2) && s.c.cx == 0 && s.c.cy == 2);
	CHECK(pixel(&s, k->width - 1, 2 * FONT_H - 1) == 0x11111111u >> (32 - k->bpp));
	memset(s.mem + 2 * text_row - k->pitch + (k->width - 1) * (k->bpp / 8), 0, k->bpp / 8);
	CHECK(row_is(&s, 1, "three"));
	put(&s, "four and more text");
	CHECK(row_is(&s, 0, "three") && row_is(&s, 1, "four and m") && row_is(&s, 2, "ore text"));
	for (int i = 0; i < 7; i++)
		put(&s, "\n");
	CHECK(row_is(&s, 0, "") && row_is(&s, 1, "") && row_is(&s, 2, ""));
	CHECK(margins_intact(&s));
	free(before);
	free(s.mem);
}

/* Every printable character, on a 16x6 screen, in each format. */
static void test_all_glyphs(const struct cfg *k0)
{
	struct cfg k = *k0;
	struct screen s;
	bool ok = true;

	k.width = 16 * FONT_W;
	k.height = 6 * FONT_H;
	k.pitch = k.width * (k.bpp / 8) + (k0->pitch - k0->width * (k0->bpp / 8));
	CHECK(screen_open(&s, &k));
	for (int ch = FONT_FIRST; ch <= FONT_LAST; ch++) {
		char c = (char)ch;

		fbcon_write(&s.c, &c, 1);
	}
	for (int ch = FONT_FIRST; ch <= FONT_LAST; ch++)
		ok &= cell_is(&s, (uint32_t)(ch - FONT_FIRST) % 16, (uint32_t)(ch - FONT_FIRST) / 16,
			      (unsigned char)ch);
	CHECK(ok);
	CHECK(margins_intact(&s));
	free(s.mem);
}

static bool init_fails(uint8_t *mem, uint32_t pitch, uint32_t w, uint32_t h, uint32_t bpp,
		       uint8_t rpos, uint8_t rsize)
{
	struct fbcon c;

	if (fbcon_init(&c, mem, pitch, w, h, bpp, rpos, rsize, 8, 8, 0, 8))
		return false;
	fbcon_write(&c, "ignored\n", 8); /* a failed console is a no-op */
	return c.cols == 0;
}

static void test_reject(void)
{
	static uint8_t mem[64 * 64 * 4];

	CHECK(!init_fails(mem, 64 * 4, 64, 64, 32, 16, 8)); /* the baseline is fine */
	CHECK(init_fails(mem, 64, 64, 64, 8, 5, 3));
	CHECK(init_fails(mem, 64 * 2, 64, 64, 15, 10, 5));
	CHECK(init_fails(mem, 64 * 4, 64, 64, 0, 16, 8));
	CHECK(init_fails(mem, 64 * 8, 64, 64, 64, 16, 8));
	CHECK(init_fails(mem, 64 * 4, 0, 64, 32, 16, 8));
	CHECK(init_fails(mem, 64 * 4, 64, 0, 32, 16, 8));
	CHECK(init_fails(mem, 64 * 4, 7, 64, 32, 16, 8));  /* narrower than a character */
	CHECK(init_fails(mem, 64 * 4, 64, 15, 32, 16, 8)); /* shorter than a character */
	CHECK(!init_fails(mem, 8 * 4, 8, 16, 32, 16, 8));  /* exactly one character */
	CHECK(init_fails(mem, 64 * 4 - 1, 64, 64, 32, 16, 8));
	CHECK(init_fails(mem, 64 * 3 - 1, 64, 64, 24, 16, 8));
	CHECK(init_fails(mem, 0, 64, 64, 16, 11, 5));
	CHECK(init_fails(NULL, 64 * 4, 64, 64, 32, 16, 8));
	CHECK(init_fails(mem, 64 * 2, 64, 64, 16, 11, 8)); /* red outside the pixel */
	CHECK(init_fails(mem, 64 * 3, 64, 64, 24, 20, 8));
	CHECK(init_fails(mem, 64 * 4, 64, 64, 32, 255, 8));
	CHECK(init_fails(mem, 64 * 4, 0x40000000u, 64, 32, 16, 8)); /* pitch overflow */
}

/* ---- the font itself ---- */

static int ink_top(const uint8_t *g)
{
	for (int y = 0; y < FONT_H; y++)
		if (g[y])
			return y;
	return -1;
}

static int ink_bottom(const uint8_t *g)
{
	for (int y = FONT_H - 1; y >= 0; y--)
		if (g[y])
			return y;
	return -1;
}

static unsigned ink_columns(const uint8_t *g)
{
	unsigned cols = 0;

	for (int y = 0; y < FONT_H; y++)
		cols |= g[y];
	return cols;
}

static bool in(const char *set, int ch)
{
	return strchr(set, ch) != NULL;
}

/* The vertical band a character's ink must fill exactly. */
static void expected_band(int ch, int *top, int *bottom)
{
	*top = -1;
	if ((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || in("bdfhiklt", ch))
		*top = 3, *bottom = 12;
	if (in("acemnorsuvwxz", ch))
		*top = 6, *bottom = 12;
	if (in("gpqy", ch))
		*top = 6, *bottom = 14;
	if (ch == 'j' || ch == 'Q')
		*top = 3, *bottom = 14;
}

static void test_font(void)
{
	for (int i = 0; i < FONT_LAST - FONT_FIRST + 1; i++) {
		const uint8_t *g = font8x16[i];
		int ch = FONT_FIRST + i, top, bottom;
		unsigned cols = ink_columns(g);

		CHECK((ch == ' ') == (cols == 0)); /* blank exactly for space */
		CHECK((cols & 1) == 0);            /* column 7: gap between letters */
		CHECK(g[0] == 0 && g[1] == 0 && g[15] == 0); /* gap between lines */
		for (int j = 0; j < i; j++)
			CHECK(memcmp(g, font8x16[j], FONT_H) != 0);
		expected_band(ch, &top, &bottom);
		if (top >= 0) /* letters and digits: their band, 4+ pixels wide */
			CHECK(ink_top(g) == top && ink_bottom(g) == bottom &&
			      __builtin_popcount(cols) >= 4);
		CHECK(ch == ' ' || (ink_top(g) >= 2 && ink_bottom(g) <= 14));
	}
	CHECK(ink_top(font8x16['_' - FONT_FIRST]) == 14);
	CHECK(ink_columns(font8x16['_' - FONT_FIRST]) == 0xfe);
	CHECK(ink_columns(font8x16['H' - FONT_FIRST]) == 0xfe); /* full 7-pixel width */
}

int main(void)
{
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		unsigned before = check_fail;

		test_init(&cfgs[i]);
		test_text(&cfgs[i]);
		test_tab(&cfgs[i]);
		test_wrap(&cfgs[i]);
		test_scroll(&cfgs[i]);
		test_all_glyphs(&cfgs[i]);
		if (check_fail != before)
			fprintf(stderr, "failures in format %s\n", cfgs[i].name);
	}
	test_reject();
	test_font();
	return check_summary("test_fbcon");
}
