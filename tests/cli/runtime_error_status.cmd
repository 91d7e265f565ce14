sqc -e 'print("before"); 1 / 0'
