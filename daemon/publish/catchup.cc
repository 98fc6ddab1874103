// The catch-up thread of the publisher: answers replay requests from the
// journal (docs/alerts.md, "Catch-up protocol").
#include "daemon/publish/publisher_impl.h"

namespace brandmon::publish {

std::shared_ptr<PeerBytes> Publisher::Impl::PeerOf(const zmq::message_t& identity) {
  auto& p = peers[std::string(static_cast<const char*>(identity.data()), identity.size())];
  if (!p) p = std::make_shared<PeerBytes>(catchup_shared);
  return p;
}

ReplyBlock* Publisher::Impl::NewBlock(std::vector<store::JournalEntry> entries, std::shared_ptr<PeerBytes> peer) {
  blocks.push_back(std::make_unique<ReplyBlock>(std::move(entries), std::move(peer)));
  return blocks.back().get();
}

ReplyBlock* Publisher::Impl::NewBlock(std::string_view topic, std::string payload, std::shared_ptr<PeerBytes> peer) {
  std::vector<store::JournalEntry> one(1);
  one[0].topic = topic;
  one[0].payload = std::move(payload);
  return NewBlock(std::move(one), std::move(peer));
}

void Publisher::Impl::FreeTakenBlocks() {
  std::erase_if(blocks, [&](const std::unique_ptr<ReplyBlock>& b) {
    return b->refs.load() == 1 &&
           std::none_of(sessions.begin(), sessions.end(), [&](const CatchupSession& s) { return s.block == b.get(); });
  });
}

// Sends [identity, (delimiter,) topic, payload] for entry `index` of `block`;
// the payload goes to libzmq without a copy and is counted in the block's
// peer until libzmq frees it. False, with nothing sent, when the client is at
// its high-water mark. Throws zmq::error_t (EHOSTUNREACH) when the client is
// gone.
bool Publisher::Impl::SendHeld(const zmq::message_t& identity, bool delimiter, ReplyBlock& block, size_t index) {
  zmq::message_t id;
  id.copy(const_cast<zmq::message_t&>(identity));
  if (!router->send(id, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  if (delimiter) (void)router->send(zmq::const_buffer("", 0), zmq::send_flags::sndmore);
  const store::JournalEntry& e = block.entries[index];
  (void)router->send(zmq::buffer(e.topic), zmq::send_flags::sndmore);
  ReplyBlock::Frame& frame = block.frames[index];
  frame.block = &block;
  frame.accounted = static_cast<int64_t>(e.payload.size() + e.topic.size() + identity.size());
  zmq::message_t body(const_cast<char*>(e.payload.data()), e.payload.size(), FreeHeld, &frame);
  block.peer->bytes += frame.accounted;
  catchup_shared->queued_bytes += frame.accounted;
  ++block.refs;
  (void)router->send(body, zmq::send_flags::none);
  return true;
}

void Publisher::Impl::SendError(zmq::message_t& identity, bool delimiter, std::string_view message) {
  SendError(identity, delimiter, PeerOf(identity), message);
}

void Publisher::Impl::SendError(zmq::message_t& identity, bool delimiter, const std::shared_ptr<PeerBytes>& held,
                                std::string_view message) {
  ++counters.catchup_errors;
  // A client that sends requests and never reads the answers gets no more.
  if (held->bytes.load() > kMaxUnreadErrorBytes) return;
  try {
    (void)SendHeld(identity, delimiter, *NewBlock(kCatchupErrorTopic, CatchupErrorJson(message), held), 0);
  } catch (const zmq::error_t& e) {
    spdlog::debug("catch-up error reply dropped: {}", e.what());
  }
}

void Publisher::Impl::StartSession(store::Store* store, std::vector<zmq::message_t>& frames, bool delimiter) {
  zmq::message_t& body = frames.back();
  if (body.size() > options.catchup_max_request) {
    return SendError(frames[0], delimiter,
                     "request of " + std::to_string(body.size()) + " bytes exceeds catchup_max_request (" +
                         std::to_string(options.catchup_max_request) + ")");
  }
  auto req = ParseCatchupRequest(body.to_string_view());
  if (!req.ok()) return SendError(frames[0], delimiter, "malformed request: " + req.status().message());
  if (store == nullptr) return SendError(frames[0], delimiter, "journal unavailable");
  // A new request from the same client replaces its unfinished one; what is
  // still held for the client stays counted against it.
  sessions.remove_if([&](const CatchupSession& s) { return s.identity == frames[0]; });
  if (sessions.size() >= static_cast<size_t>(options.catchup_max_sessions)) {
    ++counters.catchup_refused;
    return SendError(frames[0], delimiter,
                     "busy: " + std::to_string(sessions.size()) +
                         " catch-up replies are in progress (publish.catchup_max_sessions); ask again later");
  }
  auto last = store->LastSeq();
  if (!last.ok()) return SendError(frames[0], delimiter, "journal read failed");
  CatchupSession s;
  s.held = PeerOf(frames[0]);
  s.connection = PeerConnection::Of(body);
  s.identity = std::move(frames[0]);
  s.delimiter = delimiter;
  s.prefix = req->topic;
  s.cursor = req->since;
  // Up to the last alert handed to the publisher, which the heartbeats
  // announce: an alert committed and not yet handed over comes live (or with
  // the next catch-up), so a client that caught up is never ahead of a
  // heartbeat, which would read as a replaced journal.
  s.upto = std::min(*last, handed_seq.load());
  uint64_t max = static_cast<uint64_t>(options.catchup_max_entries);
  s.remaining = req->limit == 0 ? max : std::min(req->limit, max);
  s.last_held = s.held->bytes.load();
  s.last_progress = clock.Mono();
  sessions.push_back(std::move(s));
}

void Publisher::Impl::ReceiveRequests(store::Store* store) {
  for (int n = 0; n < 100; ++n) {
    std::vector<zmq::message_t> frames;
    zmq::message_t frame;
    if (!router->recv(frame, zmq::recv_flags::dontwait)) return;
    frames.push_back(std::move(frame));
    while (frames.back().more() && frames.size() <= 8) {
      zmq::message_t next;
      (void)router->recv(next, zmq::recv_flags::none);
      frames.push_back(std::move(next));
    }
    // Discard the rest of an over-long message.
    while (frames.back().more()) (void)router->recv(frames.back(), zmq::recv_flags::none);
    ++counters.catchup_requests;
    // A DEALER sends [request], a REQ [empty, request]; the ROUTER prepends the identity.
    if (frames.size() == 2) {
      StartSession(store, frames, false);
    } else if (frames.size() == 3 && frames[1].empty()) {
      StartSession(store, frames, true);
    } else {
      bool delimiter = frames.size() > 1 && frames[1].empty();
      SendError(frames[0], delimiter, "malformed request: expected one JSON frame");
    }
  }
}

// Reads the next entries of `s` from the journal into a new block, about
// half of catchup_max_queued bytes' worth.
Turn Publisher::Impl::Fill(store::Store* store, CatchupSession& s) {
  size_t limit = static_cast<size_t>(std::min<uint64_t>(s.read_chunk, s.remaining));
  auto rows = store->ReadSince(s.cursor, s.prefix, limit);
  if (!rows.ok()) {
    spdlog::warn("catch-up journal read failed: {}", rows.status().message());
    SendError(s.identity, s.delimiter, s.held, "journal read failed");
    return Turn::kDone;
  }
  s.read_all = rows->size() < limit;
  size_t bytes = 0;
  for (const auto& e : *rows) bytes += e.payload.size() + e.topic.size();
  if (!rows->empty()) {
    size_t average = std::max<size_t>(bytes / rows->size(), 1);
    // Half the bound: a block stays whole until libzmq has written all of it,
    // so the block being sent and those whose frames libzmq holds stay
    // within about twice catchup_max_queued.
    s.read_chunk = std::clamp<size_t>(options.catchup_max_queued / 2 / average, 1, kCatchupChunk);
  }
  std::erase_if(*rows, [&](const store::JournalEntry& e) { return e.seq > s.upto; });
  if (rows->empty()) {
    s.exhausted = true;
  } else {
    s.block = NewBlock(std::move(*rows), s.held);
    s.next = 0;
  }
  return Turn::kMore;
}

Turn Publisher::Impl::Serve(store::Store* store, CatchupSession& s) {
  const auto max_held = static_cast<int64_t>(options.catchup_max_queued);
  try {
    for (size_t sent = 0; sent < kCatchupChunk;) {
      if (s.answered) {
        if (s.held->bytes.load() <= 0) return Turn::kDone;
        if (WaitForClient(*s.held, 0) == Turn::kWaiting) return Turn::kWaiting;
        continue;
      }
      if (s.held->bytes.load() >= max_held) {
        if (WaitForClient(*s.held, max_held / 2) == Turn::kWaiting) return Turn::kWaiting;
        continue;
      }
      if (!s.pending() && !s.exhausted && s.remaining > 0) {
        if (s.read_all) {
          s.exhausted = true;
        } else if (Fill(store, s) == Turn::kDone) {
          return Turn::kDone;
        }
      }
      if (!s.pending()) {
        CatchupEnd end;
        end.complete = s.exhausted;
        end.upto = s.exhausted ? s.upto : s.cursor;
        end.count = s.count;
        end.last_seq = s.upto;
        ReplyBlock* marker = NewBlock(kCatchupEndTopic, CatchupEndJson(end), s.held);
        if (!SendHeld(s.identity, s.delimiter, *marker, 0)) return Turn::kRetry;
        s.answered = true;
        s.last_progress = clock.Mono();
        continue;
      }
      if (!SendHeld(s.identity, s.delimiter, *s.block, s.next)) return Turn::kRetry;
      s.last_progress = clock.Mono();
      s.cursor = s.block->entries[s.next].seq;
      ++s.next;
      ++s.count;
      --s.remaining;
      ++sent;
      ++counters.catchup_entries;
    }
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH: the client went away.
    spdlog::debug("catch-up reply abandoned: {}", e.what());
    return Turn::kDone;
  }
  return Turn::kMore;
}

// A client makes progress when libzmq writes some of what is held for it.
void Publisher::Impl::NoteProgress(CatchupSession& s, MonoTime now) {
  int64_t held = s.held->bytes.load();
  if (held < s.last_held) s.last_progress = now;
  s.last_held = held;
}

std::chrono::milliseconds Publisher::Impl::ServeAll(store::Store* store) {
  bool more = false, retry = false;
  for (auto it = sessions.begin(); it != sessions.end();) {
    NoteProgress(*it, clock.Mono());
    Turn turn = Serve(store, *it);
    MonoTime now = clock.Mono();
    NoteProgress(*it, now);
    if (turn != Turn::kDone && turn != Turn::kMore && now - it->last_progress > options.catchup_stall_timeout) {
      ++counters.catchup_dropped;
      bool closed = it->connection.Shutdown();
      spdlog::warn("catch-up client {} took nothing for {}s with {} bytes waiting; {}",
                   it->connection.address.empty() ? "?" : it->connection.address,
                   std::chrono::duration_cast<std::chrono::seconds>(options.catchup_stall_timeout).count(),
                   it->held->bytes.load(), closed ? "disconnected" : "reply abandoned");
      // Wake when libzmq has freed what it held, to give the memory back.
      it->held->wake_at.store(0);
      turn = Turn::kDone;
    }
    trim_pending |= turn == Turn::kDone;
    more |= turn == Turn::kMore;
    retry |= turn == Turn::kRetry;
    it = turn == Turn::kDone ? sessions.erase(it) : std::next(it);
  }
  FreeTakenBlocks();
  // A client is forgotten once nothing is held for it and it has no session.
  std::erase_if(peers, [](const auto& p) { return p.second.use_count() == 1; });
  counters.catchup_sessions = sessions.size();
  std::chrono::milliseconds trim_wait = TrimWhenIdle();
  if (more) return std::chrono::milliseconds(0);
  if (retry) return std::chrono::duration_cast<std::chrono::milliseconds>(kRetryInterval);
  if (!sessions.empty()) return std::chrono::duration_cast<std::chrono::milliseconds>(kStallCheck);
  return trim_wait;
}

// The entries of finished replies are freed in small blocks that the
// allocator keeps; once nothing is left, they go back to the system. Not at
// once: trimming walks the heap and unmaps pages (which interrupts every CPU
// running the process), and a client catching up page by page asks again
// right away.
std::chrono::milliseconds Publisher::Impl::TrimWhenIdle() {
  bool idle = sessions.empty() && blocks.empty() && catchup_shared->queued_bytes.load() == 0;
  if (!trim_pending || !idle) {
    trim_at.reset();
    // libzmq may let go of a block's last frame without waking this thread.
    bool held = trim_pending && sessions.empty() && !blocks.empty();
    return held ? std::chrono::duration_cast<std::chrono::milliseconds>(kStallCheck) : std::chrono::milliseconds(-1);
  }
  auto now = std::chrono::steady_clock::now();
  if (!trim_at) trim_at = now + kTrimDelay;
  if (now < *trim_at) return std::chrono::ceil<std::chrono::milliseconds>(*trim_at - now);
  trim_pending = false;
  trim_at.reset();
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  return std::chrono::milliseconds(-1);
}

void Publisher::Impl::CatchupLoop() {
  std::unique_ptr<store::Store> store;
  if (auto opened = journal ? journal() : Result<std::unique_ptr<store::Store>>(Status::NotFound("no journal"));
      opened.ok()) {
    store = std::move(*opened);
  } else {
    spdlog::error("catch-up cannot open the journal: {}", opened.status().message());
  }
  std::chrono::milliseconds wait(-1);
  try {
    for (;;) {
      zmq::pollitem_t items[] = {{router->handle(), 0, ZMQ_POLLIN, 0},
                                 {router_monitor->socket().handle(), 0, ZMQ_POLLIN, 0},
                                 {nullptr, catchup_shared->wake.fd(), ZMQ_POLLIN, 0}};
      zmq::poll(items, 3, wait);
      if (items[2].revents & ZMQ_POLLIN) catchup_shared->wake.Drain();
      router_monitor->Drain(counters.handshakes_rejected);
      ReceiveRequests(store.get());
      wait = ServeAll(store.get());
    }
  } catch (const zmq::error_t& e) {
    if (e.num() != ETERM) spdlog::error("catch-up service stopped: {}", e.what());
  }
  sessions.clear();
  peers.clear();
  // What libzmq still holds is freed with the context: the last frame of a
  // block frees it.
  for (auto& b : blocks) {
    if (b->refs.fetch_sub(1) != 1) (void)b.release();
  }
  blocks.clear();
  counters.catchup_sessions = 0;
  router_monitor.reset();
  router->close();
}

}  // namespace brandmon::publish
