// brandmon's language identification side by side with the npm libraries
// eld, franc-min and tinyld, on the same labelled posts in one run:
// per-language share of posts given the right language, and posts/s on one
// thread (CPU time), in process for every contender.
//
//   (cd bench/langid && npm ci)
//   node bench/langid/run.mjs [--build DIR] [--multi DIR] [--repeat N] [--eld SIZE]
//
// Posts: the `val` splits of the multilingual tweet sets (`--multi`, default
// $BRANDMON_MULTI or ../shared/bench/sentiment/multi beside the checkout; the
// `train` splits are never read here) and bench/langid/heldout.tsv (held-out
// sentences of public treebanks, see its README). A post labelled `hi-latn`
// counts as right when answered `hi-latn` or `hi`.
import {spawnSync} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (i % 2 === 0 ? [...acc, [a.replace(/^--/, ''), all[i + 1]]] : acc), [])
)
const build = path.resolve(args.build ?? path.join(root, 'build'))
const repeat = Number(args.repeat ?? 5)
const multiCandidates = [args.multi, process.env.BRANDMON_MULTI, path.join(root, '..', 'shared', 'bench', 'sentiment', 'multi'),
  path.join(root, '..', '..', 'shared', 'bench', 'sentiment', 'multi')].filter(Boolean)
const multi = multiCandidates.find((d) => fs.existsSync(d))

function readTsv(file, set) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('\t')).map((l) => {
    const tab = l.lastIndexOf('\t')
    return {text: l.slice(0, tab), lang: l.slice(tab + 1), set}
  })
}

function loadPosts() {
  const posts = []
  if (multi) {
    for (const f of fs.readdirSync(multi).filter((f) => f.endsWith('.val.tsv')).sort()) {
      const lang = f.replace('.val.tsv', '')
      posts.push(...readTsv(path.join(multi, f), 'tweets').map((p) => ({...p, lang})))
    }
  } else {
    console.error('(no multilingual tweet sets found: --multi DIR; held-out sentences only)')
  }
  posts.push(...readTsv(path.join(here, 'heldout.tsv'), 'heldout'))
  return posts
}

// ISO 639-3 (franc) to the 639-1 codes brandmon and the others answer in.
const iso3 = {
  arb: 'ar', ara: 'ar', cat: 'ca', cmn: 'zh', deu: 'de', eng: 'en', fra: 'fr', guj: 'gu', hin: 'hi', ind: 'id',
  ita: 'it', jpn: 'ja', kor: 'ko', nld: 'nl', pol: 'pl', por: 'pt', rus: 'ru', spa: 'es', tur: 'tr', zlm: 'ms',
  ukr: 'uk', urd: 'ur', pes: 'fa', swh: 'sw', tgl: 'tl', ron: 'ro', hun: 'hu', ces: 'cs', swe: 'sv', dan: 'da'
}

function timePeer(posts, detect) {
  const answers = posts.map((p) => detect(p.text))
  // CPU time, as for brandmon: on a shared machine wall time counts others' work too.
  const start = process.cpuUsage()
  let sink = 0
  for (let r = 0; r < repeat; ++r) for (const p of posts) sink += detect(p.text).length
  const used = process.cpuUsage(start)
  const seconds = (used.user + used.system) / 1e6
  return {answers, posts_per_s: (posts.length * repeat) / seconds, sink}
}

async function runPeers(posts) {
  const {eld} = await import('eld')
  await eld.load(args.eld ?? 'large')
  const {franc} = await import('franc-min')
  const {detect} = await import('tinyld')
  return {
    [`eld (${args.eld ?? 'large'})`]: timePeer(posts, (t) => eld.detect(t).language || 'und'),
    'franc-min': timePeer(posts, (t) => { const c = franc(t); return iso3[c] ?? c }),
    tinyld: timePeer(posts, (t) => detect(t) || 'und'),
  }
}

function runBrandmon(posts) {
  const exe = path.join(build, 'bench', 'langid', 'langid_bench')
  const input = posts.map((p) => `${p.text}\t${p.lang}\n`).join('')
  const r = spawnSync(exe, ['--repeat', String(repeat * 4)], {input, maxBuffer: 1 << 28})
  if (r.status !== 0) throw new Error(`${exe} failed: ${r.stderr}`)
  const out = JSON.parse(r.stdout.toString())
  return {'brandmon identify': out.identify, 'brandmon score.lang': out.score}
}

const right = (answer, lang) => answer === lang || (lang === 'hi-latn' && answer === 'hi')

function report(posts, results) {
  const names = Object.keys(results)
  const groups = new Map()
  posts.forEach((p, i) => {
    const key = `${p.lang} ${p.set}`
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(i)
  })
  const pad = (s, n) => String(s).padEnd(n)
  console.log(pad('language (posts)', 24) + names.map((n) => pad(n, 22)).join(''))
  const keys = [...groups.keys()].sort()
  const minima = Object.fromEntries(names.map((n) => [n, 1]))
  for (const key of keys) {
    const idx = groups.get(key)
    const cells = names.map((n) => {
      const share = idx.filter((i) => right(results[n].answers[i], posts[i].lang)).length / idx.length
      minima[n] = Math.min(minima[n], share)
      return pad(share.toFixed(3), 22)
    })
    console.log(pad(`${key} (${idx.length})`, 24) + cells.join(''))
  }
  const all = names.map((n) => pad((posts.filter((p, i) => right(results[n].answers[i], p.lang)).length / posts.length).toFixed(3), 22))
  console.log(pad('all', 24) + all.join(''))
  console.log(pad('worst language', 24) + names.map((n) => pad(minima[n].toFixed(3), 22)).join(''))
  console.log(pad('posts/s (one thread)', 24) + names.map((n) => pad(Math.round(results[n].posts_per_s), 22)).join(''))
  const und = names.map((n) => pad(results[n].answers.filter((a) => a === 'und').length, 22))
  console.log(pad('answered und', 24) + und.join(''))
}

const posts = loadPosts()
console.log(`${posts.length} posts; tweets from ${multi ?? '(none)'}; brandmon from ${build}; repeat ${repeat}`)
const results = {...runBrandmon(posts), ...(await runPeers(posts))}
report(posts, results)
if (args.errors) {
  const n = args.errors
  posts.forEach((p, i) => { if (!right(results[n].answers[i], p.lang)) console.log(`${p.lang}\t${results[n].answers[i]}\t${p.text}`) })
}
