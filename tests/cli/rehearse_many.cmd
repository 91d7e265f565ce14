sqc rehearse_many.sq --samples 100K --rehearse=always >always.out 2>always.err; echo "always: status $?"
sqc rehearse_many.sq --samples 100K --rehearse=never >never.out 2>never.err; echo "never: status $?"
cmp always.out never.out && cmp always.err never.err && echo "same output and error"
wc -l <always.out
cat always.err
