# -e prints the last value: a draw that fails there keeps its message and place (#14 item 1).
sqc -e 'x = norm(0, 3); y = beta(x, 5); y'
