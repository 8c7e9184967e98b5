// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Check tests of src/elf.c; checkmk turns this into C.
 *
 * The files are written here, byte by byte as the ELF specification lays
 * them out, so each test says which header field it bends; the test
 * program itself (built with -g, so with .debug_info, as readelf -S
 * shows) is the one file made by a real toolchain.
 */

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpk/elf.h"

/* How write_elf() bends a well-formed file. */
struct bend {
	unsigned char class;	/* EI_CLASS; 0: ELFCLASS64 */
	bool no_table;		/* e_shoff 0 */
	bool extended;		/* e_shnum 0, the count in section 0 */
	bool unterminated;	/* the last name has no NUL */
	size_t keep;		/* bytes kept (0: all) */
	bool not_elf;		/* a wrong magic */
};

/* The file: unlinked as soon as made, read through /proc/self/fd. */
static char path[64];
static int fd = -1;

/*
 * An ELF64 file at path: the header, the section names, then the table:
 * the null section, one per @names, and .shstrtab last. Returns where
 * the table starts.
 */
static size_t write_elf(const char *const *names, size_t n,
		      const struct bend *b)
{
	char strtab[512];
	size_t slen = 1, i, nsec = n + 2;
	Elf64_Shdr sh[16];
	char tmpl[] = "/tmp/mpk-elf-test-XXXXXX";
	Elf64_Ehdr eh;
	FILE *f;

	ck_assert_uint_lt(nsec, 16);
	memset(sh, 0, sizeof(sh));
	strtab[0] = '\0';
	for (i = 0; i <= n; i++) {
		const char *name = i < n ? names[i] : ".shstrtab";

		sh[i + 1].sh_name = slen;
		sh[i + 1].sh_type = i < n ? SHT_PROGBITS : SHT_STRTAB;
		strcpy(strtab + slen, name);
		slen += strlen(name) + 1;
	}
	if (b->unterminated)
		slen--;
	sh[nsec - 1].sh_offset = sizeof(eh);
	sh[nsec - 1].sh_size = slen;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	if (b->not_elf)
		eh.e_ident[1] = 'X';
	eh.e_ident[EI_CLASS] = b->class ? b->class : ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shoff = b->no_table ? 0 : sizeof(eh) + slen;
	eh.e_shnum = b->extended ? 0 : nsec;
	eh.e_shstrndx = nsec - 1;
	if (b->extended)
		sh[0].sh_size = nsec;
	fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	unlink(tmpl);		/* nothing left behind, whatever fails */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	f = fdopen(dup(fd), "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(&eh, sizeof(eh), 1, f), 1);
	ck_assert_uint_eq(fwrite(strtab, slen, 1, f), 1);
	ck_assert_uint_eq(fwrite(sh, sizeof(sh[0]), nsec, f), nsec);
	ck_assert_int_eq(fclose(f), 0);
	if (b->keep)
		ck_assert_int_eq(ftruncate(fd, b->keep), 0);
	return sizeof(eh) + slen;
}

/* mpk_elf_has_section() on path, which must succeed. */
static bool has(const char *name)
{
	bool found = false;
	struct mpk_error *err = mpk_elf_has_section(path, name, &found);

	ck_assert_msg(err == NULL, "%s: %s", path, err ? err->message : "");
	return found;
}

/* Its error on path: code and message, freed. */
static void ck_err(enum mpk_error_code code, const char *message)
{
	bool found = true;
	struct mpk_error *err = mpk_elf_has_section(path, ".debug_info",
						    &found);

	ck_assert_msg(err != NULL, "expected error '%s', got success", message);
	ck_assert_int_eq(err->code, code);
	ck_assert_str_eq(err->message, message);
	ck_assert(found);		/* untouched on failure */
	mpk_error_destroy(err);
}

static void remove_file(void)
{
	close(fd);
	fd = -1;
}

static const char *const stripped[] = { ".text", ".BTF", ".symtab" };
static const char *const debug[] = { ".text", ".debug_info", ".BTF" };

#suite elf

#tcase sections

#test the_test_program_built_with_g_has_debug_info_and_no_made_up_section
	bool found = false;

	ck_assert_ptr_null(mpk_elf_has_section("/proc/self/exe",
					       ".debug_info", &found));
	ck_assert(found);
	ck_assert_ptr_null(mpk_elf_has_section("/proc/self/exe",
					       ".no_such_section", &found));
	ck_assert(!found);

#test a_stripped_module_has_btf_but_no_debug_info
	write_elf(stripped, 3, &(struct bend){ 0 });
	ck_assert(has(".BTF"));
	ck_assert(!has(".debug_info"));
	remove_file();

#test a_debug_module_has_debug_info
	write_elf(debug, 3, &(struct bend){ 0 });
	ck_assert(has(".debug_info"));
	remove_file();

#test a_prefix_of_a_section_name_is_not_that_section
	static const char *const names[] = { ".debug_info_extra",
					     ".rela.debug_info" };

	write_elf(names, 2, &(struct bend){ 0 });
	ck_assert(!has(".debug_info"));
	ck_assert(!has(".debug"));
	remove_file();

#test the_last_name_without_its_nul_still_matches
	write_elf(debug, 3, &(struct bend){ .unterminated = true });
	ck_assert(has(".shstrtab"));	/* the last name, its NUL cut */
	ck_assert(!has(".shstrta"));
	ck_assert(has(".debug_info"));
	remove_file();

#test no_section_header_table_has_no_section
	write_elf(debug, 3, &(struct bend){ .no_table = true });
	ck_assert(!has(".debug_info"));
	remove_file();

#test extended_numbering_takes_the_count_from_section_zero
	write_elf(debug, 3, &(struct bend){ .extended = true });
	ck_assert(has(".debug_info"));
	remove_file();

#tcase errors

#test a_missing_file_is_an_os_error_with_errno
	bool found = true;
	struct mpk_error *err = mpk_elf_has_section("/nonexistent/x.ko",
						    ".debug_info", &found);

	ck_assert_ptr_nonnull(err);
	ck_assert_int_eq(err->code, MPK_ERROR_OS);
	ck_assert_int_eq(err->errnum, ENOENT);
	ck_assert_str_eq(err->message,
			 "/nonexistent/x.ko: No such file or directory");
	ck_assert(found);
	mpk_error_destroy(err);

#test a_file_that_is_not_elf_is_invalid
	char want[128];

	write_elf(debug, 3, &(struct bend){ .not_elf = true });
	snprintf(want, sizeof(want), "%s: not an ELF file", path);
	ck_err(MPK_ERROR_INVALID, want);
	remove_file();

#test a_32_bit_file_is_invalid
	char want[128];

	write_elf(debug, 3, &(struct bend){ .class = ELFCLASS32 });
	snprintf(want, sizeof(want), "%s: not a 64-bit ELF file", path);
	ck_err(MPK_ERROR_INVALID, want);
	remove_file();

#test a_section_table_cut_short_is_invalid
	char want[128];

	size_t table = write_elf(debug, 3, &(struct bend){ 0 });

	remove_file();
	/* the table of 5 sections ends the file: cut its last byte */
	write_elf(debug, 3, &(struct bend){ .keep = table +
					    5 * sizeof(Elf64_Shdr) - 1 });
	snprintf(want, sizeof(want), "%s: %zu bytes at %#zx past its end",
		 path, 5 * sizeof(Elf64_Shdr), table);
	ck_err(MPK_ERROR_INVALID, want);
	remove_file();

#test a_file_shorter_than_its_header_is_invalid
	char want[128];

	write_elf(debug, 3, &(struct bend){ .keep = sizeof(Elf64_Ehdr) - 1 });
	snprintf(want, sizeof(want), "%s: 64 bytes at 0 past its end", path);
	ck_err(MPK_ERROR_INVALID, want);
	remove_file();
