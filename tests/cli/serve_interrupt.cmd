# sqc --serve: SIGINT stops the running cell, not sqc; the session is as it was before the cell
# (docs/jupyter.md, "Interrupt"). A SIGINT between cells stops nothing.
mkfifo requests
: > replies.txt
"$tool" --serve < requests >> replies.txt &
pid=$!
exec 3> requests
lines() { wc -l < replies.txt; }
wait_for() { for _ in $(seq 600); do [ "$(lines)" -ge "$1" ] && return; sleep 0.05; done; echo "no reply"; }
printf '%s\n' '{"op":"execute","code":"x = 41"}' >&3
wait_for 2
kill -INT $pid
printf '%s\n' '{"op":"execute","code":"y = 1\ni = 0\nwhile true { i += 1 }"}' >&3
# press until the cell stops (once is enough; a press before the cell has begun stops nothing)
for _ in $(seq 300); do sleep 0.2; kill -INT $pid; [ "$(lines)" -ge 3 ] && break; done
printf '%s\n' '{"op":"execute","code":"x + 1"}' '{"op":"execute","code":"y"}' >&3
exec 3>&-
wait $pid
echo "sqc --serve exited with $?"
cat replies.txt
