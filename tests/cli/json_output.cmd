# --json: no text output, one JSON document with every top-level binding in the order bound
sqc --json json_output.sq >out.json; echo "status $?"
jq -r 'keys_unsorted | join(" ")' out.json
jq -c '.x | keys_unsorted' out.json
jq -c '[.n, .ratio, .big, .s, .flag, .nothing, .quarters, .f, .last]' out.json
jq -c '[(.x | .mean > 29 and .mean < 31 and .min >= 20 and .max <= 40 and .p5 < .p50 and .p50 < .p95),
        (.above.mean > 0.45 and .above.mean < 0.55), (.table["Q1 2024"].high | type), (.table.list | length)]' out.json
sqc --json -e 'a = norm(0, 1); b = [a, 2]' | jq -c '[keys_unsorted, (.b[0] | keys_unsorted | length), .b[1]]'
sqc --json -e 'y = 1 / 0'; echo "status $?"
