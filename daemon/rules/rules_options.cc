#include "daemon/rules/rules_options.h"

#include "daemon/base/mention.h"

namespace brandmon::rules {

using config::OptionTable;

namespace {

constexpr const char* kSalienceDoc =
    "Least salience of the brand in a long text (more than 3 sentences) for an alert: 1 when the title names it, "
    "0.75 when one of the first two sentences does, else twice the share of the sentences naming it. Below it the "
    "mention is stored and counted, not alerted: a brand named once in passing deep in an article stays quiet.";

// A `kinds` option: the kinds of channel a mention rule reads.
template <typename T>
config::OptionSpec<T> Kinds(std::vector<std::string> T::*field, std::vector<std::string> def, std::string doc) {
  return config::EnumList<T>("kinds", std::move(def), ChannelKindNames(), field, std::move(doc));
}

}  // namespace

const OptionTable<NegativeMentionOptions>& NegativeMentionOptionTable() {
  using O = NegativeMentionOptions;
  static const OptionTable<O> table = {
      config::Bool<O>("enabled", true, &O::enabled, "Alert on each clearly negative mention."),
      config::Dbl<O>("threshold", -0.5, {-1, 0}, &O::threshold,
                     "Alert when the sentiment aimed at the brand (else the whole text's compound) is at or "
                     "below this."),
      config::Dur<O>("cooldown", "30m", {"0s", "7d"}, &O::cooldown,
                     "After an alert, further negative mentions by the same author stay quiet this long."),
      config::Dbl<O>("reach_warning", 1000, {0, 1e12}, &O::reach_warning,
                     "Reach (largest of followers, likes, shares, replies) from which the alert is a warning."),
      config::Dbl<O>("reach_critical", 100000, {0, 1e12}, &O::reach_critical,
                     "Reach from which the alert is critical. A 1-star rating raises the severity one step."),
      config::Dbl<O>("min_salience", 0.5, {0, 1}, &O::min_salience, kSalienceDoc),
      Kinds<O>(&O::kinds, ChannelKindNames(), "Kinds of channel whose mentions may raise it."),
  };
  return table;
}

const OptionTable<NeedsReplyOptions>& NeedsReplyOptionTable() {
  using O = NeedsReplyOptions;
  static const OptionTable<O> table = {
      config::Bool<O>("enabled", true, &O::enabled,
                      "Alert on questions and complaints addressed to the brand: the to-do list of replies."),
      config::Dur<O>("cooldown", "10m", {"0s", "7d"}, &O::cooldown,
                     "After an alert, further mentions by the same author stay quiet this long."),
      config::Dbl<O>("max_rating", 2, {0, 10}, &O::max_rating, "A review rated at or below this needs a reply."),
      config::StrList<O>("question_cues", &O::question_cues,
                         "Extra phrases that make a mention a question, e.g. [\"any update\"], in any language."),
      config::StrList<O>("complaint_cues", &O::complaint_cues,
                         "Extra phrases that make a mention a complaint, e.g. [\"charged twice\"]."),
      Kinds<O>(&O::kinds, {"social", "review", "forum"},
               "Kinds of channel whose posts are addressed to the brand by a question about it (in a sentence "
               "naming it) or a complaint in the first person about it; a review always is. In the other kinds "
               "(news and blog articles, videos) only a post that names the brand's handle, or replies to its own "
               "post, is addressed to it. The brand's own accounts (its handles) never raise it."),
  };
  return table;
}

const OptionTable<PraiseOptions>& PraiseOptionTable() {
  using O = PraiseOptions;
  static const OptionTable<O> table = {
      config::Bool<O>("enabled", true, &O::enabled, "Alert on strongly positive mentions with reach."),
      config::Dbl<O>("threshold", 0.6, {0, 1}, &O::threshold, "Compound score at or above which a mention is praise."),
      config::Dbl<O>("min_reach", 1000, {0, 1e12}, &O::min_reach,
                     "Least reach (largest of followers, likes, shares, replies) worth an alert."),
      config::Dur<O>("cooldown", "1h", {"0s", "7d"}, &O::cooldown,
                     "After an alert, further praise by the same author stays quiet this long."),
      config::Dbl<O>("min_salience", 0.5, {0, 1}, &O::min_salience, kSalienceDoc),
      Kinds<O>(&O::kinds, ChannelKindNames(), "Kinds of channel whose mentions may raise it."),
  };
  return table;
}

const OptionTable<KeywordOptions>& KeywordOptionTable() {
  using O = KeywordOptions;
  static const OptionTable<O> table = {
      config::Bool<O>("enabled", true, &O::enabled, "Alert on crisis terms, whatever the sentiment."),
      config::StrList<O>("terms", &O::terms,
                         "Crisis words or phrases (whole words, any case). Empty: recall, lawsuit, outage, refund, "
                         "scam, fraud, boycott, data breach, hacked, class action."),
      config::Enum<O>("severity", "warning", {"info", "warning", "critical"}, &O::severity,
                      "Severity of keyword alerts."),
      config::Dur<O>("cooldown", "1h", {"0s", "7d"}, &O::cooldown,
                     "After an alert for a term, the same term stays quiet this long."),
      config::Dbl<O>("min_salience", 0.5, {0, 1}, &O::min_salience,
                     "A crisis term counts when a sentence naming the brand (or the one after it) holds it, or when "
                     "the brand's salience (see negative_mention.min_salience) is at least this."),
      Kinds<O>(&O::kinds, ChannelKindNames(), "Kinds of channel whose mentions may raise it."),
  };
  return table;
}

namespace {

OptionTable<SpikeOptions> SpikeTable(const char* what, int64_t min_count) {
  using O = SpikeOptions;
  return {
      config::Bool<O>(
          "enabled", true, &O::enabled,
          std::string("Alert when the number of ") + what + " in the latest bucket is far above its baseline."),
      config::Dur<O>("bucket", "15m", {"1s", "1d"}, &O::bucket,
                     "Width of a time bucket. Seconds-wide buckets suit firehose sources and rehearsing a rule "
                     "setup against a replayed stream."),
      config::Int<O>("window", 24, {4, 10000}, &O::window, "Closed buckets in the baseline (median and MAD)."),
      config::Int<O>("warm_up", 8, {1, 10000}, &O::warm_up, "Buckets to observe before the rule may fire."),
      config::Dbl<O>("z", 3, {1, 100}, &O::z,
                     "Robust z-score above the baseline: (count - median) / max(1.4826 MAD, sqrt(median), 1)."),
      config::Dbl<O>("p_value", 0.001, {1e-12, 0.5}, &O::p_value,
                     "The count must also be this unlikely under a Poisson law with the baseline's mean."),
      config::Int<O>("min_count", min_count, {1, 1000000}, &O::min_count, "Least count of a spiking bucket."),
      config::Bool<O>("dips", false, &O::dips, "Also alert when the count falls far below the baseline."),
      config::Bool<O>("per_channel", true, &O::per_channel, "Also watch each channel of the brand on its own."),
      config::Int<O>("clear_after", 2, {1, 1000}, &O::clear_after,
                     "Normal buckets in a row after which a storm is over and an all-clear alert is sent."),
      config::Dur<O>("cooldown", "1h", {"0s", "7d"}, &O::cooldown,
                     "After a storm ends, a new one on the same series within this time is not alerted."),
  };
}

}  // namespace

const OptionTable<SpikeOptions>& VolumeSpikeOptionTable() {
  static const OptionTable<SpikeOptions> table = SpikeTable("mentions", 10);
  return table;
}

const OptionTable<SpikeOptions>& NegativeSpikeOptionTable() {
  static const OptionTable<SpikeOptions> table = SpikeTable("negative mentions", 5);
  return table;
}

const OptionTable<SentimentShiftOptions>& SentimentShiftOptionTable() {
  using O = SentimentShiftOptions;
  static const OptionTable<O> table = {
      config::Bool<O>("enabled", true, &O::enabled, "Alert when the brand's average sentiment drops."),
      config::Dur<O>("bucket", "1h", {"1m", "1d"}, &O::bucket, "Width of a time bucket."),
      config::Int<O>("recent_buckets", 3, {1, 1000}, &O::recent_buckets, "Buckets averaged as 'recent'."),
      config::Int<O>("baseline_buckets", 24, {1, 10000}, &O::baseline_buckets,
                     "Buckets before the recent ones averaged as the baseline."),
      config::Dbl<O>("drop", 0.3, {0.01, 2}, &O::drop,
                     "Alert when the recent average compound is this much below the baseline's."),
      config::Int<O>("min_recent", 20, {1, 1000000}, &O::min_recent, "Least mentions in the recent buckets."),
      config::Int<O>("min_baseline", 50, {1, 1000000}, &O::min_baseline, "Least mentions in the baseline."),
      config::Dur<O>("cooldown", "6h", {"0s", "30d"}, &O::cooldown,
                     "After the shift is over, a new one within this time is not alerted."),
  };
  return table;
}

const OptionTable<EmergingTermsOptions>& EmergingTermsOptionTable() {
  using O = EmergingTermsOptions;
  static const OptionTable<O> table = {
      config::Bool<O>("enabled", true, &O::enabled,
                      "Alert when words or hashtags co-occurring with the brand jump against their own baseline."),
      config::Dur<O>("bucket", "1h", {"1m", "1d"}, &O::bucket, "Width of a time bucket."),
      config::Int<O>("warm_up", 6, {1, 10000}, &O::warm_up, "Buckets to observe before the rule may fire."),
      config::Dbl<O>("ratio", 4, {1, 1000}, &O::ratio,
                     "A term emerges when its count in the latest bucket reaches ratio x max(baseline, 1)."),
      config::Int<O>("min_count", 5, {1, 1000000}, &O::min_count, "Least mentions containing the term in the bucket."),
      config::Int<O>("top", 5, {1, 100}, &O::top, "Most terms reported in one alert."),
      config::Int<O>("max_terms", 5000, {10, 1000000}, &O::max_terms,
                     "Terms whose baseline is kept per brand; the rarest are forgotten first."),
      config::Dur<O>("cooldown", "12h", {"0s", "30d"}, &O::cooldown,
                     "A reported term is not reported again this long."),
      config::StrList<O>("ignore", &O::ignore, "Words never reported (besides common words and the brand's terms)."),
  };
  return table;
}

const OptionTable<RulesOptions>& RulesOptionTable() {
  using O = RulesOptions;
  static const OptionTable<O> table = {
      config::Obj<O>("negative_mention", &O::negative_mention, &NegativeMentionOptionTable,
                     "A mention at or below a sentiment threshold."),
      config::Obj<O>("needs_reply", &O::needs_reply, &NeedsReplyOptionTable,
                     "A question or complaint addressed to the brand."),
      config::Obj<O>("praise", &O::praise, &PraiseOptionTable, "A strongly positive mention with reach."),
      config::Obj<O>("keyword", &O::keyword, &KeywordOptionTable, "Crisis terms."),
      config::Obj<O>("volume_spike", &O::volume_spike, &VolumeSpikeOptionTable, "Unusual number of mentions."),
      config::Obj<O>("negative_spike", &O::negative_spike, &NegativeSpikeOptionTable,
                     "Unusual number of negative mentions."),
      config::Obj<O>("sentiment_shift", &O::sentiment_shift, &SentimentShiftOptionTable,
                     "The brand's average sentiment drops."),
      config::Obj<O>("emerging_terms", &O::emerging_terms, &EmergingTermsOptionTable,
                     "What a storm is about: terms whose frequency jumps."),
  };
  return table;
}

RulesOptions DefaultRulesOptions() {
  RulesOptions out;
  config::ApplyDefaults(RulesOptionTable(), out);
  return out;
}

namespace {

// Applies the options of `table` present in `obj`, leaving the others as they are.
template <typename T>
void ApplyPresent(const OptionTable<T>& table, const config::ConfigValue& obj, const std::string& path,
                  config::ApplyContext& ctx, T& out) {
  if (!obj.is_object()) {
    ctx.diag.Error(obj.pos(), path, "expected an object, got " + config::Describe(obj));
    return;
  }
  config::CheckKeys(obj, path, config::Infos(table), ctx);
  for (const auto& spec : table) {
    if (const config::ConfigValue* v = obj.Find(spec.info.key))
      spec.apply(out, v, config::JoinPath(path, spec.info.key), ctx);
  }
}

}  // namespace

void ApplyRulesOverrides(const config::ConfigValue& obj, const std::string& path, config::ApplyContext& ctx,
                         RulesOptions& inout) {
  if (!obj.is_object()) {
    ctx.diag.Error(obj.pos(), path, "expected an object, got " + config::Describe(obj));
    return;
  }
  config::CheckKeys(obj, path, config::Infos(RulesOptionTable()), ctx);
  auto apply = [&](const char* key, auto& field, const auto& table) {
    if (const config::ConfigValue* v = obj.Find(key)) ApplyPresent(table, *v, config::JoinPath(path, key), ctx, field);
  };
  apply("negative_mention", inout.negative_mention, NegativeMentionOptionTable());
  apply("needs_reply", inout.needs_reply, NeedsReplyOptionTable());
  apply("praise", inout.praise, PraiseOptionTable());
  apply("keyword", inout.keyword, KeywordOptionTable());
  apply("volume_spike", inout.volume_spike, VolumeSpikeOptionTable());
  apply("negative_spike", inout.negative_spike, NegativeSpikeOptionTable());
  apply("sentiment_shift", inout.sentiment_shift, SentimentShiftOptionTable());
  apply("emerging_terms", inout.emerging_terms, EmergingTermsOptionTable());
}

}  // namespace brandmon::rules
