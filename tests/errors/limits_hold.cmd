# The documented limits hold for every builder of lists and strings (docs/reliability.md): split
# built lists of 20M elements, str and join strings of 198M and 593M bytes (#15).
sqc -e 's = "a," * 10M
parts = split(s, ",")'
sqc -e 's = "x" * 40M
t = str([s, s, s])'
sqc -e 's = "x" * 40M
t = join([s, s, s], ", ")'
sqc -e 's = "x" * 40M
t = format("{}{}{}", s, s, s)'
sqc -e 's = "x" * 40M
print({a: s, b: s, c: s})'
sqc -e 'xs = range(100)
ys = [xs, xs, xs]
print(len(str(ys)), len(join(xs, ", ")))'
sqc -e 's = "x" * 40M
t = s + s + s'
