/* parser.y — the sq grammar (docs/language.md, "Statements" and "Expressions"): a pure LALR(1)
 * parser that builds the AST of ast.h. Every action is one constructor call from ast_build.h; a
 * constructor that finds an error records it and returns NULL, and MK() then aborts the parse. All
 * nodes live in the Program's arena, so nothing needs a %destructor. */

%code requires {
#include "ast_build.h"

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

typedef struct ParseState ParseState;

/* a rule's location spans its first to its last symbol; an empty rule sits where it is */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                    \
            (Cur).end = YYRHSLOC(Rhs, N).end;                        \
        } else {                                                     \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;          \
        }                                                            \
    } while (0)
}

%code provides {
/* An open bracket the lexer has seen: for newline rules and "not closed" messages. */
typedef struct Bracket {
    int tok; /* '(', '[' or '{' */
    SqLoc loc;
} Bracket;

/* State shared by the lexer and the parser of one parse. */
struct ParseState {
    AstCtx ctx;
    Ast *root;
    uint32_t pos;      /* scanner's byte offset */
    int last_raw;      /* the previous token the scanner produced */
    int prev;          /* the previous token handed to the parser */
    uint32_t last_end; /* end of the last token other than a newline */
    bool has_peek;     /* a token read ahead while collapsing newlines */
    int peek_tok;
    SQ_YYSTYPE peek_val;
    SqLoc peek_loc;
    ParseError peek_error; /* the error of a peeked SQ_YYerror, held back until it is reached */
    Bracket *brackets;
    int nbrackets, capbrackets;
    bool unmatched; /* the last token was a closing bracket that closed nothing */
    SqLoc last_idiv; /* the last `//` read as floor division (end 0: none) */
};

int sq_yylex(SQ_YYSTYPE *lval, SqLoc *lloc, yyscan_t scanner, ParseState *ps);
int sq_lex_begin(ParseState *ps, yyscan_t *scanner); /* 0 on success */
void sq_lex_end(yyscan_t scanner);
}

%code {
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define B (&ps->ctx)
#define WHOLE ((SqLoc){0, ps->ctx.src->len})
#define MK(dst, e)           \
    do {                     \
        if (!((dst) = (e)))  \
            YYABORT;         \
    } while (0)

static void sq_yyerror(SqLoc *loc, yyscan_t scanner, ParseState *ps, const char *msg);
}

%define api.pure full
%define api.prefix {sq_yy}
%define api.location.type {SqLoc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%param {yyscan_t scanner} {ParseState *ps}

%initial-action {
    @$.start = @$.end = 0;
}

%union {
    double num;
    Sym sym;
    struct { char *bytes; size_t len; } str;
    Ast *node;
    AstVec *nodes;
    AstItem *item;
    ItemVec *items;
}

%token <num> NUMBER
%token <str> STRING
%token <sym> IDENT
%token IF THEN ELSE FOR IN WHILE BREAK CONTINUE RETURN AND OR NOT TRUE FALSE NIL TO SET IMPORT AS
%token IDIV POW EQ NE LE GE ANDAND OROR NEWLINE
%token PLUSEQ MINUSEQ STAREQ SLASHEQ

/* loosest first; ELSE is the if-expression, whose else branch extends as far as it can */
%precedence ELSE
%left OR OROR
%left AND ANDAND
%precedence NOT '!'
%left EQ NE '<' LE '>' GE
%left TO
%left '+' '-'
%left '*' '/' IDIV
%precedence UMINUS
%right '^' POW
%precedence '(' '[' '.'

%type <node> stmt if_stmt body block expr primary
%type <nodes> stmts stmts_sep stmts_end items
%type <item> arg param entry
%type <items> args params param_list entries

%%

program:
    %empty                          { MK(ps->root, ast_block(B, NULL, WHOLE)); }
  | stmts                           { MK(ps->root, ast_block(B, $1, WHOLE)); }
  ;

/* statements with any separators before, between and after them */
stmts:
    stmts_end
  | stmts_sep
  ;

stmts_sep:
    sep                             { MK($$, astvec_new(B, NULL, @$)); }
  | stmts sep                       { $$ = $1; }
  ;

stmts_end:
    stmt                            { MK($$, astvec_new(B, $1, @$)); }
  | stmts_sep stmt                  { MK($$, astvec_push(B, $1, $2, @$)); }
  ;

sep:
    NEWLINE
  | ';'
  ;

stmt:
    expr
  | expr '=' expr                   { MK($$, ast_assign_or_def(B, $1, $3, @$)); }
  | expr PLUSEQ expr                { MK($$, ast_compound(B, OP_ADD, $1, $3, @$)); }
  | expr MINUSEQ expr               { MK($$, ast_compound(B, OP_SUB, $1, $3, @$)); }
  | expr STAREQ expr                { MK($$, ast_compound(B, OP_MUL, $1, $3, @$)); }
  | expr SLASHEQ expr               { MK($$, ast_compound(B, OP_DIV, $1, $3, @$)); }
  | if_stmt
  | FOR IDENT IN expr body          { MK($$, ast_for(B, $2, $4, $5, @$)); }
  | WHILE expr body                 { MK($$, ast_while(B, $2, $3, @$)); }
  | BREAK                           { MK($$, ast_leaf(B, AST_BREAK, @$)); }
  | CONTINUE                        { MK($$, ast_leaf(B, AST_CONTINUE, @$)); }
  | RETURN                          { MK($$, ast_return(B, NULL, @$)); }
  | RETURN expr                     { MK($$, ast_return(B, $2, @$)); }
  | SET IDENT '=' expr              { MK($$, ast_set(B, $2, $4, @$)); }
  | IMPORT STRING AS IDENT          { MK($$, ast_import(B, ast_str(B, $2.bytes, $2.len, @2), $4, @$)); }
  ;

if_stmt:
    IF expr body                    { MK($$, ast_if(B, $2, $3, NULL, false, @$)); }
  | IF expr body ELSE body          { MK($$, ast_if(B, $2, $3, $5, false, @$)); }
  | IF expr body ELSE if_stmt       { MK($$, ast_if(B, $2, $3, $5, false, @$)); }
  ;

/* the braces of if, for and while: a block, possibly empty */
body:
    block
  | '{' '}'                         { MK($$, ast_block(B, NULL, @$)); }
  ;

block:
    '{' stmts '}'                   { MK($$, ast_block(B, $2, @$)); }
  ;

expr:
    primary
  | expr '(' ')'                    { MK($$, ast_call(B, $1, NULL, @$)); }
  | expr '(' args ')'               { MK($$, ast_call(B, $1, $3, @$)); }
  | expr '(' args ',' ')'           { MK($$, ast_call(B, $1, $3, @$)); }
  | expr '[' expr ']'               { MK($$, ast_index(B, $1, $3, @$)); }
  | expr '[' expr ':' expr ']'      { MK($$, ast_slice(B, $1, $3, $5, @$)); }
  | expr '[' expr ':' ']'           { MK($$, ast_slice(B, $1, $3, NULL, @$)); }
  | expr '[' ':' expr ']'           { MK($$, ast_slice(B, $1, NULL, $4, @$)); }
  | expr '[' ':' ']'                { MK($$, ast_slice(B, $1, NULL, NULL, @$)); }
  | expr '.' IDENT                  { MK($$, ast_field(B, $1, $3, @$)); }
  | '-' expr %prec UMINUS           { MK($$, ast_unary(B, OP_NEG, $2, @$)); }
  | NOT expr                        { MK($$, ast_unary(B, OP_NOT, $2, @$)); }
  | '!' expr                        { MK($$, ast_unary(B, OP_NOT, $2, @$)); }
  | expr '^' expr                   { MK($$, ast_binary(B, OP_POW, $1, $3, @$)); }
  | expr POW expr                   { MK($$, ast_binary(B, OP_POW, $1, $3, @$)); }
  | expr '*' expr                   { MK($$, ast_binary(B, OP_MUL, $1, $3, @$)); }
  | expr '/' expr                   { MK($$, ast_binary(B, OP_DIV, $1, $3, @$)); }
  | expr IDIV expr                  { MK($$, ast_binary(B, OP_IDIV, $1, $3, @$)); }
  | expr '+' expr                   { MK($$, ast_binary(B, OP_ADD, $1, $3, @$)); }
  | expr '-' expr                   { MK($$, ast_binary(B, OP_SUB, $1, $3, @$)); }
  | expr TO expr                    { MK($$, ast_binary(B, OP_TO, $1, $3, @$)); }
  | expr EQ expr                    { MK($$, ast_compare(B, OP_EQ, $1, $3, @$)); }
  | expr NE expr                    { MK($$, ast_compare(B, OP_NE, $1, $3, @$)); }
  | expr '<' expr                   { MK($$, ast_compare(B, OP_LT, $1, $3, @$)); }
  | expr LE expr                    { MK($$, ast_compare(B, OP_LE, $1, $3, @$)); }
  | expr '>' expr                   { MK($$, ast_compare(B, OP_GT, $1, $3, @$)); }
  | expr GE expr                    { MK($$, ast_compare(B, OP_GE, $1, $3, @$)); }
  | expr AND expr                   { MK($$, ast_binary(B, OP_AND, $1, $3, @$)); }
  | expr ANDAND expr                { MK($$, ast_binary(B, OP_AND, $1, $3, @$)); }
  | expr OR expr                    { MK($$, ast_binary(B, OP_OR, $1, $3, @$)); }
  | expr OROR expr                  { MK($$, ast_binary(B, OP_OR, $1, $3, @$)); }
  | IF expr THEN expr ELSE expr     { MK($$, ast_if(B, $2, $4, $6, true, @$)); }
  ;

primary:
    NUMBER                          { MK($$, ast_num(B, $1, @$)); }
  | STRING                          { MK($$, ast_str(B, $1.bytes, $1.len, @$)); }
  | TRUE                            { MK($$, ast_bool(B, true, @$)); }
  | FALSE                           { MK($$, ast_bool(B, false, @$)); }
  | NIL                             { MK($$, ast_leaf(B, AST_NIL, @$)); }
  | IDENT                           { MK($$, ast_name(B, $1, @$)); }
  | '(' expr ')'                    { $$ = ast_paren($2); }
  | '[' ']'                         { MK($$, ast_list(B, NULL, @$)); }
  | '[' items ']'                   { MK($$, ast_list(B, $2, @$)); }
  | '[' items ',' ']'               { MK($$, ast_list(B, $2, @$)); }
  | '{' '}'                         { MK($$, ast_record(B, NULL, @$)); }
  | '{' entries '}'                 { MK($$, ast_record(B, $2, @$)); }
  | '{' entries ',' '}'             { MK($$, ast_record(B, $2, @$)); }
  | '{' entries NEWLINE '}'         { MK($$, ast_record(B, $2, @$)); }
  | block
  | '{' '|' params '|' '}'          { MK($$, ast_lambda(B, $3, NULL, @5, @$)); }
  | '{' '|' params '|' stmts '}'    { MK($$, ast_lambda(B, $3, $5, @5, @$)); }
  | '{' OROR '}'                    { MK($$, ast_lambda(B, NULL, NULL, @3, @$)); }
  | '{' OROR stmts '}'              { MK($$, ast_lambda(B, NULL, $3, @3, @$)); }
  ;

items:
    expr                            { MK($$, astvec_new(B, $1, @$)); }
  | items ',' expr                  { MK($$, astvec_push(B, $1, $3, @$)); }
  ;

entries:
    entry                           { MK($$, itemvec_new(B, $1, @$)); }
  | entries ',' entry               { MK($$, itemvec_push(B, $1, $3, @$)); }
  ;

entry:
    IDENT ':' expr                  { MK($$, ast_item(B, $1, $3, @$)); }
  | STRING ':' expr                 { MK($$, ast_key_item(B, $1.bytes, $1.len, $3, @$)); }
  ;

args:
    arg                             { MK($$, itemvec_new(B, $1, @$)); }
  | args ',' arg                    { MK($$, itemvec_push(B, $1, $3, @$)); }
  ;

arg:
    expr                            { MK($$, ast_item(B, NULL, $1, @$)); }
  | IDENT '=' expr                  { MK($$, ast_item(B, $1, $3, @$)); }
  ;

params:
    %empty                          { $$ = NULL; }
  | param_list
  ;

param_list:
    param                           { MK($$, itemvec_new(B, $1, @$)); }
  | param_list ',' param            { MK($$, itemvec_push(B, $1, $3, @$)); }
  ;

param:
    IDENT                           { MK($$, ast_item(B, $1, NULL, @$)); }
  | IDENT '=' expr                  { MK($$, ast_item(B, $1, $3, @$)); }
  ;

%%

/* ---- syntax error messages ---- */

/* How an expected token is named in "expecting ..." (NULL: not named on its own). */
static const char *expected_name(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_YYEOF: return "end of input";
    case YYSYMBOL_NUMBER: return "a number";
    case YYSYMBOL_STRING: return "a string";
    case YYSYMBOL_IDENT: return "a name";
    case YYSYMBOL_IF: return "'if'";
    case YYSYMBOL_THEN: return "'then'";
    case YYSYMBOL_ELSE: return "'else'";
    case YYSYMBOL_FOR: return "'for'";
    case YYSYMBOL_IN: return "'in'";
    case YYSYMBOL_WHILE: return "'while'";
    case YYSYMBOL_BREAK: return "'break'";
    case YYSYMBOL_CONTINUE: return "'continue'";
    case YYSYMBOL_RETURN: return "'return'";
    case YYSYMBOL_AND: return "'and'";
    case YYSYMBOL_OR: return "'or'";
    case YYSYMBOL_NOT: return "'not'";
    case YYSYMBOL_TRUE: return "'true'";
    case YYSYMBOL_FALSE: return "'false'";
    case YYSYMBOL_NIL: return "'nil'";
    case YYSYMBOL_TO: return "'to'";
    case YYSYMBOL_SET: return "'set'";
    case YYSYMBOL_IMPORT: return "'import'";
    case YYSYMBOL_AS: return "'as'";
    case YYSYMBOL_IDIV: return "'//'";
    case YYSYMBOL_POW: return "'**'";
    case YYSYMBOL_EQ: return "'=='";
    case YYSYMBOL_NE: return "'!='";
    case YYSYMBOL_LE: return "'<='";
    case YYSYMBOL_GE: return "'>='";
    case YYSYMBOL_ANDAND: return "'&&'";
    case YYSYMBOL_OROR: return "'||'";
    case YYSYMBOL_NEWLINE: return "newline";
    case YYSYMBOL_PLUSEQ: return "'+='";
    case YYSYMBOL_MINUSEQ: return "'-='";
    case YYSYMBOL_STAREQ: return "'*='";
    case YYSYMBOL_SLASHEQ: return "'/='";
    default: return yysymbol_name(k); /* a character token: "')'" */
    }
}

static bool is_char(yysymbol_kind_t k, const char *chars)
{
    for (; *chars; chars++) {
        int c = *chars;
        if (k == YYTRANSLATE(c))
            return true;
    }
    return false;
}

/* Tokens that can start an expression ("an expression" covers them). */
static bool starts_expr(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_NUMBER: case YYSYMBOL_STRING: case YYSYMBOL_IDENT: case YYSYMBOL_TRUE:
    case YYSYMBOL_FALSE: case YYSYMBOL_NIL: case YYSYMBOL_IF: case YYSYMBOL_NOT:
        return true;
    default:
        return is_char(k, "!-([{");
    }
}

/* Operators and postfix brackets: always possible after an expression, so not listed. */
static bool is_operator(yysymbol_kind_t k)
{
    switch (k) {
    case YYSYMBOL_AND: case YYSYMBOL_OR: case YYSYMBOL_NOT: case YYSYMBOL_TO:
    case YYSYMBOL_IDIV: case YYSYMBOL_POW: case YYSYMBOL_EQ: case YYSYMBOL_NE: case YYSYMBOL_LE:
    case YYSYMBOL_GE: case YYSYMBOL_ANDAND: case YYSYMBOL_OROR: case YYSYMBOL_PLUSEQ:
    case YYSYMBOL_MINUSEQ: case YYSYMBOL_STAREQ: case YYSYMBOL_SLASHEQ:
        return true;
    default:
        return is_char(k, "!<>+-*/^([.");
    }
}

/* The source text of a token for "unexpected name 'x'": short, printable. */
static void token_text(const ParseState *ps, SqLoc loc, char *buf, size_t cap)
{
    const char *t = ps->ctx.src->text + loc.start;
    size_t n = loc.end - loc.start, o = 0, limit = 24;
    for (size_t i = 0; i < n && i < limit && o + 5 < cap; i++) {
        unsigned char ch = (unsigned char)t[i];
        buf[o++] = (ch >= 0x20 && ch != 0x7F) ? (char)ch : '?';
    }
    if (n > limit && o + 4 < cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
}

static int closer_of(int open)
{
    return open == '(' ? ')' : open == '[' ? ']' : '}';
}

static void append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    snprintf(buf + n, cap - n, "%s", s);
}

/* A habit from Python or squigglepy that explains the error: what to write instead, appended to
 * the message (docs/language.md, "Coming from Python"). */
static void syntax_hint(const ParseState *ps, yysymbol_kind_t got, SqLoc loc, const Bracket *open, bool in_condition,
                        char *msg, size_t cap)
{
    const char *src = ps->ctx.src->text;
    size_t len = loc.end - loc.start;
    if (got == YYSYMBOL_IDENT && len == 4 && !memcmp(src + loc.start, "elif", 4))
        append(msg, cap, "; write 'else if'");
    else if (got == YYSYMBOL_FOR && open && open->tok == '[')
        append(msg, cap, "; sq has no list comprehensions: write map(xs, {|x| f(x)}) for [f(x) for x in xs]");
    else if (got == YYSYMBOL_STRING && loc.start > 0 && (src[loc.start - 1] == 'f' || src[loc.start - 1] == 'F') &&
             (loc.start == 1 || !(isalnum((unsigned char)src[loc.start - 2]) || src[loc.start - 2] == '_')))
        append(msg, cap, "; sq has no f-strings: write format(\"x is {}\", x)");
    else if (is_char(got, "=") && in_condition)
        append(msg, cap, "; to compare, write == (= binds a name)");
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, ParseState *ps)
{
    (void)scanner;
    enum { MAX_EXPECTED = 64 };
    yysymbol_kind_t got = yypcontext_token(ctx);
    SqLoc loc = *yypcontext_location(ctx);
    yysymbol_kind_t expected[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
    if (n < 0)
        n = 0;

    /* what was found */
    char found[96], text[40];
    switch (got) {
    case YYSYMBOL_YYEOF: snprintf(found, sizeof found, "end of input"); break;
    case YYSYMBOL_NEWLINE: snprintf(found, sizeof found, "newline"); break;
    case YYSYMBOL_NUMBER:
    case YYSYMBOL_STRING:
    case YYSYMBOL_IDENT:
        token_text(ps, loc, text, sizeof text);
        if (got == YYSYMBOL_STRING)
            snprintf(found, sizeof found, "string %s", text);
        else
            snprintf(found, sizeof found, "%s '%s'", got == YYSYMBOL_IDENT ? "name" : "number", text);
        break;
    default: snprintf(found, sizeof found, "%s", expected_name(got)); break;
    }

    /* what was expected: "an expression" for the many tokens that start one, the rest by name */
    bool expr = false, number = false, eof = false;
    const char *names[MAX_EXPECTED];
    int nnames = 0, closer = 0;
    const Bracket *open = ps->nbrackets ? &ps->brackets[ps->nbrackets - 1] : NULL;
    for (int i = 0; i < n; i++)
        if (expected[i] == YYSYMBOL_NUMBER)
            number = true;
    for (int i = 0; i < n; i++) {
        yysymbol_kind_t k = expected[i];
        if (number && starts_expr(k)) {
            expr = true;
            continue;
        }
        if (k == YYSYMBOL_YYEOF) {
            eof = true;
            continue;
        }
        if (is_operator(k))
            continue;
        if (open && k == YYTRANSLATE(closer_of(open->tok)))
            closer = 1;
        names[nnames++] = expected_name(k);
    }
    if (nnames == 0 && !expr && eof)
        names[nnames++] = "end of input";

    char msg[sizeof ps->ctx.err->message];
    bool at_end = got == YYSYMBOL_YYEOF;
    if (at_end && open && closer) {
        int line;
        source_line_col(ps->ctx.src, open->loc.start, &line, NULL);
        snprintf(msg, sizeof msg, "unexpected end of input: '%c' at line %d is not closed", open->tok,
                 line);
    } else if (ps->unmatched && !ps->nbrackets && is_char(got, ")]}")) {
        snprintf(msg, sizeof msg, "unmatched %s", found);
    } else if (got == YYSYMBOL_ELSE) {
        snprintf(msg, sizeof msg, "unexpected 'else'");
    } else {
        snprintf(msg, sizeof msg, "unexpected %s", found);
        int total = nnames + (expr ? 1 : 0);
        if (total > 4 && expr)
            total = 1, nnames = 0;
        if (total > 0 && total <= 4) {
            append(msg, sizeof msg, ", expecting ");
            int done = 0;
            if (expr) {
                append(msg, sizeof msg, "an expression");
                done++;
            }
            for (int i = 0; i < nnames; i++, done++) {
                if (done)
                    append(msg, sizeof msg, done == total - 1 ? " or " : ", ");
                append(msg, sizeof msg, names[i]);
            }
        }
        if (open && closer && !at_end) {
            int oline, eline;
            source_line_col(ps->ctx.src, open->loc.start, &oline, NULL);
            source_line_col(ps->ctx.src, loc.start, &eline, NULL);
            if (oline != eline) {
                char note[64];
                snprintf(note, sizeof note, " (to close '%c' at line %d)", open->tok, oline);
                append(msg, sizeof msg, note);
            }
        }
    }
    if (!at_end) {
        bool in_condition = false; /* `if x = 3`: the parser waits for 'then' or '{' */
        for (int i = 0; i < n; i++)
            in_condition |= expected[i] == YYSYMBOL_THEN || expected[i] == YYTRANSLATE('{');
        syntax_hint(ps, got, loc, open, in_condition, msg, sizeof msg);
    }
    /* a newline that ends the input where a 'then' or an 'else' could follow: the REPL may read on */
    if (got == YYSYMBOL_NEWLINE && ps->has_peek && ps->peek_tok == SQ_YYEOF) {
        for (int i = 0; i < n; i++)
            if (expected[i] == YYSYMBOL_ELSE || expected[i] == YYSYMBOL_THEN)
                at_end = true;
    }
    ast_error(&ps->ctx, loc, at_end, "%s", msg);
    return 0;
}

static void sq_yyerror(SqLoc *loc, yyscan_t scanner, ParseState *ps, const char *msg)
{
    (void)scanner;
    if (strstr(msg, "exhausted"))
        ast_error(&ps->ctx, *loc, false, "expression nested too deeply");
    else
        ast_error(&ps->ctx, *loc, false, "%s", msg);
}
