#include "daemon/rules/trend.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace brandmon::rules {

namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

double LogPmf(int64_t i, double lambda) {
  return static_cast<double>(i) * std::log(lambda) - lambda - std::lgamma(static_cast<double>(i) + 1);
}

// Buckets an empty stretch can contribute at most: beyond that many zeros the
// outcome no longer changes.
int64_t GapLimit(int64_t window) { return window + 16; }

// Parses JSON state; nullptr-safe accessors below return defaults.
bool ParseObject(std::string_view data, rapidjson::Document& doc) {
  doc.Parse(data.data(), data.size());
  return !doc.HasParseError() && doc.IsObject();
}

int64_t GetInt(const rapidjson::Value& obj, const char* key, int64_t def = 0) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : def;
}

double GetDouble(const rapidjson::Value& obj, const char* key, double def = 0) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsNumber() ? it->value.GetDouble() : def;
}

bool GetBool(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

void Key(JsonWriter& w, const char* key) { w.Key(key); }
void PutInt(JsonWriter& w, const char* key, int64_t v) {
  w.Key(key);
  w.Int64(v);
}
void PutDouble(JsonWriter& w, const char* key, double v) {
  w.Key(key);
  w.Double(v);
}
void PutBool(JsonWriter& w, const char* key, bool v) {
  w.Key(key);
  w.Bool(v);
}
void Key(JsonWriter& w, const std::string& key) { w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size())); }

template <typename K>
void WriteNumberMap(JsonWriter& w, const char* name, const std::map<std::string, K>& map) {
  w.Key(name);
  w.StartObject();
  for (const auto& [k, v] : map) {
    Key(w, k);
    if constexpr (std::is_integral_v<K>) {
      w.Int64(v);
    } else {
      w.Double(v);
    }
  }
  w.EndObject();
}

template <typename K>
void ReadNumberMap(const rapidjson::Value& obj, const char* name, std::map<std::string, K>& out) {
  out.clear();
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsObject()) return;
  for (const auto& m : it->value.GetObject()) {
    if (!m.value.IsNumber()) continue;
    std::string key(m.name.GetString(), m.name.GetStringLength());
    if constexpr (std::is_integral_v<K>) {
      if (m.value.IsInt64()) out[key] = m.value.GetInt64();
    } else {
      out[key] = m.value.GetDouble();
    }
  }
}

}  // namespace

double PoissonUpperTail(int64_t k, double lambda) {
  if (k <= 0) return 1;
  if (static_cast<double>(k) <= lambda) return std::max(0.0, 1 - PoissonLowerTail(k - 1, lambda));
  double sum = 0;
  for (int64_t i = k; i < k + 100000; ++i) {
    double term = std::exp(LogPmf(i, lambda));
    sum += term;
    if (term <= sum * 1e-16) break;
  }
  return std::min(1.0, sum);
}

double PoissonLowerTail(int64_t k, double lambda) {
  if (k < 0) return 0;
  if (static_cast<double>(k) >= lambda) return std::max(0.0, 1 - PoissonUpperTail(k + 1, lambda));
  double sum = 0;
  for (int64_t i = k; i >= 0; --i) {
    double term = std::exp(LogPmf(i, lambda));
    sum += term;
    if (term <= sum * 1e-16) break;
  }
  return std::min(1.0, sum);
}

Baseline RobustBaseline(std::vector<double> history) {
  Baseline b;
  if (history.empty()) return b;
  auto median_of = [](std::vector<double>& v) {
    size_t mid = v.size() / 2;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
    double hi = v[mid];
    if (v.size() % 2 == 1) return hi;
    double lo = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
    return (lo + hi) / 2;
  };
  b.median = median_of(history);
  for (double& x : history) x = std::abs(x - b.median);
  double mad = median_of(history);
  b.sigma = std::max({1.4826 * mad, std::sqrt(b.median), 1.0});
  return b;
}

// ---- SpikeSeries ------------------------------------------------------------

void SpikeSeries::Add(int64_t bucket, double n) {
  if (open_bucket_ < 0) open_bucket_ = bucket;
  // A mention stamped before the open bucket (clock stepped back) counts in the open one.
  open_count_ += n;
}

std::vector<SpikeSeries::Event> SpikeSeries::Advance(int64_t bucket, const SpikeOptions& options) {
  std::vector<Event> events;
  if (open_bucket_ < 0) {
    open_bucket_ = bucket;
    return events;
  }
  if (bucket <= open_bucket_) return events;
  int64_t gap = std::min(bucket - open_bucket_, GapLimit(options.window));
  int64_t first = bucket - gap;
  double count = open_count_;
  for (int64_t b = first; b < bucket; ++b) {
    if (auto e = Close(b, b == first ? count : 0, options)) events.push_back(*e);
  }
  open_bucket_ = bucket;
  open_count_ = 0;
  return events;
}

void SpikeSeries::Resume(int64_t bucket) {
  if (open_bucket_ < 0 || bucket <= open_bucket_ + 1) return;
  open_bucket_ = bucket;
  open_count_ = 0;
}

std::optional<SpikeSeries::Event> SpikeSeries::Close(int64_t bucket, double count, const SpikeOptions& options) {
  ++observed_;
  auto remember = [&](double value) {
    history_.push_back(value);
    if (history_.size() > static_cast<size_t>(options.window)) {
      history_.erase(history_.begin(), history_.end() - options.window);
    }
  };
  if (observed_ <= options.warm_up || history_.empty()) {
    remember(count);
    return std::nullopt;
  }
  Baseline base = RobustBaseline(history_);
  double z = (count - base.median) / base.sigma;
  double lambda = std::max(base.median, 0.5);
  auto k = static_cast<int64_t>(std::llround(count));
  double p_up = PoissonUpperTail(k, lambda);
  double p_down = PoissonLowerTail(k, lambda);
  bool high = count >= static_cast<double>(options.min_count) && z >= options.z && p_up <= options.p_value;
  bool low = options.dips && base.median >= static_cast<double>(options.min_count) && z <= -options.z &&
             p_down <= options.p_value;
  // Winsorize what enters the baseline so a storm does not become the norm at once.
  remember(std::clamp(count, base.median - options.z * base.sigma, base.median + options.z * base.sigma));

  Event e{SpikeSeries::EventKind::kSpike, bucket, 0, count, base.median, base.sigma, z, p_up, 0, 0, 0};
  int64_t cooldown_buckets = options.cooldown.count() / std::max<int64_t>(1, options.bucket.count());
  if (state_ == 0) {
    if (!high && !low) return std::nullopt;
    state_ = high ? 1 : -1;
    storm_start_ = bucket;
    peak_ = count;
    storm_total_ = count;
    storm_buckets_ = 1;
    normal_run_ = 0;
    storm_alerted_ = bucket >= quiet_until_;
    if (!storm_alerted_) return std::nullopt;
    e.kind = high ? EventKind::kSpike : EventKind::kDip;
    e.p = high ? p_up : p_down;
  } else {
    bool still = state_ == 1 ? z >= options.z : z <= -options.z;
    ++storm_buckets_;
    storm_total_ += count;
    peak_ = state_ == 1 ? std::max(peak_, count) : std::min(peak_, count);
    normal_run_ = still ? 0 : normal_run_ + 1;
    if (normal_run_ < options.clear_after) return std::nullopt;
    bool alerted = storm_alerted_;
    e.kind = EventKind::kClear;
    e.dip_storm = state_ == -1;
    e.p = state_ == 1 ? p_up : p_down;
    state_ = 0;
    quiet_until_ = bucket + 1 + cooldown_buckets;
    if (!alerted) return std::nullopt;
  }
  e.storm_start = storm_start_;
  e.peak = peak_;
  e.storm_total = storm_total_;
  e.storm_buckets = storm_buckets_;
  return e;
}

std::string SpikeSeries::Serialize() const {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  PutInt(w, "open", open_bucket_);
  PutDouble(w, "count", open_count_);
  Key(w, "history");
  w.StartArray();
  for (double x : history_) w.Double(x);
  w.EndArray();
  PutInt(w, "observed", observed_);
  PutInt(w, "state", state_);
  PutInt(w, "storm_start", storm_start_);
  PutDouble(w, "peak", peak_);
  PutDouble(w, "storm_total", storm_total_);
  PutInt(w, "storm_buckets", storm_buckets_);
  PutInt(w, "normal_run", normal_run_);
  PutBool(w, "alerted", storm_alerted_);
  PutInt(w, "quiet_until", quiet_until_);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

bool SpikeSeries::Deserialize(std::string_view data) {
  rapidjson::Document doc;
  if (!ParseObject(data, doc)) return false;
  auto hist = doc.FindMember("history");
  if (hist == doc.MemberEnd() || !hist->value.IsArray()) return false;
  SpikeSeries s;
  for (const auto& x : hist->value.GetArray()) {
    if (x.IsNumber()) s.history_.push_back(x.GetDouble());
  }
  s.open_bucket_ = GetInt(doc, "open", -1);
  s.open_count_ = GetDouble(doc, "count");
  s.observed_ = GetInt(doc, "observed");
  s.state_ = static_cast<int>(std::clamp<int64_t>(GetInt(doc, "state"), -1, 1));
  s.storm_start_ = GetInt(doc, "storm_start");
  s.peak_ = GetDouble(doc, "peak");
  s.storm_total_ = GetDouble(doc, "storm_total");
  s.storm_buckets_ = GetInt(doc, "storm_buckets");
  s.normal_run_ = GetInt(doc, "normal_run");
  s.storm_alerted_ = GetBool(doc, "alerted");
  s.quiet_until_ = GetInt(doc, "quiet_until", -1);
  *this = std::move(s);
  return true;
}

// ---- ShiftTracker -----------------------------------------------------------

void ShiftTracker::Add(int64_t bucket, double compound) {
  if (open_bucket_ < 0) open_bucket_ = bucket;
  ++open_.count;
  open_.sum += compound;
}

std::vector<ShiftTracker::Event> ShiftTracker::Advance(int64_t bucket, const SentimentShiftOptions& options) {
  std::vector<Event> events;
  if (open_bucket_ < 0) {
    open_bucket_ = bucket;
    return events;
  }
  if (bucket <= open_bucket_) return events;
  int64_t gap = std::min(bucket - open_bucket_, GapLimit(options.recent_buckets + options.baseline_buckets));
  int64_t first = bucket - gap;
  for (int64_t b = first; b < bucket; ++b) {
    if (auto e = Close(b, b == first ? open_ : Cell{}, options)) events.push_back(*e);
  }
  open_bucket_ = bucket;
  open_ = Cell{};
  return events;
}

void ShiftTracker::Resume(int64_t bucket) {
  if (open_bucket_ < 0 || bucket <= open_bucket_ + 1) return;
  open_bucket_ = bucket;
  open_ = Cell{};
}

std::optional<ShiftTracker::Event> ShiftTracker::Close(int64_t bucket, Cell cell,
                                                       const SentimentShiftOptions& options) {
  history_.push_back(cell);
  auto keep = static_cast<size_t>(options.recent_buckets + options.baseline_buckets);
  if (history_.size() > keep) history_.erase(history_.begin(), history_.end() - static_cast<std::ptrdiff_t>(keep));
  if (history_.size() <= static_cast<size_t>(options.recent_buckets)) return std::nullopt;
  Cell recent, base;
  size_t split = history_.size() - static_cast<size_t>(options.recent_buckets);
  for (size_t i = 0; i < history_.size(); ++i) {
    Cell& into = i < split ? base : recent;
    into.count += history_[i].count;
    into.sum += history_[i].sum;
  }
  if (recent.count < options.min_recent || base.count < options.min_baseline) return std::nullopt;
  Event e{bucket,
          recent.sum / static_cast<double>(recent.count),
          base.sum / static_cast<double>(base.count),
          0,
          recent.count,
          base.count};
  e.drop = e.baseline_avg - e.recent_avg;
  int64_t cooldown_buckets = options.cooldown.count() / std::max<int64_t>(1, options.bucket.count());
  if (active_) {
    // Hysteresis: the shift is over once the drop is back under half the threshold.
    if (e.drop < options.drop / 2) {
      active_ = false;
      quiet_until_ = bucket + 1 + cooldown_buckets;
    }
    return std::nullopt;
  }
  if (e.drop < options.drop) return std::nullopt;
  active_ = true;
  if (bucket < quiet_until_) return std::nullopt;
  return e;
}

std::string ShiftTracker::Serialize() const {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  PutInt(w, "open", open_bucket_);
  PutInt(w, "count", open_.count);
  PutDouble(w, "sum", open_.sum);
  Key(w, "history");
  w.StartArray();
  for (const Cell& c : history_) {
    w.StartArray();
    w.Int64(c.count);
    w.Double(c.sum);
    w.EndArray();
  }
  w.EndArray();
  PutBool(w, "active", active_);
  PutInt(w, "quiet_until", quiet_until_);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

bool ShiftTracker::Deserialize(std::string_view data) {
  rapidjson::Document doc;
  if (!ParseObject(data, doc)) return false;
  auto hist = doc.FindMember("history");
  if (hist == doc.MemberEnd() || !hist->value.IsArray()) return false;
  ShiftTracker t;
  for (const auto& c : hist->value.GetArray()) {
    if (!c.IsArray() || c.Size() != 2 || !c[0].IsInt64() || !c[1].IsNumber()) return false;
    t.history_.push_back({c[0].GetInt64(), c[1].GetDouble()});
  }
  t.open_bucket_ = GetInt(doc, "open", -1);
  t.open_.count = GetInt(doc, "count");
  t.open_.sum = GetDouble(doc, "sum");
  t.active_ = GetBool(doc, "active");
  t.quiet_until_ = GetInt(doc, "quiet_until", -1);
  *this = std::move(t);
  return true;
}

// ---- TermTracker ------------------------------------------------------------

namespace {

// Weight of the newest bucket in a term's baseline (an EWMA over about a day
// of hourly buckets).
constexpr double kTermAlpha = 2.0 / 25.0;

}  // namespace

void TermTracker::Add(int64_t bucket, const std::vector<std::string>& words, const EmergingTermsOptions& options) {
  std::vector<HashedWord> hashed;
  hashed.reserve(words.size());
  for (const std::string& w : words) hashed.push_back({w, text::HashWord(w)});
  Add(bucket, hashed, options);
}

void TermTracker::Add(int64_t bucket, std::vector<HashedWord>& words, const EmergingTermsOptions& options) {
  if (open_bucket_ < 0) open_bucket_ = bucket;
  ++add_serial_;
  // The cap bounds memory against a flood of unique words.
  const size_t cap = static_cast<size_t>(options.max_terms) * 4;
  if (counts_.size() + words.size() > cap) {
    AddNearCap(words, cap);
    return;
  }
  // No word can be left out: each is counted where it stands, a repeat
  // known by the mark of this Add().
  for (const HashedWord& w : words) {
    auto it = counts_.find(w);
    if (it == counts_.end()) it = counts_.emplace(std::string(w.text), Count{}).first;
    CountOnce(*it);
  }
}

void TermTracker::AddNearCap(std::vector<HashedWord>& words, size_t cap) {
  std::sort(words.begin(), words.end(), [](const HashedWord& a, const HashedWord& b) { return a.text < b.text; });
  words.erase(std::unique(words.begin(), words.end(),
                          [](const HashedWord& a, const HashedWord& b) { return a.text == b.text; }),
              words.end());
  for (const HashedWord& w : words) {
    auto it = counts_.find(w);
    if (it == counts_.end()) {
      if (counts_.size() >= cap) continue;
      it = counts_.emplace(std::string(w.text), Count{}).first;
    }
    CountOnce(*it);
  }
}

void TermTracker::CountOnce(Counts::value_type& cell) {
  Count& c = cell.second;
  if (c.added == add_serial_) return;
  c.added = add_serial_;
  c.n += 1;
  if (!c.changed) {
    c.changed = true;
    changed_.push_back(&cell);
  }
}

std::vector<std::pair<int64_t, std::vector<TermTracker::Emerging>>> TermTracker::Advance(
    int64_t bucket, int64_t now_ms, const EmergingTermsOptions& options) {
  std::vector<std::pair<int64_t, std::vector<Emerging>>> out;
  if (open_bucket_ < 0) {
    open_bucket_ = bucket;
    return out;
  }
  if (bucket <= open_bucket_) return out;
  std::vector<Emerging> emerging = Close(now_ms, options);
  if (!emerging.empty()) out.emplace_back(open_bucket_, std::move(emerging));
  int64_t empty = bucket - open_bucket_ - 1;
  Decay(std::min<int64_t>(empty, 1000));
  observed_ += empty;
  open_bucket_ = bucket;
  return out;
}

void TermTracker::Resume(int64_t bucket) {
  if (open_bucket_ < 0 || bucket <= open_bucket_ + 1) return;
  open_bucket_ = bucket;
  counts_.clear();
  changed_.clear();
}

void TermTracker::Decay(int64_t buckets) {
  if (buckets <= 0) return;
  double factor = std::pow(1 - kTermAlpha, static_cast<double>(buckets));
  for (auto it = baseline_.begin(); it != baseline_.end();) {
    it->second *= factor;
    it = it->second < 0.01 ? baseline_.erase(it) : std::next(it);
  }
}

std::vector<TermTracker::Emerging> TermTracker::Close(int64_t now_ms, const EmergingTermsOptions& options) {
  ++observed_;
  std::vector<Emerging> emerging;
  for (const auto& [term, cell] : counts_) {
    double count = cell.n;
    auto b = baseline_.find(term);
    double base = b == baseline_.end() ? 0 : b->second;
    auto cool = cooldown_until_ms_.find(term);
    bool cooling = cool != cooldown_until_ms_.end() && now_ms < cool->second;
    if (observed_ > options.warm_up && !cooling && count >= static_cast<double>(options.min_count) &&
        count >= options.ratio * std::max(base, 1.0)) {
      emerging.push_back({term, count, base});
    }
  }
  std::sort(emerging.begin(), emerging.end(), [](const Emerging& a, const Emerging& b) {
    double ra = a.count / std::max(a.baseline, 1.0), rb = b.count / std::max(b.baseline, 1.0);
    if (ra != rb) return ra > rb;
    if (a.count != b.count) return a.count > b.count;
    return a.term < b.term;
  });
  if (emerging.size() > static_cast<size_t>(options.top)) emerging.resize(static_cast<size_t>(options.top));
  for (const auto& e : emerging) cooldown_until_ms_[e.term] = now_ms + options.cooldown.count();
  for (auto it = cooldown_until_ms_.begin(); it != cooldown_until_ms_.end();) {
    it = it->second <= now_ms ? cooldown_until_ms_.erase(it) : std::next(it);
  }
  // Update the baselines: terms of this bucket with their count, the others
  // towards zero. While warming up the weight is 1/n, so the baseline starts
  // as the plain mean of the buckets seen; after that, counts are clipped so a
  // storm does not become the norm at once.
  bool warm = observed_ > options.warm_up;
  double alpha = std::max(kTermAlpha, 1.0 / static_cast<double>(observed_));
  for (auto& [term, base] : baseline_) {
    if (!counts_.contains(std::string_view(term))) base *= 1 - alpha;
  }
  for (const auto& [term, cell] : counts_) {
    double count = cell.n;
    double& base = baseline_[term];
    double clipped = warm ? std::min(count, options.ratio * std::max(base, 1.0)) : count;
    base += alpha * (clipped - base);
  }
  for (auto it = baseline_.begin(); it != baseline_.end();) {
    it = it->second < 0.01 ? baseline_.erase(it) : std::next(it);
  }
  if (baseline_.size() > static_cast<size_t>(options.max_terms)) {
    std::vector<std::pair<double, std::string>> by_weight;
    for (const auto& [term, base] : baseline_) by_weight.emplace_back(base, term);
    std::sort(by_weight.begin(), by_weight.end());
    size_t excess = baseline_.size() - static_cast<size_t>(options.max_terms);
    for (size_t i = 0; i < excess; ++i) baseline_.erase(by_weight[i].second);
  }
  counts_.clear();
  changed_.clear();
  return emerging;
}

std::string TermTracker::SerializeBaseline() const {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  PutInt(w, "open", open_bucket_);
  PutInt(w, "observed", observed_);
  WriteNumberMap(w, "baseline", baseline_);
  WriteNumberMap(w, "cooldown", cooldown_until_ms_);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

namespace {

// A count as JSON: integral counts (all of them, in practice) as integers,
// which are cheaper to write and read back exactly.
void PutCount(JsonWriter& w, double n) {
  if (n >= 0 && n < 9007199254740992.0 && n == std::floor(n)) {
    w.Int64(static_cast<int64_t>(n));
  } else {
    w.Double(n);
  }
}

}  // namespace

std::string TermTracker::SerializeOpen() { return WriteOpen(/*changes_only=*/false); }

std::string TermTracker::SerializeOpenChanges() {
  if (changed_.empty()) return {};
  return WriteOpen(/*changes_only=*/true);
}

std::string TermTracker::WriteOpen(bool changes_only) {
  rapidjson::StringBuffer buf;
  JsonWriter w(buf);
  w.StartObject();
  PutInt(w, "open", open_bucket_);
  w.Key("counts");
  w.StartObject();
  auto put = [&](const std::string& term, Count& cell) {
    Key(w, term);
    PutCount(w, cell.n);
    cell.changed = false;
  };
  if (changes_only) {
    for (Counts::value_type* cell : changed_) put(cell->first, cell->second);
  } else {
    for (auto& [term, cell] : counts_) put(term, cell);
  }
  w.EndObject();
  w.EndObject();
  changed_.clear();
  return std::string(buf.GetString(), buf.GetSize());
}

bool TermTracker::DeserializeBaseline(std::string_view data) {
  rapidjson::Document doc;
  if (!ParseObject(data, doc) || !doc.HasMember("baseline")) return false;
  TermTracker t;
  t.open_bucket_ = GetInt(doc, "open", -1);
  t.observed_ = GetInt(doc, "observed");
  ReadNumberMap(doc, "baseline", t.baseline_);
  ReadNumberMap(doc, "cooldown", t.cooldown_until_ms_);
  *this = std::move(t);
  return true;
}

bool TermTracker::DeserializeOpen(std::string_view data) { return ReadOpen(data, /*merge=*/false); }

bool TermTracker::MergeOpen(std::string_view data) { return ReadOpen(data, /*merge=*/true); }

bool TermTracker::ReadOpen(std::string_view data, bool merge) {
  rapidjson::Document doc;
  if (!ParseObject(data, doc) || GetInt(doc, "open", -1) != open_bucket_) return false;
  auto it = doc.FindMember("counts");
  if (it == doc.MemberEnd() || !it->value.IsObject()) return false;
  if (!merge) counts_.clear();
  changed_.clear();
  for (auto& [term, cell] : counts_) cell.changed = false;
  for (const auto& m : it->value.GetObject()) {
    if (!m.value.IsNumber()) continue;
    counts_[std::string(m.name.GetString(), m.name.GetStringLength())] = {m.value.GetDouble(), false};
  }
  return true;
}

}  // namespace brandmon::rules
