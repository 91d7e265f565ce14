sqc --help | grep -A2 -- "--sampling M"
