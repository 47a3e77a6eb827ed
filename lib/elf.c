/* ELF64 executable checking (see elf.h). */
#include "elf.h"
#include "kstring.h"
#include "unaligned.h"

#define EH_SIZE 64
#define PH_SIZE 56
#define PT_LOAD 1


static const char *check_header(const uint8_t *e, uint64_t size)
{
	if (size < EH_SIZE || memcmp(e, "\x7F" "ELF", 4) != 0)
		return "elf: not an ELF file";
	if (e[4] != 2 || e[5] != 1)
		return "elf: not 64-bit little-endian";
	if (rd16(e + 16) != 2)
		return "elf: not an executable (ET_EXEC)";
	if (rd16(e + 18) != 62)
		return "elf: not x86-64";
	if (rd16(e + 54) != PH_SIZE)
		return "elf: unexpected program header size";
	if (rd64(e + 32) > size || (uint64_t)rd16(e + 56) * PH_SIZE > size - rd64(e + 32))
		return "elf: program headers outside the file";
	return NULL;
}

static const char *check_segment(const struct elf_segment *s, uint64_t size, uint64_t va_limit)
{
	if (s->filesz > s->memsz)
		return "elf: segment file size exceeds memory size";
	if (s->offset > size || s->filesz > size - s->offset)
		return "elf: segment data outside the file";
	if (s->vaddr > va_limit || s->memsz > va_limit - s->vaddr)
		return "elf: segment outside the allowed address range";
	return NULL;
}

static bool overlaps(const struct elf_segment *a, const struct elf_segment *b)
{
	uint64_t a0 = a->vaddr & ~4095ull, a1 = (a->vaddr + a->memsz + 4095) & ~4095ull;
	uint64_t b0 = b->vaddr & ~4095ull, b1 = (b->vaddr + b->memsz + 4095) & ~4095ull;

	return a0 < b1 && b0 < a1;
}

const char *elf_parse(const void *img, uint64_t size, uint64_t va_limit, struct elf_info *out)
{
	const uint8_t *e = img;
	const char *err;
	uint64_t phoff;
	uint16_t phnum;

	memset(out, 0, sizeof(*out));
	if (!img)
		return "elf: no image";
	if ((err = check_header(e, size)))
		return err;
	phoff = rd64(e + 32);
	phnum = rd16(e + 56);
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + (uint64_t)i * PH_SIZE;
		struct elf_segment s = { rd64(ph + 16), rd64(ph + 40), rd64(ph + 8), rd64(ph + 32),
					 rd32(ph + 4) };
		if (rd32(ph) != PT_LOAD || s.memsz == 0)
			continue;
		if (out->count == ELF_MAX_SEGMENTS)
			return "elf: too many loadable segments";
		if ((err = check_segment(&s, size, va_limit)))
			return err;
		for (uint32_t j = 0; j < out->count; j++)
			if (overlaps(&s, &out->seg[j]))
				return "elf: loadable segments share a page";
		out->seg[out->count++] = s;
	}
	out->entry = rd64(e + 24);
	if (out->count == 0)
		return "elf: no loadable segment";
	for (uint32_t j = 0; j < out->count; j++)
		if (out->entry >= out->seg[j].vaddr && out->entry < out->seg[j].vaddr + out->seg[j].memsz &&
		    (out->seg[j].flags & ELF_PF_X))
			return NULL;
	return "elf: entry point is not in an executable segment";
}
