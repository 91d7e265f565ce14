# Threads that wait for work sleep instead of spinning (docs/cli.md "Threads", #15), unless the
# user set OMP_WAIT_POLICY or GOMP_SPINCOUNT: libgomp's spin count as OMP_DISPLAY_ENV shows it
# (the last display is the one of the run).
waits() {
  n=$(OMP_DISPLAY_ENV=verbose sqc "$@" 2>&1 >/dev/null | sed -n "s/.*GOMP_SPINCOUNT = '\([0-9]*\)'.*/\1/p" | tail -1)
  case $n in 0) echo sleeps ;; '') echo "no libgomp display" ;; *) echo "spins $n times" ;; esac
}
echo "--threads 2: $(waits -e 1 --threads 2)"
echo "--threads 2 with OMP_WAIT_POLICY=active: $(OMP_WAIT_POLICY=active waits -e 1 --threads 2)"
echo "--threads 2 with GOMP_SPINCOUNT=1000: $(GOMP_SPINCOUNT=1000 waits -e 1 --threads 2)"
# the default is one thread per CPU of the affinity mask: on one CPU no thread waits, nothing is set
echo "--threads 1: $(waits -e 1 --threads 1)"
echo "one CPU (taskset -c 0), default threads: $(taskset -c 0 bash -c "$(declare -f sqc waits); waits -e 1")"
sqc -e 'mean(norm(1, 2))' --threads 2
OMP_WAIT_POLICY=active sqc -e 'mean(norm(1, 2))' --threads 2
