/* symbol.c — the process-wide table of interned names (open addressing, FNV-1a). */
#include "symbol.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct SymEntry {
    char *text; /* NULL when the slot is free */
    size_t len;
    uint64_t hash;
} SymEntry;

static SymEntry *table;
static size_t table_cap, table_count;

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void out_of_memory(void)
{
    fputs("sqc: out of memory\n", stderr);
    abort();
}

static void grow(void)
{
    size_t ncap = table_cap ? table_cap * 2 : 256;
    SymEntry *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        out_of_memory();
    for (size_t i = 0; i < table_cap; i++) {
        if (!table[i].text)
            continue;
        size_t j = (size_t)table[i].hash & (ncap - 1);
        while (nt[j].text)
            j = (j + 1) & (ncap - 1);
        nt[j] = table[i];
    }
    free(table);
    table = nt;
    table_cap = ncap;
}

Sym sym_intern(const char *text, size_t len)
{
    if ((table_count + 1) * 2 > table_cap)
        grow();
    uint64_t h = hash_bytes(text, len);
    size_t j = (size_t)h & (table_cap - 1);
    while (table[j].text) {
        if (table[j].hash == h && table[j].len == len && memcmp(table[j].text, text, len) == 0)
            return table[j].text;
        j = (j + 1) & (table_cap - 1);
    }
    char *copy = malloc(len + 1);
    if (!copy)
        out_of_memory();
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    table[j].text = copy;
    table[j].len = len;
    table[j].hash = h;
    table_count++;
    return copy;
}

Sym sym_intern_cstr(const char *text)
{
    return sym_intern(text, strlen(text));
}

void sym_free_all(void)
{
    for (size_t i = 0; i < table_cap; i++)
        free(table[i].text);
    free(table);
    table = NULL;
    table_cap = table_count = 0;
}
