sqc --samples 20000 -e 'x = norm(mean=0, sd=1); print(mean(x, given=x > 3) > 3); print(mean(x, given=x > 1) > 1)'
