/* test_values.c — containers that must grow in amortised O(1) (#15): the `append(xs, v)`
 * statement writes the list in place when one name holds it, records find their keys through a
 * hash index, and a call with many keyword arguments finds their parameters by hash. These check
 * the mechanism (the same list object, the index built), not the time, and the results. */
#include <stdio.h>
#include <string.h>

#include "builtins.h"
#include "eval.h"
#include "symbol.h"

#include "unit_check.h"

/* Runs code in I; false (and the error printed) when it fails. */
static int run(Interp *I, const char *code) {
    ParseError perr;
    if (interp_run(I, source_from_string("<test>", code, strlen(code)), &perr, NULL) == EV_OK) return 1;
    if (I->err.set) interp_print_error(I, stdout);
    else printf("syntax error: %s\n", perr.message);
    return 0;
}

static Value global(Interp *I, const char *name) {
    Value v = val_nil();
    interp_get_global(I, sym_intern_cstr(&I->syms, name), &v);
    return v;
}

static void test_append_in_place(void) {
    Interp I;
    interp_init(&I, stdout);
    stdlib_open(&I);
    check("setup", run(&I, "xs = [1, 2, 3]"));
    SqList *before = global(&I, "xs").as.list;
    check("append statement", run(&I, "for i in range(1000) { append(xs, i) }"));
    Value xs = global(&I, "xs");
    check("the same list, written in place", xs.kind == VAL_LIST && xs.as.list == before);
    check("all appended", xs.as.list->len == 1003 && xs.as.list->items[1002].as.num == 999);

    /* a list shared with another name is copied once, and the other name keeps its value */
    check("shared", run(&I, "ys = xs\nappend(xs, -1)\nappend(xs, -2)"));
    Value ys = global(&I, "ys");
    xs = global(&I, "xs");
    check("copy on write", ys.as.list->len == 1003 && xs.as.list->len == 1005 && xs.as.list != ys.as.list);

    /* in a function, appending to a global binds a local list: the global is unchanged */
    check("in a function", run(&I, "f() = { append(ys, 7); len(ys) }\nn = f()"));
    check("local copy", global(&I, "n").as.num == 1004 && global(&I, "ys").as.list->len == 1003);

    /* iterating over xs while appending to it sees the list as it was */
    check("loop over itself", run(&I, "zs = [1, 2]\nfor z in zs { append(zs, z) }"));
    check("loop result", global(&I, "zs").as.list->len == 4);
    interp_free(&I);
}

static void test_record_index(void) {
    Interp I;
    interp_init(&I, stdout);
    stdlib_open(&I);
    check("records", run(&I, "r = {}\nfor i in range(5000) { r[str(i)] = i * 2 }\n"
                             "r[\"17\"] = -1\nk = keys(r)\nv = r[\"4999\"]\nw = r[\"17\"]\nn = len(r)"));
    Value r = global(&I, "r");
    check("index built", r.kind == VAL_RECORD && r.as.rec->index != NULL);
    check("lookups", global(&I, "v").as.num == 9998 && global(&I, "w").as.num == -1);
    check("no duplicate keys", global(&I, "n").as.num == 5000);
    const SqList *k = global(&I, "k").as.list;
    check("insertion order", k->len == 5000 && strcmp(k->items[0].as.str->bytes, "0") == 0 &&
                                 strcmp(k->items[4999].as.str->bytes, "4999") == 0);
    check("missing key", record_find(r.as.rec, "5000", 4) < 0 && record_find(r.as.rec, "", 0) < 0);
    /* a copy (copy on write) has its own index */
    check("copy", run(&I, "s = r\ns[\"new\"] = 1\nm = len(r)\nq = s[\"new\"] + s[\"10\"]"));
    check("copy results", global(&I, "m").as.num == 5000 && global(&I, "q").as.num == 21);
    check("equality", run(&I, "e = {a: 1, b: 2} == {b: 2, a: 1}\nt = r == s"));
    check("equality results", global(&I, "e").as.boolean && !global(&I, "t").as.boolean);
    interp_free(&I);
}

static void test_many_keywords(void) {
    enum { N = 3000 };
    static char code[N * 24 + 100];
    size_t len = 0;
    len += (size_t)sprintf(code + len, "f(");
    for (int i = 0; i < N; i++) len += (size_t)sprintf(code + len, "%sp%d", i ? ", " : "", i);
    len += (size_t)sprintf(code + len, ") = p0 + p%d\ny = f(", N - 1);
    for (int i = N - 1; i >= 0; i--) len += (size_t)sprintf(code + len, "%sp%d=%d", i < N - 1 ? ", " : "", i, i);
    sprintf(code + len, ")\n");
    Interp I;
    interp_init(&I, stdout);
    stdlib_open(&I);
    check("many keywords", run(&I, code));
    check("many keywords result", global(&I, "y").as.num == N - 1);
    interp_free(&I);
}

int main(void) {
    test_append_in_place();
    test_record_index();
    test_many_keywords();
    return check_report();
}
