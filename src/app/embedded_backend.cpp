#include "app/embedded_backend.hpp"

#include <spdlog/spdlog.h>

#include "api/sale_routes.hpp"

namespace seckill::app {

namespace {

store::sqlite::SqliteDatabaseOptions database_options(const ServeConfig& config) {
  store::sqlite::SqliteDatabaseOptions options;
  options.data_dir = config.data_dir;
  return options;
}

}  // namespace

EmbeddedBackend::EmbeddedBackend(const ServeConfig& config, IoThreads& threads)
    : db_(database_options(config)),
      store_(db_),
      gate_(store_),
      ids_(threads.first().get_executor(), store_.max_id_now()),
      sale_(gate_, store_, ids_, [] { return std::chrono::system_clock::now(); }) {
  auto views = store_.store_views_now();
  gate_.restore(views);
  spdlog::info("embedded store {}/seckill.db: {} vouchers restored", config.data_dir, views.size());
}

EmbeddedBackend::~EmbeddedBackend() {
  db_.stop();
}

void EmbeddedBackend::add_routes(http::Router& router) {
  api::add_sale_routes(router, sale_);
}

std::vector<http::NamedProbe> EmbeddedBackend::readiness_probes() {
  return {};
}

void EmbeddedBackend::start(std::function<void()> ready) {
  ready();
}

void EmbeddedBackend::stop(std::function<void()> done) {
  // Every write answered so far is committed; queued ones are committed by db_.stop().
  done();
}

}  // namespace seckill::app
