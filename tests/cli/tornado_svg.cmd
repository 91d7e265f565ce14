# tornado(y, path) writes an SVG: one bar per input (top= of them), largest swing on top, names and values labelled
cat > model.sq <<'SQ'
set samples = 20000
price = norm(8, 12)
units = lognorm(1000, 5000)
cost = uniform(2000, 6000)
profit = price * units - cost
tornado(profit, "charts/profit.svg", top=2, title="profit")
SQ
sqc model.sq
grep -c 'class="low"' charts/profit.svg
grep -o 'class="name">[^<]*' charts/profit.svg
grep -o 'smaller input[^<]*' charts/profit.svg
grep -o 'class="mean-label">[^<]*' charts/profit.svg
tail -1 charts/profit.svg
