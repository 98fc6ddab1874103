// The e-mail receiver: one multipart/alternative message (plain text and
// HTML) per delivery, sent over SMTP by libcurl with STARTTLS or SMTPS.

#include <curl/curl.h>

#include <atomic>
#include <ctime>

#include "daemon/notify/email_message.h"
#include "daemon/notify/receiver_kinds.h"
#include "daemon/notify/render_text.h"

namespace brandmon::notify {

namespace {

struct EmailOptions {
  std::string smtp_url;
  bool starttls = true;
  std::string username;
  std::string password;
  std::string from;
  std::vector<std::string> to;
  std::string ca_file;
  std::string subject_prefix;
  Duration timeout{};
  Duration connect_timeout{};
};

// An address is written bare ("care@example.com"): nothing a header or an
// SMTP command could be split or extended with.
bool PlainAddress(std::string_view address) {
  size_t at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= address.size() || address.size() > 254) return false;
  for (unsigned char c : address) {
    if (c <= ' ' || c >= 0x7f || std::string_view("<>,;:\"()[]\\").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
  }
  return address.find('@', at + 1) == std::string_view::npos;
}

void CheckEmail(EmailOptions& o, const config::ConfigValue& receiver, const std::string& path,
                config::ApplyContext& ctx) {
  auto error = [&](const char* key, const std::string& message) {
    const config::ConfigValue* v = receiver.Find(key);
    ctx.diag.Error(v != nullptr ? v->pos() : receiver.pos(), config::JoinPath(path, key), message);
  };
  if (!PlainAddress(o.from)) error("from", "must be a plain address such as alerts@example.com");
  if (o.to.empty()) error("to", "must name at least one address");
  for (size_t i = 0; i < o.to.size(); ++i) {
    if (!PlainAddress(o.to[i])) error("to", "item " + std::to_string(i) + " must be a plain address");
  }
  if (!o.password.empty() && o.username.empty()) error("password", "is set without a username");
  if (o.subject_prefix.find_first_of("\r\n", 0, 3) != std::string::npos) {
    error("subject_prefix", "must not contain a line break");
  }
}

config::OptionSpec<EmailOptions> Required(config::OptionSpec<EmailOptions> spec) {
  spec.info.required = true;
  return spec;
}

const config::OptionTable<EmailOptions>& EmailTable() {
  static const config::OptionTable<EmailOptions> table = [] {
    config::OptionTable<EmailOptions> t = {
        UrlOption<EmailOptions>("smtp_url", &EmailOptions::smtp_url, /*secret=*/false, {"smtp", "smtps"},
                                "The mail server: \"smtps://mail.example.com:465\" (TLS from the start) or "
                                "\"smtp://mail.example.com:587\" (upgraded with STARTTLS, see `starttls`). Required."),
        config::Bool<EmailOptions>(
            "starttls", true, &EmailOptions::starttls,
            "On an smtp:// URL, upgrade the connection with STARTTLS and refuse to send when the server does not "
            "offer it. false sends in clear text, password included: only for a relay on the same host."),
        config::Str<EmailOptions>("username", "", &EmailOptions::username, "The SMTP login, if the server wants one."),
        config::Secret<EmailOptions>("password", &EmailOptions::password,
                                     "The SMTP password, e.g. \"${credential:smtp}\"."),
        config::Str<EmailOptions>("from", config::kRequired, &EmailOptions::from,
                                  "The sender address (envelope and From:), e.g. \"brandmon@example.com\". Required."),
        Required(config::StrList<EmailOptions>(
            "to", &EmailOptions::to,
            "The recipients, e.g. [\"care@example.com\"]; one message goes to all of them. A recipient the server "
            "refuses makes the delivery a dead letter. Required.")),
        config::Str<EmailOptions>("subject_prefix", "[brandmon]", &EmailOptions::subject_prefix,
                                  "Put before every subject, so that mail filters can sort the alerts."),
    };
    AddHttpOptions(t, &EmailOptions::timeout, &EmailOptions::connect_timeout, &EmailOptions::ca_file);
    return t;
  }();
  return table;
}

struct CurlListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Upload {
  const std::string* data;
  size_t offset = 0;
  const std::atomic<bool>* stopped;
  std::string last_reply;   // the server's last reply line
  std::string error_reply;  // its last 4xx or 5xx reply line
};

size_t OnRead(char* buffer, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  size_t len = std::min(size * n, u->data->size() - u->offset);
  u->data->copy(buffer, len, u->offset);
  u->offset += len;
  return len;
}

int OnUploadProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Upload*>(user)->stopped->load() ? 1 : 0;
}

// Keeps the server's replies that explain an outcome: the last one, and the
// last refusal (a QUIT's "221 Bye" follows it).
int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  auto* u = static_cast<Upload*>(user);
  std::string line = FirstLine(std::string_view(data, size), 200);
  if (line.empty()) return 0;
  u->last_reply = line;
  if (line[0] == '4' || line[0] == '5') u->error_reply = line;
  return 0;
}

// Owned by the receiver's worker thread; Stop() from any thread.
class EmailReceiver final : public Receiver {
 public:
  explicit EmailReceiver(const EmailOptions& options) : options_(options) {
    static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    (void)ok;
    easy_.reset(curl_easy_init());
  }

  Outcome Deliver(const Delivery& delivery) override {
    EmailMessage m{options_.from, options_.to, options_.subject_prefix, std::time(nullptr)};
    return Send(RenderEmail(m, delivery));
  }
  void Stop() override { stopped_.store(true); }

 private:
  void Configure(CURL* e, Upload& upload, curl_slist* rcpt, char* errbuf);
  Outcome Send(const std::string& message);

  EmailOptions options_;
  std::unique_ptr<CURL, EasyDeleter> easy_;
  std::atomic<bool> stopped_{false};
};

void EmailReceiver::Configure(CURL* e, Upload& upload, curl_slist* rcpt, char* errbuf) {
  bool smtps = UrlScheme(options_.smtp_url) == "smtps";
  curl_easy_setopt(e, CURLOPT_URL, options_.smtp_url.c_str());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(e, CURLOPT_USE_SSL, smtps || options_.starttls ? CURLUSESSL_ALL : CURLUSESSL_NONE);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.username.empty()) {
    curl_easy_setopt(e, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(e, CURLOPT_PASSWORD, options_.password.c_str());
  }
  std::string from = "<" + options_.from + ">";
  curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());  // copied by libcurl
  curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, OnRead);
  curl_easy_setopt(e, CURLOPT_READDATA, &upload);
  curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload.data->size()));
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, OnUploadProgress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, &upload);
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, OnDebug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, &upload);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);  // feeds OnDebug; nothing is printed
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
}

Outcome EmailReceiver::Send(const std::string& message) {
  CURL* e = easy_.get();
  if (stopped_.load()) return Outcome::Retry("stopped");
  if (e == nullptr) return Outcome::Retry("cannot make a libcurl handle");
  curl_easy_reset(e);
  std::unique_ptr<curl_slist, CurlListDeleter> rcpt;
  for (const auto& to : options_.to) {
    if (curl_slist* grown = curl_slist_append(rcpt.get(), ("<" + to + ">").c_str())) {
      (void)rcpt.release();
      rcpt.reset(grown);
    }
  }
  Upload upload{&message, 0, &stopped_, {}, {}};
  char errbuf[CURL_ERROR_SIZE] = {};
  Configure(e, upload, rcpt.get(), errbuf);
  CURLcode code = curl_easy_perform(e);
  long reply = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, nullptr);
  std::string where = DisplayUrl(options_.smtp_url) + ": ";
  if (code == CURLE_OK) return {Outcome::Kind::kDelivered, 0, "SMTP " + upload.last_reply, std::nullopt};
  std::string said = !upload.error_reply.empty()  ? upload.error_reply
                     : !upload.last_reply.empty() ? upload.last_reply
                                                  : std::string(curl_easy_strerror(code));
  if (code == CURLE_ABORTED_BY_CALLBACK) return Outcome::Retry("stopped");
  if (code == CURLE_LOGIN_DENIED) return Outcome::Permanent(where + "login refused: " + said);
  if (code == CURLE_USE_SSL_FAILED) return Outcome::Permanent(where + "the server does not offer STARTTLS");
  if (reply >= 500 && reply < 600) return Outcome::Permanent(where + "refused: " + said);
  if (reply >= 400 && reply < 500) return Outcome::Retry(where + "deferred: " + said);
  std::string error = errbuf[0] != '\0' ? FirstLine(errbuf, 200) : std::string(curl_easy_strerror(code));
  return Outcome::Retry(where + error);
}

}  // namespace

ReceiverKind EmailKind() {
  return MakeReceiverKind<EmailOptions, EmailReceiver>(
      "email",
      "Sends one e-mail per delivery over SMTP (STARTTLS or SMTPS, the server's certificate verified, login when "
      "`username` is set): a multipart/alternative message with a plain-text and an HTML part. The subject reads "
      "\"[brandmon] WARNING acme: negative mention by @sam (reach 1200)\", or for a digest \"[brandmon] WARNING "
      "acme: 12 negative mentions in 10 min\", whose body lists the 20 most severe, widest-reaching alerts. The "
      "Message-ID is made from the delivery's key, so a repeated delivery is recognisable. A reminder of an open "
      "alert (repeat_interval) reads \"Still open: …\", says since when and which reminder it is, and answers the "
      "alert's first mail, so that mail readers thread them. A 5xx reply (a "
      "recipient refused, a login refused) is a dead letter; 4xx replies and connection failures are retried.",
      &EmailTable, &CheckEmail);
}

}  // namespace brandmon::notify
