# write_csv to a path it cannot write is an error, and the earlier file there is untouched
# (no partial file, no temporary file left behind). Three ways to fail: the target is a folder,
# a parent is a file, the rows are bad.
printf 'old,file\n1,2\n' > out.csv
mkdir data && printf 'keep\n' > data/keep.txt
sqc -e 'write_csv("data", [{a: 1, b: 2}])'
sqc -e 'write_csv("out.csv/inner.csv", [{a: 1, b: 2}])'
sqc -e 'write_csv("out.csv", [{a: 1, b: 2}, 5])'
status=$?
cat out.csv data/keep.txt
ls -A data
ls -A | grep -i tmp || echo 'no temporary files'
exit $status
