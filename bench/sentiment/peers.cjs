// Scores the tweets ground truth with the npm peers, in the same way as
// sentiment_bench: Pearson r of the score against the human mean, 3-class
// macro-F1 (+-0.05 on the score, +-0.2 on the human mean), texts/s on one core.
// Usage: node peers.cjs NODE_MODULES_DIR GROUNDTRUTH_TSV REPEAT
'use strict';
const fs = require('fs');
const path = require('path');
const [modules, tsv, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg || 5);
const rows = fs.readFileSync(tsv, 'utf8').split('\n').filter(Boolean).map((l) => {
  const [, gold, text] = l.split('\t');
  return { gold: Number(gold), text };
});

function pearson(x, y) {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
const cls = (v, band) => (v >= band ? 1 : v <= -band ? -1 : 0);
function macroF1(gold, pred) {
  let sum = 0;
  for (const c of [-1, 0, 1]) {
    let tp = 0, fp = 0, fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (pred[i] === c && gold[i] === c) tp++;
      if (pred[i] === c && gold[i] !== c) fp++;
      if (pred[i] !== c && gold[i] === c) fn++;
    }
    const p = tp + fp ? tp / (tp + fp) : 0, r = tp + fn ? tp / (tp + fn) : 0;
    sum += p + r ? (2 * p * r) / (p + r) : 0;
  }
  return sum / 3;
}

function run(name, score) {
  const pred = rows.map((r) => score(r.text));
  const r = pearson(rows.map((x) => x.gold), pred);
  const f1 = macroF1(rows.map((x) => cls(x.gold, 0.2)), pred.map((v) => cls(v, 0.05)));
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let k = 0; k < repeat; k++) for (const row of rows) sink += score(row.text);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = (repeat * rows.length) / secs;
  console.log(`${name}: pearson r ${r.toFixed(4)}  macro-F1 ${f1.toFixed(4)}  speed ${rate.toFixed(0)} texts/s` +
              (Number.isFinite(sink) ? '' : ' '));
}

const vader = require(path.join(modules, 'vader-sentiment'));
run('npm vader-sentiment', (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t).compound);
const Sentiment = require(path.join(modules, 'sentiment'));
const afinn = new Sentiment();
run('npm sentiment (AFINN)', (t) => afinn.analyze(t).score);
