/* kernel/console/fbcon.c and font8x16.c: rendering at 32, 24 and 16 bpp in
 * RGB and BGR layouts, any pitch; cursor control, wrap, scroll, colours,
 * rejected formats, and the font's layout.
 *
 * The framebuffer fbcon is given is a PROT_NONE mapping: any load from it
 * (or store to it) by fbcon itself faults and kills the test. fbcon reaches
 * video memory only through fb_store, supplied here: it checks every store
 * lies inside the framebuffer, copies it into a shadow buffer of exactly
 * pitch * height bytes (ASan sees any overrun), and counts stores and
 * bytes, so the tests also measure how much a scroll redraws. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

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
	{ "32bpp BGR", 32, 83, 53, 83 * 4 + 12, 0, 8, 8, 8, 16, 8, 0xaaaaaa },
	{ "32bpp RGBX", 32, 80, 48, 80 * 4 + 64, 24, 8, 16, 8, 8, 8, 0xaaaaaa00 },
	{ "32bpp red only", 32, 80, 48, 320, 0, 8, 0, 0, 0, 0, 0xaa },
	{ "24bpp", 24, 83, 53, 83 * 3, 16, 8, 8, 8, 0, 8, 0xaaaaaa },
	{ "24bpp BGR", 24, 83, 53, 83 * 3 + 1, 0, 8, 8, 8, 16, 8, 0xaaaaaa },
	{ "24bpp red only", 24, 80, 48, 240, 16, 8, 0, 0, 0, 0, 0xaa0000 },
	{ "24bpp odd pitch", 24, 83, 53, 83 * 3 + 2, 16, 8, 8, 8, 0, 8, 0xaaaaaa },
	{ "16bpp 565", 16, 83, 53, 83 * 2, 11, 5, 5, 6, 0, 5, (21u << 11) | (42u << 5) | 21u },
	{ "16bpp 565 odd pitch", 16, 83, 53, 83 * 2 + 1, 11, 5, 5, 6, 0, 5,
	  (21u << 11) | (42u << 5) | 21u },
	{ "16bpp 555", 16, 80, 48, 160, 10, 5, 5, 5, 0, 5, (21u << 10) | (21u << 5) | 21u },
};

/* The fake video memory: fbcon gets `fake` (PROT_NONE), fb_store writes
 * `mem`. After fbcon_move, stores go to `fake2` (counted apart). */
struct screen {
	const struct cfg *cfg;
	uint8_t *mem;
	uint8_t *fake, *fake2;
	size_t size;
	uint64_t stores, bytes, old_stores, done;
	struct fbcon c;
};

static struct screen *cur; /* the screen fb_store writes */

void fb_store(uintptr_t dst, const void *src, size_t n)
{
	struct screen *s = cur;
	uintptr_t f = (uintptr_t)s->fake, f2 = (uintptr_t)s->fake2;

	if (s->fake2 && dst >= f2 && dst - f2 <= s->size && n <= s->size - (dst - f2)) {
		dst = dst - f2 + f;
	} else if (dst >= f && dst - f <= s->size && n <= s->size - (dst - f)) {
		s->old_stores += s->fake2 != NULL;
	} else {
		fprintf(stderr, "fb_store outside the framebuffer: %#lx + %zu\n", (unsigned long)dst, n);
		abort();
	}
	memcpy(s->mem + (dst - f), src, n);
	s->stores++;
	s->bytes += n;
}

void fb_store_done(void)
{
	cur->done++;
}

static uint8_t *no_access(size_t size)
{
	void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		abort();
	return p;
}

static bool screen_open(struct screen *s, const struct cfg *k)
{
	s->cfg = k;
	s->size = (size_t)k->pitch * k->height;
	s->mem = malloc(s->size);
	s->fake = no_access(s->size);
	s->fake2 = NULL;
	s->stores = s->bytes = s->old_stores = s->done = 0;
	memset(s->mem, SENTINEL, s->size);
	cur = s;
	return fbcon_init(&s->c, (uintptr_t)s->fake, k->pitch, k->width, k->height, k->bpp, k->rpos,
			  k->rsize, k->gpos, k->gsize, k->bpos, k->bsize);
}

static void screen_close(struct screen *s)
{
	munmap(s->fake, s->size);
	if (s->fake2)
		munmap(s->fake2, s->size);
	free(s->mem);
	cur = NULL;
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

/* Does character cell (cx, cy) show ch in fg on bg, pixel for pixel? */
static bool cell_is_in(const struct screen *s, uint32_t cx, uint32_t cy, unsigned char ch,
		       uint32_t fg, uint32_t bg)
{
	const uint8_t *g = glyph_of(ch);

	for (uint32_t y = 0; y < FONT_H; y++)
		for (uint32_t x = 0; x < FONT_W; x++) {
			uint32_t want = (g[y] & (0x80 >> x)) ? fg : bg;

			if (pixel(s, cx * FONT_W + x, cy * FONT_H + y) != want)
				return false;
		}
	return true;
}

static bool cell_is(const struct screen *s, uint32_t cx, uint32_t cy, unsigned char ch)
{
	return cell_is_in(s, cx, cy, ch, s->cfg->fg, 0);
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
	CHECK(s.c.palette[7] == k->fg && s.c.palette[0] == 0);
	CHECK(s.bytes == s.size - (k->pitch - k->width * (k->bpp / 8)) * k->height); /* cleared once */
	CHECK(s.done == 1);
	CHECK(row_is(&s, 0, "") && row_is(&s, 1, "") && row_is(&s, 2, ""));
	CHECK(margins_intact(&s));
	screen_close(&s);
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
	screen_close(&s);
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
	screen_close(&s);
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
	screen_close(&s);
}

/* A scroll redraws from the RAM text, never from the screen: ink put on the
 * screen behind fbcon's back stays where it is, and each row is redrawn
 * only as far as its old or new line reaches. */
static void test_scroll(const struct cfg *k)
{
	struct screen s;
	uint32_t bytes = k->bpp / 8, last_y = 3 * FONT_H - 1, ink = 0x11111111u >> (32 - k->bpp);
	uint64_t before;

	CHECK(screen_open(&s, k));
	put(&s, "one\ntwo\nthree");
	/* Ink in the last pixel column, which glyphs never use. */
	memset(s.mem + (size_t)last_y * k->pitch + (k->width - 1) * bytes, 0x11, bytes);
	before = s.bytes;
	put(&s, "\n");
	CHECK(row_is(&s, 0, "two") && row_is(&s, 1, "three") && s.c.cx == 0 && s.c.cy == 2);
	CHECK(s.bytes - before == (3 + 5 + 5) * FONT_H * FONT_W * bytes); /* "two", "three", "three" */
	CHECK(s.stores > 0 && s.done > 1);
	CHECK(pixel(&s, k->width - 1, last_y) == ink);          /* not moved up: never read */
	CHECK(pixel(&s, k->width - 1, last_y - FONT_H) == 0);
	memset(s.mem + (size_t)last_y * k->pitch + (k->width - 1) * bytes, 0, bytes);
	CHECK(row_blank(&s, 2));
	before = s.bytes;
	put(&s, "\n"); /* "three" over "two", the old "three" wiped, row 2 untouched */
	CHECK(row_is(&s, 0, "three") && row_blank(&s, 1) && row_blank(&s, 2));
	CHECK(s.bytes - before == (5 + 5) * FONT_H * FONT_W * bytes);
	before = s.bytes;
	put(&s, "\n"); /* only the old "three" is wiped */
	CHECK(s.bytes - before == 5 * FONT_H * FONT_W * bytes);
	put(&s, "four and more text");
	CHECK(row_is(&s, 0, "") && row_is(&s, 1, "four and m") && row_is(&s, 2, "ore text"));
	for (int i = 0; i < 7; i++)
		put(&s, "\n");
	CHECK(row_is(&s, 0, "") && row_is(&s, 1, "") && row_is(&s, 2, ""));
	before = s.bytes;
	put(&s, "\n\n\n"); /* a blank screen scrolls for free */
	CHECK(s.bytes == before);
	CHECK(margins_intact(&s));
	screen_close(&s);
}

/* Scrolling many lines keeps the ring of rows in order. */
static void test_scroll_long(const struct cfg *k)
{
	struct screen s;
	char line[16];
	bool ok = true;

	CHECK(screen_open(&s, k));
	for (int i = 0; i < 100; i++) {
		snprintf(line, sizeof(line), "%sline %d", i ? "\n" : "", i);
		put(&s, line);
		if (i >= 2) {
			char want[3][16];
			for (int j = 0; j < 3; j++)
				snprintf(want[j], sizeof(want[j]), "line %d", i - 2 + j);
			ok &= row_is(&s, 0, want[0]) && row_is(&s, 1, want[1]) && row_is(&s, 2, want[2]);
		}
	}
	CHECK(ok);
	CHECK(margins_intact(&s));
	screen_close(&s);
}

/* An 8-bit colour in a channel, scaled as the pixel format asks. */
static uint32_t chan(uint8_t v, uint8_t pos, uint8_t size)
{
	if (!size)
		return 0;
	return (size >= 8 ? (uint32_t)v << (size - 8) : (uint32_t)v >> (8 - size)) << pos;
}

static uint32_t rgb(const struct cfg *k, uint8_t r, uint8_t g, uint8_t b)
{
	return chan(r, k->rpos, k->rsize) | chan(g, k->gpos, k->gsize) | chan(b, k->bpos, k->bsize);
}

/* Attributes: white on red and bright blue on cyan land in the channels
 * the format names (RGB and BGR differ here, unlike grey), and survive a
 * scroll, which draws them from the RAM text. */
static void test_colours(const struct cfg *k)
{
	struct screen s;
	uint32_t white = rgb(k, 0xff, 0xff, 0xff), red = rgb(k, 0xaa, 0, 0);
	uint32_t lblue = rgb(k, 0x55, 0x55, 0xff), cyan = rgb(k, 0, 0xaa, 0xaa);

	CHECK(screen_open(&s, k));
	put(&s, "\n\n");
	fbcon_set_attr(&s.c, 0x4f);
	put(&s, "E ");
	fbcon_set_attr(&s.c, 0x39);
	put(&s, "b");
	fbcon_set_attr(&s.c, FBCON_ATTR_DEFAULT);
	put(&s, "c");
	CHECK(cell_is_in(&s, 0, 2, 'E', white, red) && cell_is_in(&s, 1, 2, ' ', white, red) &&
	      cell_is_in(&s, 2, 2, 'b', lblue, cyan) && cell_is(&s, 3, 2, 'c'));
	put(&s, "\n");
	CHECK(cell_is_in(&s, 0, 1, 'E', white, red) && cell_is_in(&s, 1, 1, ' ', white, red) &&
	      cell_is_in(&s, 2, 1, 'b', lblue, cyan) && cell_is(&s, 3, 1, 'c') && row_blank(&s, 2));
	if (k->rsize == 8 && k->bsize == 8 && k->bpp >= 24) { /* red's byte: where the tag says */
		const uint8_t *p = s.mem + (size_t)(FONT_H + 8) * k->pitch + FONT_W * (k->bpp / 8);
		CHECK(p[k->rpos / 8] == 0xaa && p[k->bpos / 8] == 0);
	}
	screen_close(&s);
}

/* One character costs one 8-pixel store per glyph row; after fbcon_move
 * nothing goes to the old address. */
static void test_store_count_and_move(const struct cfg *k)
{
	struct screen s;
	uint64_t st;

	CHECK(screen_open(&s, k));
	st = s.stores;
	put(&s, "x");
	CHECK(s.stores - st == FONT_H);
	s.fake2 = no_access(s.size);
	fbcon_move(&s.c, (uintptr_t)s.fake2);
	put(&s, "yz\n\n\nw");
	CHECK(s.old_stores == 0 && s.c.fb == (uintptr_t)s.fake2);
	CHECK(row_is(&s, 0, "") && row_is(&s, 1, "") && row_is(&s, 2, "w"));
	fbcon_move(&s.c, 0); /* ignored */
	CHECK(s.c.fb == (uintptr_t)s.fake2);
	screen_close(&s);
}

static void on_fault(int sig)
{
	(void)sig;
	_exit(42);
}

/* The PROT_NONE framebuffer really traps a read: the tests above would
 * have died on one. */
static void test_read_traps(void)
{
	uint8_t *p = no_access(4096);
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		struct sigaction sa = { .sa_handler = on_fault };
		volatile uint8_t v;

		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		v = *(volatile uint8_t *)p;
		(void)v;
		_exit(0);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
	munmap(p, 4096);
}

/* A screen larger than the RAM grid: the top-left 480x135 cells are used,
 * the rest stays black; it wraps and scrolls at the grid's edges. */
static void test_huge_screen(void)
{
	static const struct cfg k = { "huge", 32, 3848 + 7, 2160 + 40, (3848 + 7) * 4 + 8,
				      16, 8, 8, 8, 0, 8, 0xaaaaaa };
	struct screen s;
	char line[FBCON_MAX_COLS + 2];

	CHECK(screen_open(&s, &k));
	CHECK(s.c.cols == FBCON_MAX_COLS && s.c.rows == FBCON_MAX_ROWS);
	memset(line, 'm', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	put(&s, line); /* 481 characters: one wraps */
	CHECK(cell_is(&s, FBCON_MAX_COLS - 1, 0, 'm') && cell_is(&s, 0, 1, 'm') &&
	      cell_is(&s, 1, 1, ' ') && pixel(&s, FBCON_MAX_COLS * FONT_W, 8) == 0);
	for (int i = 0; i < FBCON_MAX_ROWS; i++)
		put(&s, "\n");
	put(&s, "end");
	CHECK(row_is(&s, FBCON_MAX_ROWS - 1, "end") && row_blank(&s, 0));
	CHECK(margins_intact(&s));
	screen_close(&s);
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
	screen_close(&s);
}

static bool init_fails(uint8_t *mem, uint32_t pitch, uint32_t w, uint32_t h, uint32_t bpp,
		       uint8_t rpos, uint8_t rsize)
{
	struct fbcon c;

	if (fbcon_init(&c, (uintptr_t)mem, pitch, w, h, bpp, rpos, rsize, 8, 8, 0, 8))
		return false;
	fbcon_write(&c, "ignored\n", 8); /* a failed console is a no-op */
	return c.cols == 0;
}

static void test_reject(void)
{
	static const struct cfg k = { "reject", 32, 128, 64, 64 * 8, 16, 8, 8, 8, 0, 8, 0xaaaaaa };
	struct screen s;
	uint8_t *mem;

	CHECK(screen_open(&s, &k)); /* its fake framebuffer holds the largest below */
	mem = s.fake;

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
	screen_close(&s);
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
		test_scroll_long(&cfgs[i]);
		test_colours(&cfgs[i]);
		test_store_count_and_move(&cfgs[i]);
		test_all_glyphs(&cfgs[i]);
		if (check_fail != before)
			fprintf(stderr, "failures in format %s\n", cfgs[i].name);
	}
	test_reject();
	test_read_traps();
	test_huge_screen();
	test_font();
	return check_summary("test_fbcon");
}
