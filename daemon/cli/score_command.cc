#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <istream>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "daemon/base/mutex.h"
#include "daemon/base/thread_set.h"
#include "daemon/cli/command.h"
#include "daemon/cli/line_input.h"
#include "daemon/match/matcher.h"
#include "daemon/sentiment/analyzer.h"
#include "daemon/text/fold.h"
#include "daemon/text/utf8.h"

namespace brandmon::cli {

namespace {

// Lines are read in blocks of at most this many; a block of fewer lines than
// kParallelLines is scored on one thread.
constexpr size_t kBlockLines = 4096;
constexpr size_t kParallelLines = 256;
constexpr size_t kMaxJobs = 64;

// The CPUs this process may run on.
size_t UsableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return 1;
  return std::clamp<size_t>(static_cast<size_t>(CPU_COUNT(&set)), 1, kMaxJobs);
}

struct ScoreArgs {
  std::string lang = "auto";
  std::string data_dir;
  std::vector<std::string> targets;
  size_t jobs = UsableCpus();
};

bool ParseJobs(const std::string& value, size_t* jobs) {
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, *jobs);
  return ec == std::errc() && ptr == end && *jobs >= 1 && *jobs <= kMaxJobs;
}

bool ParseScoreArgs(Invocation& inv, ScoreArgs* args) {
  for (size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& a = inv.args[i];
    std::string* dest = a == "--lang" ? &args->lang : a == "--data-dir" ? &args->data_dir : nullptr;
    if (dest != nullptr || a == "--target" || a == "--jobs") {
      if (i + 1 >= inv.args.size()) {
        inv.err << "brandmonctl score: " << a << " needs a value\n";
        return false;
      }
      const std::string& value = inv.args[++i];
      if (dest != nullptr) {
        *dest = value;
      } else if (a == "--target") {
        args->targets.push_back(value);
      } else if (!ParseJobs(value, &args->jobs)) {
        inv.err << "brandmonctl score: --jobs must be a whole number from 1 to " << kMaxJobs << ", not '" << value
                << "'\n";
        return false;
      }
      continue;
    }
    inv.err << "brandmonctl score: unknown argument '" << a << "'\n";
    return false;
  }
  if (args->lang.empty()) {
    inv.err << "brandmonctl score: --lang must be 'auto' or a language code\n";
    return false;
  }
  return true;
}

// The targets as a brand's query: each one a phrase, so that a line's target
// spans are those the daemon's matcher would find for a brand with these
// terms (word boundaries, case and accents folded).
Result<match::BrandMatcher> TargetMatcher(const std::vector<std::string>& targets) {
  std::string query;
  for (const auto& t : targets) {
    if (t.find('"') != std::string::npos) {
      return Status::InvalidArgument("--target '" + t + "' cannot contain '\"'");
    }
    if (!text::HasWordChar(t)) return Status::InvalidArgument("--target '" + t + "' has no letter or digit");
    query += query.empty() ? "\"" : " OR \"";
    query += t;
    query += '"';
  }
  return match::BrandMatcher::Build({match::BrandSpec{"target", query, {}}});
}

void FindTargets(std::string_view line, const match::BrandMatcher& matcher, match::MatchScratch& scratch,
                 std::vector<sentiment::CodePointSpan>* spans) {
  spans->clear();
  match::MatchInput input;
  input.text = line;
  for (const auto& hit : matcher.Match(input, scratch)) {
    for (const auto& span : hit.spans) {
      if (span.field == match::Field::kText) spans->push_back({span.start, span.end});
    }
  }
}

void WriteScore(const sentiment::SentimentScore& s, bool with_target, rapidjson::StringBuffer* buf) {
  buf->Clear();
  rapidjson::Writer<rapidjson::StringBuffer> w(*buf);
  w.SetMaxDecimalPlaces(4);
  w.StartObject();
  w.Key("compound");
  w.Double(s.compound);
  w.Key("pos");
  w.Double(s.pos);
  w.Key("neu");
  w.Double(s.neu);
  w.Key("neg");
  w.Double(s.neg);
  w.Key("label");
  std::string_view label = s.label();
  w.String(label.data(), static_cast<rapidjson::SizeType>(label.size()));
  w.Key("lang");
  w.String(s.lang);
  // Only when false, so that scored lines keep the contract's fields.
  if (!s.scored) {
    w.Key("scored");
    w.Bool(false);
  }
  if (with_target) {
    w.Key("target");
    w.Double(s.target.value_or(s.compound));
  }
  w.EndObject();
}

// What every line is scored with; read by all the threads of a block.
struct Scorer {
  const sentiment::Analyzer& analyzer;
  const match::BrandMatcher* targets;  // null without --target
  std::string lang;
};

// One thread's part of a block: its lines' answers, in order, and the
// buffers it reuses from block to block.
struct Share {
  std::string out;
  match::MatchScratch scratch;
  std::vector<sentiment::CodePointSpan> spans;
  rapidjson::StringBuffer buf;
};

void ScoreLines(const Scorer& scorer, std::span<const std::string> lines, Share* share) {
  share->out.clear();
  sentiment::ScoreRequest request;
  request.lang = scorer.lang;
  for (const std::string& line : lines) {
    if (scorer.targets != nullptr) {
      // Spans count code points of the text the analyzer reads: repaired.
      std::string repaired = text::IsValidUtf8(line) ? std::string() : text::RepairUtf8(line);
      const std::string& read = repaired.empty() ? line : repaired;
      FindTargets(read, *scorer.targets, share->scratch, &share->spans);
      request.targets = share->spans;
    }
    WriteScore(scorer.analyzer.Score(line, request), scorer.targets != nullptr, &share->buf);
    share->out.append(share->buf.GetString(), share->buf.GetSize());
    share->out.push_back('\n');
  }
}

// Scores each block's lines in as many contiguous shares as there are
// threads: share 0 on the calling thread, the others on threads started once
// (so that each keeps its scratch buffers from block to block). A block of
// fewer than kParallelLines lines (a conversation through a pipe) is scored on
// the calling thread alone. The answers are the shares' outputs in order.
// Owned by the command's thread.
class BlockScorer {
 public:
  BlockScorer(const Scorer& scorer, size_t jobs) : scorer_(scorer), shares_(jobs) {
    for (size_t j = 1; j < jobs; ++j) threads_.Start("score-" + std::to_string(j), [this, j] { Work(j); });
  }
  ~BlockScorer() {
    {
      MutexLock lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    threads_.JoinAll();
  }
  BlockScorer(const BlockScorer&) = delete;
  BlockScorer& operator=(const BlockScorer&) = delete;

  void Score(std::span<const std::string> lines) {
    size_t jobs = lines.size() < kParallelLines ? 1 : shares_.size();
    {
      MutexLock lock(mu_);
      lines_ = lines;
      jobs_ = jobs;
      pending_ = jobs - 1;
      ++generation_;
    }
    if (jobs > 1) wake_.notify_all();
    ScoreLines(scorer_, Part(lines, jobs, 0), &shares_[0]);
    // Threads past `jobs` sit this block out: their shares are emptied here.
    for (size_t j = jobs; j < shares_.size(); ++j) shares_[j].out.clear();
    MutexLock lock(mu_);
    lock.Wait(done_, [this] {
      mu_.AssertHeld();
      return pending_ == 0;
    });
  }

  const std::vector<Share>& shares() const { return shares_; }

 private:
  static std::span<const std::string> Part(std::span<const std::string> lines, size_t jobs, size_t j) {
    size_t per = (lines.size() + jobs - 1) / jobs;
    size_t begin = std::min(j * per, lines.size());
    return lines.subspan(begin, std::min(per, lines.size() - begin));
  }

  void Work(size_t j) {
    uint64_t seen = 0;
    for (;;) {
      std::span<const std::string> part;
      {
        MutexLock lock(mu_);
        lock.Wait(wake_, [this, seen] {
          mu_.AssertHeld();
          return stop_ || generation_ != seen;
        });
        if (stop_) return;
        seen = generation_;
        if (j >= jobs_) continue;
        part = Part(lines_, jobs_, j);
      }
      ScoreLines(scorer_, part, &shares_[j]);
      MutexLock lock(mu_);
      if (--pending_ == 0) done_.notify_one();
    }
  }

  const Scorer& scorer_;
  std::vector<Share> shares_;  // share j is written by thread j alone while a block is scored
  Mutex mu_;
  std::condition_variable wake_;
  std::condition_variable done_;
  std::span<const std::string> lines_ GUARDED_BY(mu_);
  size_t jobs_ GUARDED_BY(mu_) = 1;
  size_t pending_ GUARDED_BY(mu_) = 0;
  uint64_t generation_ GUARDED_BY(mu_) = 0;
  bool stop_ GUARDED_BY(mu_) = false;
  ThreadSet threads_;  // last: started after, and joined before, what the threads read
};

}  // namespace

int RunScore(Invocation& inv) {
  ScoreArgs args;
  if (!ParseScoreArgs(inv, &args)) return 2;
  sentiment::SentimentOptions options;
  options.data_dir = args.data_dir;
  Result<sentiment::Analyzer> analyzer = sentiment::Analyzer::Create(options);
  if (!analyzer.ok()) {
    inv.err << "brandmonctl score: " << analyzer.status().message() << "\n";
    return 1;
  }
  std::optional<match::BrandMatcher> targets;
  if (!args.targets.empty()) {
    Result<match::BrandMatcher> built = TargetMatcher(args.targets);
    if (!built.ok()) {
      inv.err << "brandmonctl score: " << built.status().message() << "\n";
      return 2;
    }
    targets = std::move(built).value();
  }
  Scorer scorer{*analyzer, targets ? &*targets : nullptr, args.lang};
  BlockScorer block_scorer(scorer, args.jobs);
  std::vector<std::string> lines;
  while (size_t n = ReadLines(inv.in, inv.out, &lines, kBlockLines)) {
    block_scorer.Score(std::span<const std::string>(lines.data(), n));
    for (const Share& share : block_scorer.shares()) {
      inv.out.write(share.out.data(), static_cast<std::streamsize>(share.out.size()));
    }
  }
  inv.out.flush();
  return 0;
}

}  // namespace brandmon::cli
