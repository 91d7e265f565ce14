// time-to-botec in Squiggle (@quri/squiggle-lang, installed into bench/squiggle by bench/run.sh).
// usage: node ttb.mjs N
import { run } from "@quri/squiggle-lang";
const n = Number(process.argv[2]);
const code = `
p_a = 0.8
p_b = 0.5
p_c = p_a * p_b
result = mixture(0, 1, 1 to 3, 2 to 10, [1 - p_c, p_c/2, p_c/4, p_c/4])
mean(result)
`;
const out = await run(code, { environment: { sampleCount: n, xyPointLength: 1000, seed: "1" } });
const r = out.result;
if (!r.ok) { console.error(String(r.value)); process.exit(1); }
console.log(out.getEndResult().value.toString());
