# A malformed SQC_MEMORY_LIMIT is an error that says the accepted form (exit 2), not silently
# ignored; "2g" used to mean 2 bytes. An empty one is the same as none.
for v in 2G 500M 1.5T 1000000 '' abc 2g 0 -1G 2GB 1_000; do
  SQC_MEMORY_LIMIT="$v" sqc -e '1'
  echo "'$v': exit $?"
done
