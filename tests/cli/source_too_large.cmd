# A program is at most 100 MB: a larger file is refused before it is read, and a device or pipe
# that never ends (/dev/zero) is read only up to the limit.
sqc /dev/zero
echo "file: exit $?"
head -c 100000001 /dev/zero | sqc
echo "stdin: exit $?"
truncate -s 100000001 big.sq && sqc big.sq
echo "big file: exit $?"
