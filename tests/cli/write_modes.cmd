# A new file follows the umask; a rewritten file keeps its mode (a 0600 file stays private),
# also when it is written through a symbolic link.
umask 027
sqc -e 'write_csv("new.csv", [{a: 1}])'
stat -c '%a new.csv' new.csv
umask 022
printf 'old\n' > private.csv && chmod 600 private.csv
sqc -e 'write_csv("private.csv", [{a: 1}])'
stat -c '%a private.csv' private.csv
printf 'old\n' > shared.csv && chmod 664 shared.csv && ln -s shared.csv link.csv
sqc -e 'write_csv("link.csv", [{a: 1}])'
stat -c '%a shared.csv' shared.csv
sqc -e 'write_samples("s.csv", const(1))' --samples 2
stat -c '%a s.csv' s.csv
chmod 400 s.csv
sqc -e 'write_samples("s.csv", const(2))' --samples 2
stat -c '%a s.csv' s.csv
cat s.csv
