#include "daemon/store/checkpointer.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>

#include <spdlog/spdlog.h>

namespace brandmon::store {

namespace {

// A copy takes milliseconds; past this the writer goes on without it.
constexpr auto kMaxWait = std::chrono::milliseconds(100);

}  // namespace

Checkpointer::Checkpointer(std::string path, Sizes sizes, ThreadSet& threads)
    : path_(std::move(path)), sizes_(sizes), threads_(threads) {}

Checkpointer::~Checkpointer() {
  ThreadSet::Id thread = 0;
  {
    MutexLock lock(mu_);
    stopping_ = true;
    thread = thread_;
  }
  wake_.notify_one();
  threads_.Join(thread);
}

void Checkpointer::Request() {
  if (requested_ || failed_) return;
  requested_ = true;
  if (thread_ == 0) thread_ = threads_.Start("checkpoint", [this] { Loop(); });
  wake_.notify_one();
}

bool Checkpointer::Committed(int log_pages) {
  MutexLock lock(mu_);
  ++commits_;
  log_ = log_pages;
  // A log smaller than what was copied has started over since.
  if (copied_ > log_pages) copied_ = 0;
  if (log_pages < sizes_.limit) no_wait_below_ = 0;
  if (failed_) {
    if (log_pages - copied_ < sizes_.pages) return false;
    copied_ = 0;
    return true;
  }
  restart_due_ = log_pages >= sizes_.limit && log_pages >= no_wait_below_;
  if (restart_due_ || (!running_ && log_pages - copied_ >= sizes_.pages)) Request();
  return false;
}

void Checkpointer::BeforeWrite() {
  MutexLock lock(mu_);
  if (!restart_due_ || failed_) return;
  ++waits_;
  auto deadline = std::chrono::steady_clock::now() + kMaxWait;
  // Nothing is committed while this waits, so a copy that begins now holds
  // the whole log unless a reader still needs part of it.
  while (copied_through_ < commits_ && !failed_ && !stopping_) {
    if (!running_) Request();
    if (!lock.WaitUntil(done_, deadline)) break;
  }
  restart_due_ = false;
  // Whether the log starts over shows at the next commit; until the log has
  // grown by another `pages`, do not wait again.
  no_wait_below_ = log_ + sizes_.pages;
}

int Checkpointer::checkpoints() const {
  MutexLock lock(mu_);
  return checkpoints_;
}

int Checkpointer::waits() const {
  MutexLock lock(mu_);
  return waits_;
}

void Checkpointer::Loop() {
  // Copying competes for the CPU with scoring and committing; it can wait.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
  auto db = Database::Open(path_);
  // A connection learns that the database is in WAL mode on its first read;
  // until then a checkpoint does nothing.
  Status opened = db.ok() ? db->Exec("PRAGMA journal_mode=WAL") : db.status();
  MutexLock lock(mu_);
  if (!opened.ok()) {
    spdlog::warn("checkpoints of '{}' run inside commits: {}", path_, opened.message());
    failed_ = true;
    requested_ = false;
    done_.notify_all();
    return;
  }
  db_ = std::move(db).value();
  while (true) {
    while (!(requested_ || stopping_)) lock.Wait(wake_);
    if (stopping_) return;
    requested_ = false;
    running_ = true;
    uint64_t through = commits_;
    lock.Unlock();
    int log = 0;
    int copied = 0;
    Status s = db_->CheckpointPassive(&log, &copied);
    // Failing loses nothing: the log keeps the pages until a later
    // checkpoint, or closing the database, copies them.
    if (!s.ok()) spdlog::warn("checkpoint of '{}' failed: {}", path_, s.message());
    lock.Lock();
    running_ = false;
    copied_through_ = through;
    copied_ = s.ok() ? copied : 0;
    ++checkpoints_;
    done_.notify_all();
  }
}

}  // namespace brandmon::store
