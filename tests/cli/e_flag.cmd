sqc -e '1 + 2' && sqc -e 'x = 3; x * 2' && sqc -e 'print("hi")' && sqc -e '"text"' && sqc -e 'round(mean(norm(1, 3)), 4)' --samples 1K
