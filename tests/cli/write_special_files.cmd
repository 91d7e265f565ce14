# A path that holds something other than a regular file is an error and is never replaced: a FIFO,
# a link to a FIFO, a link to a device (/dev/null), a link to a folder, a dangling link. A link to
# a regular file is written through: the file it points to is rewritten, the link stays a link.
mkfifo fifo
ln -s fifo fifo_link
ln -s /dev/null null_link
mkdir folder && ln -s folder folder_link
ln -s missing.csv dangling
printf 'old\n' > real.csv && ln -s real.csv real_link
for p in fifo fifo_link null_link folder_link dangling; do
  sqc -e "write_csv(\"$p\", [{a: 1}])"
  echo "$p: exit $?"
done
[ -p fifo ] && [ -L fifo_link ] && [ -L null_link ] && [ -L folder_link ] && [ -L dangling ] && echo 'all kept'
[ -c /dev/null ] && echo '/dev/null is still a device'
sqc -e 'write_csv("real_link", [{a: 2}])'
[ -L real_link ] && echo 'real_link is still a link'
cat real.csv
ls -A | grep sqc-tmp || echo 'no temporary files'
