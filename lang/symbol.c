/* symbol.c — a table of interned names (open addressing, FNV-1a). */
#include "symbol.h"

#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct SymEntry {
    char *text; /* NULL when the slot is free */
    size_t len;
    uint64_t hash;
} SymEntry;

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void grow(SymTab *t)
{
    size_t ncap = t->cap ? t->cap * 2 : 256;
    SymEntry *nt = mem_calloc(ncap, sizeof *nt);
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].text)
            continue;
        size_t j = (size_t)t->slots[i].hash & (ncap - 1);
        while (nt[j].text)
            j = (j + 1) & (ncap - 1);
        nt[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = nt;
    t->cap = ncap;
}

Sym sym_intern(SymTab *t, const char *text, size_t len)
{
    if ((t->count + 1) * 2 > t->cap)
        grow(t);
    SymEntry *table = t->slots;
    size_t table_cap = t->cap;
    uint64_t h = hash_bytes(text, len);
    size_t j = (size_t)h & (table_cap - 1);
    while (table[j].text) {
        if (table[j].hash == h && table[j].len == len && memcmp(table[j].text, text, len) == 0)
            return table[j].text;
        j = (j + 1) & (table_cap - 1);
    }
    char *copy = mem_alloc(len + 1);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    table[j].text = copy;
    table[j].len = len;
    table[j].hash = h;
    t->count++;
    return copy;
}

Sym sym_intern_cstr(SymTab *t, const char *text)
{
    return sym_intern(t, text, strlen(text));
}

void symtab_free(SymTab *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].text);
    free(t->slots);
    *t = (SymTab){0};
}
