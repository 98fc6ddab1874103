#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "tests/daemon/notify/receiver_fixture.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace brandmon::notify {
namespace {

using namespace testing;
using namespace std::chrono_literals;
using brandmon::testing::Process;
using brandmon::testing::ReadFile;
using brandmon::testing::RunCommand;
using brandmon::testing::TempDir;

constexpr const char* kPython = "/usr/bin/python3";

bool HaveAiosmtpd() {
  std::string out, err;
  return std::filesystem::exists(kPython) && RunCommand({kPython, "-c", "import aiosmtpd"}, &out, &err) == 0;
}

// A real SMTP server (aiosmtpd, tests/daemon/notify/smtp_sink.py) that
// stores what it accepts, parsed by Python's e-mail package, as JSON.
class SmtpSink {
 public:
  explicit SmtpSink(std::vector<std::string> args = {}) {
    std::vector<std::string> argv = {kPython, BRANDMON_SOURCE_DIR "/tests/daemon/notify/smtp_sink.py", "--dir",
                                     dir_.path().string()};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<Process>(argv);
    for (int i = 0; i < 1200 && port_ == 0 && process_->running(); ++i) {  // up to 30 s
      std::string out = process_->Stdout();
      if (out.find('\n') != std::string::npos) {
        port_ = std::stoi(out);
      } else {
        std::this_thread::sleep_for(25ms);
      }
    }
  }
  int port() const { return port_; }
  std::string Log() const { return process_->Stderr(); }
  // The stored messages, oldest first.
  std::vector<rapidjson::Document> Messages() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      if (e.path().extension() == ".json") names.push_back(e.path().string());
    }
    std::sort(names.begin(), names.end());
    std::vector<rapidjson::Document> out;
    for (const auto& n : names) out.push_back(ParseJson(ReadFile(n)));
    return out;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
};

// A self-signed certificate for 127.0.0.1, as cert.pem and key.pem in `dir`.
bool MakeCertificate(const TempDir& dir) {
  std::string out, err;
  std::string cert = (dir.path() / "cert.pem").string(), key = (dir.path() / "key.pem").string();
  return RunCommand({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                     "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"},
                    &out, &err) == 0;
}

std::string Config(const SmtpSink& sink, const std::string& extra, const char* scheme = "smtp") {
  return R"({"name": "agency", "type": "email", "smtp_url": ")" + std::string(scheme) +
         "://127.0.0.1:" + std::to_string(sink.port()) +
         R"(", "from": "brandmon@example.com", "to": ["care@example.com",
         "pr@example.com"], "timeout": "5s")" +
         extra + "}";
}

std::string PartText(const rapidjson::Value& message, const char* type) {
  for (const auto& p : message["parts"].GetArray()) {
    if (std::string_view(p["type"].GetString()) == type) return p["text"].GetString();
  }
  return "";
}

#define REQUIRE_AIOSMTPD() \
  if (!HaveAiosmtpd()) GTEST_SKIP() << kPython << " cannot import aiosmtpd: install python3-aiosmtpd"

TEST(EmailReceiverTest, OneAlertIsAMultipartMessageATriagerCanRead) {
  REQUIRE_AIOSMTPD();
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0) << sink.Log();
  auto receiver = MakeReceiver(Config(sink, R"(, "starttls": false)"));
  ASSERT_TRUE(receiver);
  Outcome o = receiver->Deliver(MakeDelivery("agency", {SampleAlert(41)}));
  ASSERT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail;
  EXPECT_NE(o.detail.find("250"), std::string::npos) << o.detail;
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  const auto& m = messages[0];
  EXPECT_STREQ(m["mail_from"].GetString(), "brandmon@example.com");
  ASSERT_EQ(m["rcpt_tos"].Size(), 2u);
  EXPECT_STREQ(m["rcpt_tos"][1].GetString(), "pr@example.com");
  const auto& h = m["headers"];
  EXPECT_STREQ(h["Subject"].GetString(), "[brandmon] WARNING acme: negative mention by @sam (reach 1200)");
  EXPECT_STREQ(h["From"].GetString(), "brandmon@example.com");
  EXPECT_STREQ(h["To"].GetString(), "care@example.com, pr@example.com");
  EXPECT_STREQ(h["Message-ID"].GetString(), "<agency.41-41@example.com>");
  EXPECT_STREQ(h["Auto-Submitted"].GetString(), "auto-generated");
  EXPECT_TRUE(h.HasMember("Date"));
  EXPECT_STREQ(m["content_type"].GetString(), "multipart/alternative");
  ASSERT_EQ(m["parts"].Size(), 2u);
  std::string text = PartText(m, "text/plain");
  EXPECT_NE(text.find("WARNING · acme · negative mention"), std::string::npos) << text;
  EXPECT_NE(text.find("\"The new acme app keeps crashing\""), std::string::npos);
  EXPECT_NE(text.find("Author: sam · Reach: 1,200 · Sentiment: negative (-0.71) · Channel: reddit"), std::string::npos);
  EXPECT_NE(text.find("Open: https://forum.example/t/41"), std::string::npos);
  std::string html = PartText(m, "text/html");
  EXPECT_NE(html.find("<blockquote"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"https://forum.example/t/41\">"), std::string::npos);
}

TEST(EmailReceiverTest, StartTlsAndLogin) {
  REQUIRE_AIOSMTPD();
  TempDir certs;
  ASSERT_TRUE(MakeCertificate(certs));
  std::string cert = (certs.path() / "cert.pem").string(), key = (certs.path() / "key.pem").string();
  SmtpSink tls({"--tls", cert, key, "--auth", "robot:pa55"});
  ASSERT_NE(tls.port(), 0) << tls.Log();
  std::string login = R"(, "username": "robot", "password": "pa55", "ca_file": ")" + cert + "\"";
  auto receiver = MakeReceiver(Config(tls, login));
  ASSERT_TRUE(receiver);
  Outcome o = receiver->Deliver(MakeDelivery("agency", {SampleAlert(1)}));
  ASSERT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail << tls.Log();
  auto messages = tls.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0]["tls"].GetBool());
  EXPECT_STREQ(messages[0]["login"].GetString(), "robot");

  auto wrong = MakeReceiver(Config(tls, R"(, "username": "robot", "password": "nope", "ca_file": ")" + cert + "\""));
  o = wrong->Deliver(MakeDelivery("agency", {SampleAlert(2)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent) << o.detail;
  EXPECT_NE(o.detail.find("login refused"), std::string::npos) << o.detail;
  EXPECT_EQ(o.detail.find("nope"), std::string::npos);

  auto untrusted = MakeReceiver(Config(tls, R"(, "username": "robot", "password": "pa55")"));
  o = untrusted->Deliver(MakeDelivery("agency", {SampleAlert(3)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry) << o.detail;  // the system CAs do not know the certificate
  EXPECT_EQ(tls.Messages().size(), 1u);
}

TEST(EmailReceiverTest, Smtps) {
  REQUIRE_AIOSMTPD();
  TempDir certs;
  ASSERT_TRUE(MakeCertificate(certs));
  std::string cert = (certs.path() / "cert.pem").string(), key = (certs.path() / "key.pem").string();
  SmtpSink sink({"--tls", cert, key, "--smtps"});
  ASSERT_NE(sink.port(), 0) << sink.Log();
  auto receiver = MakeReceiver(Config(sink, R"(, "ca_file": ")" + cert + "\"", "smtps"));
  ASSERT_TRUE(receiver);
  Outcome o = receiver->Deliver(MakeDelivery("agency", {SampleAlert(1)}));
  ASSERT_EQ(o.kind, Outcome::Kind::kDelivered) << o.detail << sink.Log();
  ASSERT_EQ(sink.Messages().size(), 1u);
}

TEST(EmailReceiverTest, NoStartTlsOfferedIsRefusedUnlessPlainTextIsAllowed) {
  REQUIRE_AIOSMTPD();
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0) << sink.Log();
  auto receiver = MakeReceiver(Config(sink, ""));
  Outcome o = receiver->Deliver(MakeDelivery("agency", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_EQ(o.detail, "smtp://127.0.0.1:" + std::to_string(sink.port()) + ": the server does not offer STARTTLS");
  EXPECT_TRUE(sink.Messages().empty());
}

TEST(EmailReceiverTest, RefusedRecipientIsPermanentAndABusyServerRetried) {
  REQUIRE_AIOSMTPD();
  SmtpSink refusing({"--reject", "pr@example.com"});
  ASSERT_NE(refusing.port(), 0) << refusing.Log();
  Outcome o =
      MakeReceiver(Config(refusing, R"(, "starttls": false)"))->Deliver(MakeDelivery("agency", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kPermanent);
  EXPECT_NE(o.detail.find("550 5.1.1 <pr@example.com>: recipient address rejected"), std::string::npos) << o.detail;

  SmtpSink busy({"--tempfail"});
  ASSERT_NE(busy.port(), 0) << busy.Log();
  o = MakeReceiver(Config(busy, R"(, "starttls": false)"))->Deliver(MakeDelivery("agency", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_NE(o.detail.find("451 4.3.0 mailbox busy"), std::string::npos) << o.detail;

  int gone = FreePort();
  o = MakeReceiver(R"({"name": "agency", "type": "email", "smtp_url": "smtp://127.0.0.1:)" + std::to_string(gone) +
                   R"(", "from": "a@example.com", "to": ["b@example.com"]})")
          ->Deliver(MakeDelivery("agency", {SampleAlert(1)}));
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
}

TEST(EmailReceiverTest, DigestIsOneMail) {
  REQUIRE_AIOSMTPD();
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0) << sink.Log();
  std::vector<Alert> alerts;
  for (int i = 1; i <= 25; ++i) {
    Alert a = SampleAlert(i, "complaint " + std::to_string(i));
    a.figures = {{"reach", 1000.0 + i}};
    alerts.push_back(a);
  }
  alerts[4].severity = Severity::kCritical;
  auto receiver = MakeReceiver(Config(sink, R"(, "starttls": false, "subject_prefix": "[acme care]")"));
  ASSERT_EQ(receiver->Deliver(MakeDelivery("agency", alerts, 10min)).kind, Outcome::Kind::kDelivered);
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_STREQ(messages[0]["headers"]["Subject"].GetString(),
               "[acme care] CRITICAL acme: 25 negative mentions in 10 min");
  std::string text = PartText(messages[0], "text/plain");
  EXPECT_EQ(text.find("CRITICAL acme: negative mention"), text.find("\r\n\r\n") + 4) << text;  // most severe first
  EXPECT_NE(text.find("\"complaint 25\""), std::string::npos);
  EXPECT_EQ(text.find("\"complaint 4\""), std::string::npos);  // below the top 20
  EXPECT_NE(text.find("and 5 more"), std::string::npos);
  EXPECT_NE(PartText(messages[0], "text/html").find("and 5 more"), std::string::npos);
}

TEST(EmailReceiverTest, HostileTextIsEscapedAndBounded) {
  REQUIRE_AIOSMTPD();
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0) << sink.Log();
  std::string hostile;
  while (hostile.size() < (1 << 20)) hostile += "<script>alert(1)</script><a href=\"http://evil\">x</a>\r\n.\r\n";
  Alert a = SampleAlert(1, hostile);
  a.brand = "café";
  a.summary = "café: négatif\r\nBcc: victim@example.com <b>";
  a.mentions[0].mention.url = "javascript:alert(1)";
  auto receiver = MakeReceiver(Config(sink, R"(, "starttls": false)"));
  ASSERT_EQ(receiver->Deliver(MakeDelivery("agency", {a})).kind, Outcome::Kind::kDelivered);
  auto messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  const auto& m = messages[0];
  EXPECT_STREQ(m["headers"]["Subject"].GetString(), "[brandmon] WARNING café: négatif  Bcc: victim@example.com <b>");
  EXPECT_FALSE(m["headers"].HasMember("Bcc"));
  EXPECT_EQ(m["rcpt_tos"].Size(), 2u);
  std::string html = PartText(m, "text/html");
  EXPECT_LT(html.size(), 10000u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http://evil"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_LT(PartText(m, "text/plain").size(), 10000u);
}

TEST(EmailReceiverTest, StopInterruptsAServerThatNeverAnswers) {
  // A listening socket that is never accepted from: the connection opens,
  // the greeting never comes.
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  auto receiver = MakeReceiver(R"({"name": "agency", "type": "email", "smtp_url": "smtp://127.0.0.1:)" +
                               std::to_string(ntohs(addr.sin_port)) +
                               R"(", "from": "a@example.com", "to": ["b@example.com"], "timeout": "1m"})");
  ASSERT_TRUE(receiver);
  auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    receiver->Stop();
  });
  Outcome o = receiver->Deliver(MakeDelivery("agency", {SampleAlert(1)}));
  stopper.join();
  close(fd);
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.detail, "stopped");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(EmailReceiverTest, ConfigErrors) {
  std::string base = R"({"name": "m", "type": "email", "smtp_url": "smtps://mail.example:465")";
  EXPECT_EQ(ConfigErrors(base + R"(, "from": "a@example.com", "to": ["b@example.com"]})"), "");
  EXPECT_NE(ConfigErrors(base + R"(, "from": "a@example.com"})").find("missing required option 'to'"),
            std::string::npos);
  EXPECT_NE(ConfigErrors(base + R"(, "from": "a@example.com", "to": []})").find("at least one"), std::string::npos);
  EXPECT_NE(ConfigErrors(base + R"(, "from": "Eve <a@example.com>", "to": ["b@example.com"]})").find("plain address"),
            std::string::npos);
  EXPECT_NE(ConfigErrors(base + R"(, "from": "a@example.com", "to": ["b@example.com\r\nBcc: x@y.z"]})")
                .find("item 0 must be a plain address"),
            std::string::npos);
  EXPECT_NE(ConfigErrors(R"({"name": "m", "type": "email", "smtp_url": "https://mail.example", "from": "a@example.com",
                           "to": ["b@example.com"]})")
                .find("must be a smtp or smtps url"),
            std::string::npos);
  EXPECT_NE(ConfigErrors(base + R"(, "from": "a@example.com", "to": ["b@example.com"], "password": "x"})")
                .find("without a username"),
            std::string::npos);
}

}  // namespace
}  // namespace brandmon::notify
