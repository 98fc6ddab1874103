#include "daemon/config/diagnostics.h"

#include <algorithm>

namespace brandmon::config {

void Diagnostics::Error(const SourcePos& pos, std::string_view path, std::string_view message) {
  std::string line = pos.ToString() + ": ";
  if (!path.empty()) {
    line += path;
    line += ": ";
  }
  line += message;
  if (!hidden_.empty()) line = hidden_.Redact(line);
  order_.push_back({pos.file ? *pos.file : "", pos.line, pos.col, errors_.size()});
  errors_.push_back(std::move(line));
}

std::string Diagnostics::Joined() const {
  std::vector<Key> sorted = order_;
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (const auto& k : sorted) {
    out += errors_[k.index];
    out += '\n';
  }
  return out;
}

void Redactor::AddSecret(std::string value, std::string replacement) {
  // Very short values would redact innocent text everywhere; they are still
  // hidden where the option itself is a secret, and by their option path.
  if (value.size() >= 4) secrets_.emplace(std::move(value), std::move(replacement));
}

std::string Redactor::Redact(std::string_view text) const {
  std::string out(text);
  for (const auto& [secret, replacement] : secrets_) {
    size_t pos = 0;
    while ((pos = out.find(secret, pos)) != std::string::npos) {
      out.replace(pos, secret.size(), replacement);
      pos += replacement.size();
    }
  }
  return out;
}

void Redactor::AddPath(std::string path, std::string placeholder) { paths_[std::move(path)] = std::move(placeholder); }

const std::string* Redactor::PlaceholderAt(const std::string& path) const {
  auto it = paths_.find(path);
  return it == paths_.end() ? nullptr : &it->second;
}

namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

std::string ClosestKey(std::string_view key, const std::vector<std::string_view>& candidates) {
  if (key.size() > 64) return "";
  std::string_view best;
  size_t best_distance = SIZE_MAX;
  for (auto c : candidates) {
    size_t d = EditDistance(key, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  // Close enough to be a typo: at most a third of the key's length, at least 1.
  size_t limit = std::max<size_t>(1, std::max(key.size(), best.size()) / 3);
  if (best_distance <= limit) return std::string(best);
  return "";
}

}  // namespace brandmon::config
