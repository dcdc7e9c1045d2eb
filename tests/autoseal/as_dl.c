// SPDX-License-Identifier: GPL-2.0
/* libas_dl.so: what as_prog dlopen()s; never sealed by autoseal. */
const char as_dl_rodata[] = "as_dl rodata";
int as_dl_counter = 1;

const char *as_dl_hello(void)
{
	as_dl_counter++;
	return as_dl_rodata;
}
