# write_samples writes the raw draws (shortest round-trip text: a reader gets the same doubles);
# write_csv writes a samples column as "NAME mean", "NAME sd", "NAME p5", "NAME p50", "NAME p95"
sqc csv_samples.sq
cat out/draws.csv; head -2 out/list.csv; head -2 out/named.csv; cat out/summary.csv
# round trip: the x column is exactly the draws sqc has (compared as text and as numbers)
tail -n +2 out/draws.csv | cut -d, -f1 >col.txt
sqc -e 'set samples = 6; set seed = 2; join(map(samples_of(uniform(0, 1)), str), "\n")' >draws.txt
diff col.txt draws.txt && echo "x column = draws"
jq -n --rawfile a col.txt --rawfile b draws.txt '($a | split("\n") | map(select(. != "") | tonumber)) == ($b | split("\n") | map(select(. != "") | tonumber))'
