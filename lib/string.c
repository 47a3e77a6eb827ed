/* Freestanding implementations of the kstring.h functions. */
#include "kstring.h"

/* Word at a time when both pointers are 8-byte aligned (the common case:
 * message registers, objects), then bytes. */
void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d == s || n == 0)
		return dst;
	/* Eight bytes at a time when both are aligned (screen scrolls move
	 * kilobytes): each word is read before the overlapping one is written,
	 * forward when d < s, backward when d > s. */
	bool words = ((((uintptr_t)d | (uintptr_t)s) & 7) == 0);
	if (d < s) {
		for (; words && n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
		while (n--)
			*d++ = *s++;
	} else {
		for (; words && (n & 7); n--)
			d[n - 1] = s[n - 1];
		for (; words && n >= 8; n -= 8)
			*(uint64_t *)(void *)(d + n - 8) = *(const uint64_t *)(const void *)(s + n - 8);
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = 0x0101010101010101ull * (uint8_t)c;

	for (; n && ((uintptr_t)d & 7); n--)
		*d++ = (uint8_t)c;
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)(void *)d = w;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (uint8_t)*a - (uint8_t)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
