# --max-steps / --max-time: branching recursion and nested loops, which the call-depth and
# per-loop limits do not bound, stop with an error naming the flag (#15)
sqc --max-steps 1000 -e 'f(n) = if n < 1 then 1 else f(n - 1) + f(n - 1)
f(30)'
echo status $?
sqc --max-steps=50K -e 'n = 0
for i in range(100000) { for j in range(100000) { n = n + 1 } }'
echo status $?
# (where the time runs out varies: keep only the message)
sqc --max-time 0.2 -e 'f(n) = if n < 1 then 1 else f(n - 1) + f(n - 1)
f(60)' 2>&1 | grep -o 'error: .*'
echo status ${PIPESTATUS[0]}
# a long pass over draws stops at the limit too, with the place that asked for the draws
sqc --max-time 0.3 --samples 300M -e 'x = norm(0, 1) * lognorm(1, 10)
print(mean(x))' 2>&1 | grep -o 'error: .*'
echo status ${PIPESTATUS[0]}
sqc --max-steps 1M --max-time 100 -e 'sum(range(1000))'
sqc --max-steps 0 -e 1
sqc --max-time 0x10 -e 1
sqc --max-time -e 1
sqc --max-time=-2 -e 1
