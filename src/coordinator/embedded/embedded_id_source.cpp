#include "coordinator/embedded/embedded_id_source.hpp"

namespace seckill::coordinator::embedded {

namespace {

id::IdGeneratorOptions with_after_id(id::IdGeneratorOptions options, std::uint64_t after_id) {
  options.after_id = after_id;
  return options;
}

}  // namespace

EmbeddedIdSource::EmbeddedIdSource(boost::asio::any_io_executor executor, std::uint64_t after_id,
                                   id::IdGeneratorOptions options)
    : source_(std::make_shared<id::InMemorySequenceSource>(after_id)),
      generator_(std::make_unique<id::IdGenerator>(std::move(executor), source_,
                                                   with_after_id(std::move(options), after_id))) {}

boost::asio::awaitable<std::uint64_t> EmbeddedIdSource::next_id() {
  if (auto id = generator_->try_next()) co_return *id;
  co_return co_await generator_->next();
}

}  // namespace seckill::coordinator::embedded
