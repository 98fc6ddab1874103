#include "daemon/rules/alert_text.h"

#include <cstdio>

#include "daemon/base/units.h"

namespace brandmon::rules {

namespace {

std::string OnChannel(const std::string& channel) { return channel.empty() ? "" : " on " + channel; }

const char* Counted(SpikeCount what) { return what == SpikeCount::kMentions ? "mentions" : "negative mentions"; }

// The quote, or the start of the text when there is none.
std::string QuotedText(const Mention& m, std::string_view quote) {
  return quote.empty() ? Snippet(m.text) : std::string(quote);
}

// "<brand><where> (score S, reach R): <quote>"
std::string ScoredTail(const std::string& brand, const Mention& m, double score, double reach, std::string_view quote) {
  return brand + Where(m) + " (score " + FormatFigure(score) + ", reach " + FormatFigure(reach, 0) +
         "): " + QuotedText(m, quote);
}

}  // namespace

std::string FormatFigure(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string Snippet(std::string_view text, size_t max) {
  std::string out;
  for (char c : text) out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  if (out.size() <= max) return out;
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  return out.substr(0, cut) + "...";
}

std::string Where(const Mention& m) {
  std::string s = OnChannel(m.channel);
  if (!m.author.empty()) s += " by " + m.author;
  return s;
}

std::string NegativeMentionText(const std::string& brand, const Mention& m, double score, double reach,
                                std::string_view quote) {
  return "negative mention of " + ScoredTail(brand, m, score, reach, quote);
}

std::string NeedsReplyText(const std::string& brand, const Mention& m, ReplyReason reason, double rating,
                           std::string_view quote) {
  std::string what = reason == ReplyReason::kLowRating   ? FormatFigure(rating, 1) + "-star review"
                     : reason == ReplyReason::kComplaint ? "complaint"
                                                         : "question";
  return what + " for " + brand + Where(m) + ": " + QuotedText(m, quote);
}

std::string PraiseText(const std::string& brand, const Mention& m, double score, double reach, std::string_view quote) {
  return "praise for " + ScoredTail(brand, m, score, reach, quote);
}

std::string KeywordText(const std::string& brand, const Mention& m, const std::vector<TermCount>& terms,
                        std::string_view quote) {
  std::string list;
  for (const auto& t : terms) list += (list.empty() ? "" : ", ") + t.term;
  return (terms.size() == 1 ? "crisis term " : "crisis terms ") + list + " with " + brand + Where(m) + ": " +
         QuotedText(m, quote);
}

std::string SpikeText(const std::string& brand, const std::string& channel, SpikeCount what, bool dip, double count,
                      Duration bucket, double usual, double z) {
  return std::string(dip ? "drop in " : "spike in ") + Counted(what) + " for " + brand + OnChannel(channel) + ": " +
         FormatFigure(count, 0) + " in " + FormatDuration(bucket) + " vs a usual " + FormatFigure(usual, 1) + " (z " +
         FormatFigure(z, 1) + ")";
}

std::string AllClearText(const std::string& brand, const std::string& channel, SpikeCount what, bool dip,
                         int64_t buckets, Duration bucket, double peak, double usual) {
  return "all clear for " + brand + OnChannel(channel) + ": " + Counted(what) + " back to normal after " +
         std::to_string(buckets) + " x " + FormatDuration(bucket) + " (" + (dip ? "low " : "peak ") +
         FormatFigure(peak, 0) + ", usual " + FormatFigure(usual, 1) + ")";
}

std::string SentimentShiftText(const std::string& brand, double drop, double recent_avg, int64_t recent_count,
                               double baseline_avg) {
  return "sentiment about " + brand + " dropped by " + FormatFigure(drop) + ": " + FormatFigure(recent_avg) +
         " over the last " + std::to_string(recent_count) + " mentions vs " + FormatFigure(baseline_avg) + " before";
}

std::string EmergingTermsText(const std::string& brand, Duration bucket, const std::vector<TermCount>& terms) {
  std::string list;
  for (const auto& t : terms) {
    list += (list.empty() ? "" : ", ") + t.term + " (" + FormatFigure(t.count, 0) + ", usually " +
            FormatFigure(t.baseline, 1) + ")";
  }
  return "emerging with " + brand + " in the last " + FormatDuration(bucket) + ": " + list;
}

}  // namespace brandmon::rules
