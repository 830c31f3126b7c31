#include "redis/reply_parser.hpp"

#include <new>
#include <string>

#include <hiredis/hiredis.h>

#include "core/infra_error.hpp"

namespace seckill::redis {
namespace {

struct ReplyObjectDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyObject = std::unique_ptr<redisReply, ReplyObjectDeleter>;

// The reader keeps its consumed buffer for reuse up to this size; hiredis's default (16 KiB) is
// smaller than one of our socket reads and would make it free and regrow the buffer constantly.
constexpr std::size_t kReaderKeepBuffer = 1 << 20;

Reply convert(const redisReply& r) {
  switch (r.type) {
    case REDIS_REPLY_STATUS:
      return Reply::status(std::string(r.str, r.len));
    case REDIS_REPLY_ERROR:
      return Reply::error(std::string(r.str, r.len));
    case REDIS_REPLY_INTEGER:
      return Reply::integer(r.integer);
    case REDIS_REPLY_STRING:
      return Reply::string(std::string(r.str, r.len));
    case REDIS_REPLY_NIL:
      return Reply::nil();
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i)
        elements.push_back(convert(*r.element[i]));
      return Reply::array(std::move(elements));
    }
    default:
      throw ProtocolError("redis: unknown reply type " + std::to_string(r.type));
  }
}

redisReader* make_reader() {
  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) throw std::bad_alloc();
  reader->maxbuf = kReaderKeepBuffer;
  return reader;
}

}  // namespace

void ReplyParser::ReaderDeleter::operator()(redisReader* reader) const {
  redisReaderFree(reader);
}

ReplyParser::ReplyParser() : reader_(make_reader()) {}
ReplyParser::~ReplyParser() = default;
ReplyParser::ReplyParser(ReplyParser&&) noexcept = default;
ReplyParser& ReplyParser::operator=(ReplyParser&&) noexcept = default;

void ReplyParser::feed(std::string_view bytes) {
  if (bytes.empty()) return;
  if (redisReaderFeed(reader_.get(), bytes.data(), bytes.size()) != REDIS_OK) {
    throw ProtocolError(std::string("redis: ") + reader_->errstr);
  }
}

std::optional<Reply> ReplyParser::next() {
  void* raw = nullptr;
  if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
    throw ProtocolError(std::string("redis: malformed reply: ") + reader_->errstr);
  }
  if (raw == nullptr) return std::nullopt;
  ReplyObject reply(static_cast<redisReply*>(raw));
  return convert(*reply);
}

void ReplyParser::reset() {
  reader_.reset(make_reader());
}

}  // namespace seckill::redis
