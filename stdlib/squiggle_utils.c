/* squiggle_utils.c — squigglepy's notebook utilities (docs/language.md, "squigglepy utilities"):
 * p_to_odds, odds_to_p, doubling_time, growth_rate (element-wise), laplace and kelly.
 * The formulas are squigglepy's, written in the same order, so a number matches a notebook's. */
#include <math.h>

#include <string.h>

#include "arith.h"
#include "numfmt.h"
#include "registry.h"

/* An element-wise function with a domain: a number outside it is an error; on samples a draw
 * outside it is NaN (as log of a negative draw is), never a number that looks like an answer. */
typedef struct Utility {
    double lo, hi;       /* the open domain (lo, hi) */
    const char *domain;  /* as the error says it */
} Utility;

static Samples *sel_domain(Operand x, Samples *value, const Utility *u) {
    Samples *above = smp_binary(SB_GT, x, opnd_num(u->lo));
    Samples *below = smp_binary(SB_LT, x, opnd_num(u->hi));
    Samples *inside = smp_binary(SB_AND, opnd_smp(above), opnd_smp(below));
    Samples *out = smp_select(inside, opnd_smp(value), opnd_num(NAN));
    smp_release(above);
    smp_release(below);
    smp_release(inside);
    smp_release(value);
    return out;
}

static bool need_in_domain(Args *a, const Utility *u, Operand *x) {
    if (!need_operand(a, 0, x)) return false;
    if (!x->node && !(x->num > u->lo && x->num < u->hi))
        return arg_error(a, 0, "%s must be %s, got %s", a->fn->params[0], u->domain, num_text(&(NumText){0}, x->num));
    return true;
}

/* p / (1 - p) */
static bool fn_p_to_odds(Args *a, Value *out) {
    static const Utility u = {0, 1, "between 0 and 1 (exclusive)"};
    Operand p;
    if (!need_in_domain(a, &u, &p)) return false;
    if (!p.node) {
        *out = val_num(ar_div(p.num, ar_sub(1, p.num)));
        return true;
    }
    Samples *q = smp_binary(SB_SUB, opnd_num(1), p);
    Samples *odds = smp_binary(SB_DIV, p, opnd_smp(q));
    smp_release(q);
    *out = result_samples(a, sel_domain(p, odds, &u));
    return true;
}

/* odds / (1 + odds) */
static bool fn_odds_to_p(Args *a, Value *out) {
    static const Utility u = {0, INFINITY, "a finite number > 0"};
    Operand o;
    if (!need_in_domain(a, &u, &o)) return false;
    if (!o.node) {
        *out = val_num(ar_div(o.num, ar_add(1, o.num)));
        return true;
    }
    Samples *d = smp_binary(SB_ADD, opnd_num(1), o);
    Samples *p = smp_binary(SB_DIV, o, opnd_smp(d));
    smp_release(d);
    *out = result_samples(a, sel_domain(o, p, &u));
    return true;
}

/* squigglepy's growth_rate_to_doubling_time: log(2) / log(1 + growth_rate) */
static bool fn_doubling_time(Args *a, Value *out) {
    static const Utility u = {0, INFINITY, "a finite number > 0 (0.05 is +5% a period)"};
    Operand g;
    if (!need_in_domain(a, &u, &g)) return false;
    if (!g.node) {
        *out = val_num(ar_div(M_LN2, ar_log(ar_add(1, g.num))));
        return true;
    }
    Samples *sum = smp_binary(SB_ADD, opnd_num(1), g);
    Samples *ln = smp_unary(SU_LOG, sum);
    Samples *t = smp_binary(SB_DIV, opnd_num(M_LN2), opnd_smp(ln));
    smp_release(sum);
    smp_release(ln);
    *out = result_samples(a, sel_domain(g, t, &u));
    return true;
}

/* squigglepy's doubling_time_to_growth_rate: exp(log(2) / doubling_time) - 1 */
static bool fn_growth_rate(Args *a, Value *out) {
    static const Utility u = {0, INFINITY, "a finite number > 0"};
    Operand d;
    if (!need_in_domain(a, &u, &d)) return false;
    if (!d.node) {
        *out = val_num(ar_sub(ar_exp(ar_div(M_LN2, d.num)), 1));
        return true;
    }
    Samples *q = smp_binary(SB_DIV, opnd_num(M_LN2), d);
    Samples *e = smp_unary(SU_EXP, q);
    Samples *g = smp_binary(SB_SUB, opnd_smp(e), opnd_num(1));
    smp_release(q);
    smp_release(e);
    *out = result_samples(a, sel_domain(d, g, &u));
    return true;
}

/* Laplace's rule of succession, and squigglepy's time-invariant form. */
static bool fn_laplace(Args *a, Value *out) {
    double s, n = 0, passed = 0, remaining = 1;
    if (!need_num(a, 0, &s)) return false;
    if (!(s >= 0 && s == floor(s))) return arg_error(a, 0, "s (successes) must be a whole number >= 0, got %s", num_text(&(NumText){0}, s));
    bool by_trials = has_arg(a, 1), by_time = has_arg(a, 2);
    if (by_trials == by_time)
        return call_error(a, "give n (the number of trials) or time_passed (the time the successes took), one of them");
    if (by_trials) {
        if (!need_num(a, 1, &n)) return false;
        if (!(n >= 0 && n == floor(n) && isfinite(n))) return arg_error(a, 1, "n must be a whole number >= 0, got %s", num_text(&(NumText){0}, n));
        if (s > n) return arg_error(a, 0, "s = %s successes is more than n = %s trials", num_text(&(NumText){0}, s), num_text(&(NumText){0}, n));
        if (has_arg(a, 3) || has_arg(a, 4)) return call_error(a, "time_remaining and time_fixed go with time_passed, not n");
        *out = val_num((s + 1) / (n + 2));
        return true;
    }
    if (!need_num(a, 2, &passed) || !opt_num(a, 3, 1, &remaining)) return false;
    if (!(passed > 0 && isfinite(passed))) return arg_error(a, 2, "time_passed must be a finite number > 0, got %s", num_text(&(NumText){0}, passed));
    if (!(remaining > 0 && isfinite(remaining)))
        return arg_error(a, 3, "time_remaining must be a finite number > 0, got %s", num_text(&(NumText){0}, remaining));
    bool fixed = false;
    if (has_arg(a, 4)) {
        if (a->v[4]->kind != VAL_BOOL) return arg_type_error(a, 4, "true or false");
        fixed = a->v[4]->as.boolean;
    }
    double k = s == 0 ? 1 : fixed ? s + 1 : s;
    *out = val_num(1 - pow(1 + remaining / passed, -k));
    return true;
}

/* squigglepy's kelly(my_price, market_price, deference, bankroll, current, error): the same record
 * of figures, in its order, unrounded (squigglepy rounds them for display), without its
 * resolve_date and expected_arr (docs/language.md, "squigglepy utilities"). */
static bool fn_kelly(Args *a, Value *out) {
    double mine, market, deference = 0, bankroll = 1, current = 0;
    if (!need_num(a, 0, &mine) || !need_num(a, 1, &market) || !opt_num(a, 2, 0, &deference) ||
        !opt_num(a, 3, 1, &bankroll) || !opt_num(a, 4, 0, &current))
        return false;
    if (!(market > 0 && market < 1))
        return arg_error(a, 1, "market_price must be between 0 and 1 (exclusive), got %s", num_text(&(NumText){0}, market));
    if (!(mine > 0 && mine < 1))
        return arg_error(a, 0, "my_price must be between 0 and 1 (exclusive), got %s", num_text(&(NumText){0}, mine));
    if (!(deference >= 0 && deference <= 1))
        return arg_error(a, 2, "deference must be between 0 and 1, got %s", num_text(&(NumText){0}, deference));
    if (!isfinite(bankroll)) return arg_error(a, 3, "bankroll must be a finite number, got %s", num_text(&(NumText){0}, bankroll));
    if (!isfinite(current)) return arg_error(a, 4, "current must be a finite number, got %s", num_text(&(NumText){0}, current));
    bool error = true;
    if (has_arg(a, 5)) {
        if (a->v[5]->kind != VAL_BOOL) return arg_type_error(a, 5, "true or false");
        error = a->v[5]->as.boolean;
    }
    if (mine < market && error)
        return arg_error(a, 0, "my_price %s is below market_price %s: the bet is on the other side "
                               "(kelly(1 - my_price, 1 - market_price)), or pass error=false as in squigglepy",
                         num_text(&(NumText){0}, mine), num_text(&(NumText){0}, market));
    double adj = mine * (1 - deference) + market * deference;
    double kelly = fabs(adj - ((1 - adj) * (market / (1 - market))));
    double target = bankroll * kelly;
    static const char *const KEYS[] = {"my_price", "market_price", "deference", "adj_price", "delta_price",
                                       "adj_delta_price", "kelly", "target", "current", "delta", "max_gain",
                                       "modeled_gain", "expected_roi"};
    double vals[] = {mine, market, deference, adj, fabs(market - mine), fabs(market - adj), kelly, target, current,
                     target - current, target / market - target, adj * (target / market) - target,
                     fabs(adj / market - 1)};
    *out = val_record_new();
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) record_set(out->as.rec, KEYS[i], strlen(KEYS[i]), val_num(vals[i]));
    return true;
}

const BuiltinDef builtins_squiggle_utils[] = {
    BUILTIN("p_to_odds", "p", "utilities", "odds p / (1 - p) of a probability 0 < p < 1 (per draw on samples)", fn_p_to_odds),
    BUILTIN("odds_to_p", "odds", "utilities", "the probability odds / (1 + odds) of odds > 0 (per draw)", fn_odds_to_p),
    BUILTIN("doubling_time", "growth_rate", "utilities",
     "log(2) / log(1 + growth_rate): periods to double at a growth rate > 0 (per draw)", fn_doubling_time),
    BUILTIN("growth_rate", "doubling_time", "utilities",
     "exp(log(2) / doubling_time) - 1: the growth rate a period that doubles in doubling_time (per draw)", fn_growth_rate),
    BUILTIN("laplace", "s, n=, time_passed=, time_remaining=, time_fixed=", "utilities",
     "rule of succession: (s + 1) / (n + 2), or squigglepy's time-invariant form with time_passed=", fn_laplace),
    BUILTIN("kelly", "my_price, market_price, deference=, bankroll=, current=, error=", "utilities",
     "squigglepy's Kelly record: {..., kelly (the share of bankroll to bet), target, delta, ...}", fn_kelly),
    {.name = NULL},
};
