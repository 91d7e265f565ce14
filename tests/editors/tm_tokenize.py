#!/usr/bin/env python3
"""tm_tokenize.py GRAMMAR.json FILE — tokenizes FILE with a TextMate grammar, the way VS Code's
vscode-textmate does for the features the sq grammar uses (match, begin/end, captures, include
of the repository, the earliest match winning, ties to the first rule, a rule's end before its
patterns), on Python's re (whose syntax agrees with Oniguruma's for these regexes). Prints, for
each line, where the innermost scope changes: [COLUMN:SCOPE], columns from 1 (editors.sh)."""
import json
import re
import sys


def main():
    grammar = json.load(open(sys.argv[1]))
    repo = grammar.get("repository", {})
    cache = {}

    def rx(src):
        if src not in cache:
            cache[src] = re.compile(src)
        return cache[src]

    def expand(patterns):
        out = []
        for p in patterns:
            if "include" in p:
                ref = repo[p["include"][1:]]
                out.extend(expand(ref["patterns"]) if "patterns" in ref and "match" not in ref
                           and "begin" not in ref else [ref])
            elif "patterns" in p and "match" not in p and "begin" not in p:
                out.extend(expand(p["patterns"]))
            else:
                out.append(p)
        return out

    def paint(scopes, m, rule, base, key):
        s, e = m.span()
        for i in range(s, e):
            scopes[i] = base + ([rule["name"]] if "name" in rule else [])
        for group, cap in rule.get(key, {}).items():
            g = int(group)
            if m.start(g) >= 0:
                for i in range(m.start(g), m.end(g)):
                    scopes[i] = scopes[i] + [cap["name"]]

    top = expand(grammar["patterns"])
    stack = []  # (rule, patterns, scope list inside it)
    out = []
    for lnum, line in enumerate(open(sys.argv[2]).read().split("\n")[:-1], 1):
        scopes = [[] for _ in line]
        pos = 0
        while pos <= len(line):
            rule, pats, base = stack[-1] if stack else (None, top, [])
            best = None
            if rule is not None:
                m = rx(rule["end"]).search(line, pos)
                if m:
                    best = (m.start(), 0, m, None)
            for k, p in enumerate(pats, 1):
                m = rx(p.get("match") or p["begin"]).search(line, pos)
                if m and (best is None or m.start() < best[0]):
                    best = (m.start(), k, m, p)
            if best is None:
                break
            start, _, m, p = best
            for i in range(pos, start):  # the text between matches: the enclosing scope
                scopes[i] = base
            if p is None:  # the end of the enclosing begin/end rule
                paint(scopes, m, rule, base[:-1] if "name" in rule else base, "endCaptures")
                stack.pop()
            elif "match" in p:
                paint(scopes, m, p, base, "captures")
            else:
                paint(scopes, m, p, base, "beginCaptures")
                stack.append((p, expand(p.get("patterns", [])), base + ([p["name"]] if "name" in p else [])))
            if m.end() == pos and (p is None or "match" in p) and pos == start:
                if p is not None:
                    pos += 1  # an empty match of a rule: move on
                elif m.end() == len(line):
                    pos = len(line) + 1
                else:
                    pos = m.end()
            else:
                pos = m.end()
        base = stack[-1][2] if stack else []
        for i in range(min(pos, len(line)), len(line)):
            scopes[i] = base
        # what a begin/end rule holds to the end of the line: its scope
        text, prev = [], None
        for i in range(len(line)):
            cur = scopes[i][-1] if scopes[i] else ""
            if cur != prev:
                text.append("[%d:%s]" % (i + 1, cur))
                prev = cur
        out.append("%d %s" % (lnum, "".join(text)))
    print("\n".join(out))


main()
